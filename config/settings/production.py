"""Production settings: refuse to start without a real secret or a shared cache; HTTPS
everywhere."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import CACHES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# The login, TOTP, sign-up and assistant limits, the bulk import's preview and the metrics
# live in the default cache. A per-process cache (local memory, the embedded default)
# would count them per gunicorn worker (3 workers: 15 logins instead of 5) and lose a
# preview answered by another worker, so production needs a cache every worker and
# every app node shares: Redis (REDIS_URL, or CACHE_URL=rediscache://…), Django's
# database cache (CACHE_URL=dbcache://portal_cache; `migrate` creates its table).
SHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.db.DatabaseCache",
}
if CACHES["default"]["BACKEND"] not in SHARED_CACHE_BACKENDS:
    raise ImproperlyConfigured(
        "Production needs a cache shared by every worker: set REDIS_URL (Redis) or "
        "CACHE_URL (rediscache://…, or dbcache://portal_cache for Django's database cache); "
        f"{CACHES['default']['BACKEND']} keeps the rate limits per process."
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes and Prometheus scrape the app directly over HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Sessions shared by every app node: in the database, read through the shared cache
# (not through the database cache: that would be the database twice).
_database_cache = CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends."
                     + ("db" if _database_cache else "cached_db"))
