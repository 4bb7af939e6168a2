"""Test settings: the same as base, with fast hashing and the in-memory outbox.

`make test` runs on several pytest-xdist workers: each has its own test database
(pytest-django adds the worker id to its name) and its own files below."""

import os

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, DATABASES, env

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
(BASE_DIR / "var").mkdir(exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so --reuse-db (the default) keeps the migrated database between
    # runs; nothing needs to survive a crash, so no fsync and no WAL file.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;")
else:
    # PostgreSQL: a test database need not wait for its WAL to reach the disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

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
MAINTENANCE_FLAG_FILE = BASE_DIR / "var" / f"test-maintenance-{WORKER}.on"
BACKUP_DIR = BASE_DIR / "var" / "test-backups" / WORKER
