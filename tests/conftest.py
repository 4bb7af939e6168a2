from pathlib import Path

import pytest

from directory.masters.services import masters_load


@pytest.fixture(autouse=True)
def _fresh_versioned_caches():
    """Values built from rows (config/versioned_cache.py: masters, site settings) never
    outlive a test's rolled-back rows."""
    from config.versioned_cache import VersionedCache

    VersionedCache.clear_all()
    yield
    VersionedCache.clear_all()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """For a module-scoped fixture that makes rows once for all the tests of a module:
    they are written in a transaction that each test's own transaction nests in (a
    savepoint, as Django's TestCase.setUpTestData does) and that is rolled back after
    the module. Only for modules without transactional (transaction=True) tests."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            masters_load()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def masters(db):
    """The reference masters (43 municipalities, genres, programmes…), loaded without
    Wagtail's reference index: indexing each master's references was two thirds of the
    ~1,000 queries this fixture made per test (a test that needs the index of masters
    saves them itself, e.g. tests/directory/masters/test_admin_delete.py)."""
    from wagtail.signal_handlers import disable_reference_index_auto_update

    with disable_reference_index_auto_update():
        masters_load()


@pytest.fixture
def osaka_city(masters):
    from directory.masters.models import Municipality

    return Municipality.objects.get(code="271004")


@pytest.fixture
def sakai_city(masters):
    from directory.masters.models import Municipality

    return Municipality.objects.get(code="271403")


# The database's rows right after migrate (data migrations: Wagtail's root and home
# page, Site, role groups…), taken before any transactional test ran.
_SNAPSHOT = {}


def _plain_transactional(item) -> bool:
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transaction, _reset, _databases, serialized_rollback, _apps = validate_django_db(marker)
    return transaction and not serialized_rollback


def _restore_migration_data(connection, contents: str) -> None:
    """Empty the database and put back `contents` (Django's serialized JSON) with the
    same ids, as a serialized rollback would, and move the sequences past them."""
    import json

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.core.management.color import no_style

    call_command("flush", database=connection.alias, interactive=False,
                 inhibit_post_migrate=True, verbosity=0)
    # Content types first, then a cache that matches them: Wagtail's Task.__init__ looks
    # its content type up while rows are rebuilt, and a cache miss would insert a row
    # that collides with the one restored later.
    for entry in json.loads(contents):
        if entry["model"] == "contenttypes.contenttype":
            ContentType.objects.using(connection.alias).create(pk=entry["pk"], **entry["fields"])
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_models(*apps.get_models())
    ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)
    connection.creation.deserialize_db_from_string(contents)
    statements = connection.ops.sequence_reset_sql(
        no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last of a folder's plain transactional tests (backups: pg_dump only sees
    committed data; member numbers: concurrent sequences), put the migration data back. Django flushes the database
    after a transactional test and then runs post_migrate, which recreates groups and
    content types with new ids: later tests would miss the home page and Site, and
    a serialized-rollback test (the browser tests) would collide with
    those rows when it puts its own back."""
    yield
    if not _plain_transactional(item) or nextitem is None:
        # The last test of the session: the session fixtures were torn down inside the
        # yield; _migration_data_snapshot restored the data before that (and the test
        # database may be gone already with --create-db).
        return
    if nextitem is not None and _plain_transactional(nextitem) and (
            nextitem.path.parent == item.path.parent):
        return  # another one follows: restore once, after the last
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    contents = getattr(connection, "_test_serialized_contents", None) or _SNAPSHOT.get("default")
    if not contents:
        return
    with item.config.stash[blocking_manager_key].unblock():
        _restore_migration_data(connection, contents)


@pytest.fixture(scope="session", autouse=True)
def _migration_data_snapshot(request, django_db_blocker):
    """Snapshot the migration data for the restore above (when no test of the session
    asked pytest-django for serialized rollback, nothing else has); and drop a kept
    (--reuse-db) test database (PostgreSQL, or SQLite's file) that is nevertheless left without it, so the
    next run creates it again instead of failing. A session without plain transactional
    tests needs neither; one without database tests at all (`make scaleout`) must not
    touch the connection, which then names the real database of DATABASE_URL."""
    if not any(_plain_transactional(item) for item in request.session.items):
        yield
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connection
    from wagtail.models import Page

    with django_db_blocker.unblock():
        if not getattr(connection, "_test_serialized_contents", None) and Page.objects.exists():
            _SNAPSHOT["default"] = connection.creation.serialize_db_to_string()
    yield
    name = connection.settings_dict["NAME"]
    in_memory = connection.vendor == "sqlite" and connection.creation.is_in_memory_db(name)
    if in_memory or not request.config.getoption("reuse_db", False):
        return
    with django_db_blocker.unblock():
        if Page.objects.exists():
            return
        contents = getattr(connection, "_test_serialized_contents", None) or _SNAPSHOT.get(
            "default")
        if contents:  # the session ended with a plain transactional test: restore here
            _restore_migration_data(connection, contents)
            return
        connection.close()
        if connection.vendor == "sqlite":
            Path(name).unlink(missing_ok=True)
            return
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")
