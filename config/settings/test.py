"""Test settings: the same as base, with fast hashing and the in-memory outbox."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = "test-secret-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
# Tasks run inline in tests so a test sees their effect; the real worker is used by `make run`.
Q_CLUSTER = {"name": "portal-test", "sync": True, "orm": "default", "timeout": 60, "retry": 120}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = env("BASE_URL", default="http://testserver")
# Feature tests sign staff in without a phone; tests/operations/test_security_twofactor.py
# turns the TOTP step on (production and `make run` have it on: base.py).
STAFF_TWO_FACTOR_REQUIRED = env.bool("STAFF_TWO_FACTOR_REQUIRED", default=False)
MAINTENANCE_FLAG_FILE = BASE_DIR / "var" / "test-maintenance.on"  # noqa: F405
# Static files through the app as `make run` serves them (WhiteNoise finds them in the
# apps' static/ folders; production serves the collected, hashed copies).
WHITENOISE_USE_FINDERS = True
