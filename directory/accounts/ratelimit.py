"""Cache-based abuse limits, reusable by any public form (sign-up, login, shop side).

Two building blocks:

- a **counter per key in a window**: `rate_limit_hit(scope=..., key=..., limit=...,
  window=...)` counts one attempt and says whether it is still allowed; the
  window starts at the first attempt and the answer carries the seconds left
  (for a Retry-After header). `rate_limit_peek` reads without counting and
  `rate_limit_reset` forgets the key (e.g. after a successful password reset).
- `ip_rate_limit(scope)`: a view decorator limiting POSTs per client IP with
  settings.PORTAL["RATE_LIMIT_PER_IP"] per PORTAL["RATE_LIMIT_WINDOW_SECONDS"],
  answering HTTP 429 with the "too many attempts" page and Retry-After.

The counters live in Django's default cache: local memory per process by default
(enough for one process and for tests), Redis in production so every app node
shares them. Keys hold a hash of the identifier, never an e-mail address.

The client IP is REMOTE_ADDR. Behind a reverse proxy (nginx, a load balancer)
REMOTE_ADDR is the proxy's address unless the trusted proxy setup rewrites it
(nginx `real_ip_header` / `set_real_ip_from`, or a WSGI middleware that trusts
exactly the proxy's X-Forwarded-For); never read X-Forwarded-For here, since a
client can send any value in it.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

KEY_PREFIX = "portal-rl"


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends (0 when allowed and untouched)


def client_ip(request) -> str:
    """The client's address (REMOTE_ADDR; see the module docstring about proxies)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _cache_key(scope: str, key: str) -> str:
    digest = hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()[:40]
    return f"{KEY_PREFIX}:{scope}:{digest}"


def _seconds_left(started_at: float | None, window: int, now: float) -> int:
    if started_at is None:
        return window
    return max(1, math.ceil(started_at + window - now))


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int) -> RateLimitResult:
    """Count one attempt for (scope, key). Allowed while the count is at most `limit`."""
    base = _cache_key(scope, key)
    now = time.time()
    cache.add(f"{base}:t", now, timeout=window)
    cache.add(f"{base}:n", 0, timeout=window)
    try:
        count = cache.incr(f"{base}:n")
    except ValueError:  # expired between add and incr
        cache.set(f"{base}:n", 1, timeout=window)
        count = 1
    started_at = cache.get(f"{base}:t")
    return RateLimitResult(
        allowed=count <= limit, count=count, limit=limit,
        retry_after=_seconds_left(started_at, window, now),
    )


def rate_limit_peek(*, scope: str, key: str, limit: int, window: int) -> RateLimitResult:
    """The state of (scope, key) without counting: blocked once `limit` attempts were made."""
    base = _cache_key(scope, key)
    count = cache.get(f"{base}:n") or 0
    started_at = cache.get(f"{base}:t")
    return RateLimitResult(
        allowed=count < limit, count=count, limit=limit,
        retry_after=_seconds_left(started_at, window, time.time()) if count else 0,
    )


def rate_limit_reset(*, scope: str, key: str) -> None:
    base = _cache_key(scope, key)
    cache.delete_many([f"{base}:n", f"{base}:t"])


# --- per-account lockout -------------------------------------------------------------


def lockout_remaining(*, scope: str, key: str) -> int:
    """Seconds left of a lockout of (scope, key); 0 when not locked."""
    until = cache.get(f"{_cache_key(scope, key)}:lock")
    if until is None:
        return 0
    return max(0, math.ceil(until - time.time()))


def lockout_failure(*, scope: str, key: str, attempts: int, seconds: int) -> int:
    """Record one failure; after `attempts` failures within `seconds` the key is locked
    for `seconds`. Returns the seconds of lockout now in force (0 when not locked)."""
    result = rate_limit_hit(scope=scope, key=key, limit=attempts, window=seconds)
    if result.count >= attempts:
        cache.set(f"{_cache_key(scope, key)}:lock", time.time() + seconds, timeout=seconds)
        rate_limit_reset(scope=scope, key=key)
        return seconds
    return 0


def lockout_clear(*, scope: str, key: str) -> None:
    """Forget failures and lift a lockout (successful login or password reset)."""
    rate_limit_reset(scope=scope, key=key)
    cache.delete(f"{_cache_key(scope, key)}:lock")


# --- settings ---------------------------------------------------------------------


def ip_limit_settings() -> tuple[int, int]:
    portal = settings.PORTAL
    return portal.get("RATE_LIMIT_PER_IP", 5), portal.get("RATE_LIMIT_WINDOW_SECONDS", 300)


def lockout_settings() -> tuple[int, int]:
    portal = settings.PORTAL
    return portal.get("LOGIN_LOCKOUT_ATTEMPTS", 5), portal.get("LOGIN_LOCKOUT_SECONDS", 900)


# --- responses --------------------------------------------------------------------


def too_many_requests(request, *, retry_after: int, reason: str = "ip",
                      template: str = "accounts/rate_limited.html"):
    """HTTP 429 with a clear Japanese page and a Retry-After header (seconds)."""
    retry_after = max(1, int(retry_after))
    response = render(request, template, {
        "retry_after": retry_after,
        "retry_minutes": max(1, math.ceil(retry_after / 60)),
        "reason": reason,
    }, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def ip_rate_limit(scope: str, *, methods: tuple[str, ...] = ("POST",)):
    """Limit the given methods of a view per client IP (every request counts)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                limit, window = ip_limit_settings()
                result = rate_limit_hit(scope=scope, key=client_ip(request), limit=limit,
                                        window=window)
                if not result.allowed:
                    return too_many_requests(request, retry_after=result.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
