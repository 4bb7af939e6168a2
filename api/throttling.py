"""Throttles of the API (DRF throttles counting in the cache).

- `IPThrottle`: every request, per client IP (REMOTE_ADDR, see
  directory/accounts/ratelimit.py about proxies).
- `TokenThrottle`: per bearer token; a session-authenticated request counts
  against its user. Anonymous requests are limited by the IP throttle only.

Rates: settings.API_THROTTLE_RATES ({"ip": "600/minute", "token": "1200/minute"}).
A throttled request gets 429 with Retry-After (api/problems.py).

The login and sign-up endpoints are limited further, exactly as the web forms,
by directory/accounts (per IP, per address, per-account lockout): see api/auth.py
and api/users.py.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from directory.accounts.ratelimit import client_ip


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        rates = getattr(settings, "API_THROTTLE_RATES", {})
        return rates.get(self.scope)


class IPThrottle(_SettingsRateThrottle):
    scope = "ip"
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class TokenThrottle(_SettingsRateThrottle):
    scope = "token"
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is not None and hasattr(token, "pk"):
            ident = f"t{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
