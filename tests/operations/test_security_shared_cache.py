"""Issue 16, finding 7: production refuses to start without a cache shared by every
worker (the limits would otherwise be counted per gunicorn worker), as it refuses a weak
SECRET_KEY. The scale-out stack proves the shared counting with real workers
(tests/operations/test_scaleout.py)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
CACHE_VARIABLES = ("REDIS_URL", "CACHE_URL")
READ_SETTINGS = (
    "import config.settings.production as p;"
    "print(p.CACHES['default']['BACKEND']);"
    "print(p.SESSION_ENGINE)"
)


def _production(**variables):
    env = {key: value for key, value in os.environ.items() if key not in CACHE_VARIABLES}
    env.update({"SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "passport.example.jp",
                **variables})
    return subprocess.run([sys.executable, "-c", READ_SETTINGS], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("variables", [
    {},  # the embedded default: local memory, per process
    {"CACHE_URL": "locmemcache://"},
    {"CACHE_URL": "filecache:///tmp/portal-cache"},  # per host, not per cluster
    {"CACHE_URL": "dummycache://"},
])
def test_production_refuses_a_cache_of_one_process(variables):
    result = _production(**variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Production needs a cache shared by every worker" in result.stderr


@pytest.mark.parametrize("variables, backend, sessions", [
    ({"REDIS_URL": "redis://127.0.0.1:6379/1"}, "django.core.cache.backends.redis.RedisCache",
     "django.contrib.sessions.backends.cached_db"),
    ({"CACHE_URL": "rediscache://127.0.0.1:6379/1"}, "django_redis.cache.RedisCache",
     "django.contrib.sessions.backends.cached_db"),
    ({"CACHE_URL": "dbcache://portal_cache"}, "django.core.cache.backends.db.DatabaseCache",
     "django.contrib.sessions.backends.db"),
])
def test_production_starts_with_a_shared_cache(variables, backend, sessions):
    result = _production(**variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [backend, sessions]


def test_a_weak_secret_key_is_still_refused_first():
    result = _production(REDIS_URL="redis://127.0.0.1:6379/1", SECRET_KEY="short")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_migrate_creates_the_database_cache_table():
    """With CACHE_URL=dbcache://… the table exists after `migrate`, with no extra step, and
    the cache works (a limit counted through it)."""
    from django.core.management import call_command

    from directory.accounts import ratelimit

    database_cache = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                  "LOCATION": "portal_test_cache"}}
    try:
        with override_settings(CACHES=database_cache):  # Django resets the cache handler
            assert "portal_test_cache" not in connection.introspection.table_names()
            call_command("migrate", "operations", verbosity=0)
            assert "portal_test_cache" in connection.introspection.table_names()
            results = [ratelimit.rate_limit_hit(scope="t", key="198.51.100.1", limit=2,
                                                window=60).allowed for _ in range(3)]
            assert results == [True, True, False]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS portal_test_cache")


def test_the_docker_build_step_satisfies_production_settings():
    """The image runs collectstatic under production settings at build time, with
    build-only values: they must include a shared cache, or the build fails."""
    import re

    text = (ROOT / "docker" / "Dockerfile").read_text()
    step = re.search(r"^RUN ((?:\w+=\S+ \\?\s*)+)python manage.py collectstatic", text, re.M)
    assert step, "the collectstatic step"
    variables = dict(re.findall(r"(\w+)=(\S+)", step.group(1)))
    assert "REDIS_URL" in variables or "CACHE_URL" in variables
    result = _production(**variables)
    assert result.returncode == 0, result.stderr
