"""Maintenance mode: a Japanese notice with 503 and Retry-After for the public site,
while /admin/, /healthz and /readyz (and static files) stay reachable.

It is on when any of these holds:

* the setting ``MAINTENANCE_MODE`` is true (environment ``MAINTENANCE_MODE=true``);
* the flag file ``MAINTENANCE_FLAG_FILE`` exists (default ``var/maintenance.on``:
  one host);
* the cache key ``MAINTENANCE_CACHE_KEY`` is set (shared by every app node that
  uses the same Redis cache).

``manage.py maintenance on|off|status`` switches the file and the cache flag
together. The cache is asked at most every ``MAINTENANCE_CHECK_SECONDS`` (2 s) per
process so that a normal request costs no extra round trip to Redis.
"""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

CACHE_KEY_DEFAULT = "portal:maintenance"
_memo = {"checked_at": 0.0, "state": None}


def flag_file() -> Path:
    return Path(getattr(settings, "MAINTENANCE_FLAG_FILE",
                        Path(settings.BASE_DIR) / "var" / "maintenance.on"))


def cache_key() -> str:
    return getattr(settings, "MAINTENANCE_CACHE_KEY", CACHE_KEY_DEFAULT)


def forget():
    """Drop this process's memo (after switching, and in tests)."""
    _memo["checked_at"] = 0.0
    _memo["state"] = None


def _read_file(path: Path):
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def maintenance_state():
    """None when the site is open, else a dict (possibly with "retry_after", "message")."""
    if getattr(settings, "MAINTENANCE_MODE", False):
        return {}
    state = _read_file(flag_file())
    if state is not None:
        return state
    interval = getattr(settings, "MAINTENANCE_CHECK_SECONDS", 2)
    now = time.monotonic()
    if now - _memo["checked_at"] >= interval:
        try:
            _memo["state"] = cache.get(cache_key())
        except Exception:  # noqa: BLE001 - a cache outage must not close the site
            _memo["state"] = None
        _memo["checked_at"] = now
    return _memo["state"]


def maintenance_set(on: bool, *, retry_after: int | None = None, message: str = ""):
    path = flag_file()
    if on:
        data = {"retry_after": retry_after, "message": message}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        cache.set(cache_key(), data, timeout=None)
    else:
        path.unlink(missing_ok=True)
        cache.delete(cache_key())
    forget()


def _exempt(path: str) -> bool:
    prefixes = getattr(settings, "MAINTENANCE_EXEMPT_PREFIXES",
                       ("/admin/", "/healthz", "/readyz", "/metrics", settings.STATIC_URL))
    return any(path.startswith(prefix) for prefix in prefixes if prefix)


class MaintenanceModeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _exempt(request.path):
            return self.get_response(request)
        state = maintenance_state()
        if state is None:
            return self.get_response(request)
        retry_after = state.get("retry_after") or getattr(
            settings, "MAINTENANCE_RETRY_AFTER", 3600)
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string("staffauth/maintenance.html", {
                "message": state.get("message", ""),
                "retry_after_minutes": max(1, int(retry_after) // 60),
                "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
                "STATIC_URL": settings.STATIC_URL,
                "LANGUAGE_CODE": settings.LANGUAGE_CODE,
            }, request=None)
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = str(int(retry_after))
        response["Cache-Control"] = "no-store"
        return response
