"""Backups: generations, retention, restore, verification and failures.

The tests run on the suite's database, SQLite or PostgreSQL (DATABASE_URL): the
backup reads what is committed (pg_dump is another process), so they use a
transactional database; restores go into a fresh scratch database or file, never
into the test database.
"""

import errno
import fcntl
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from directory.masters.services import masters_load
from directory.shops.models import Shop
from operations import backup
from operations.backup import (
    BackupError,
    backup_check,
    backup_create,
    backup_generations,
    backup_get,
    backup_restore,
    database_is_empty,
    scratch_database,
    table_counts,
)
from operations.management.commands import restore as restore_command
from tests.factories import MemberFactory, ShopFactory

# Transactional: the data must be committed for pg_dump to see it. The database is
# flushed afterwards (see tests/operations/conftest.py for what follows from that).
pytestmark = pytest.mark.django_db(transaction=True)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def data(backup_dir):
    masters_load()
    ShopFactory.create_batch(3)
    MemberFactory()
    return backup_dir


def _tmp_folders(root):
    return [path.name for path in root.iterdir() if path.name.startswith(".tmp-")]


def test_nine_backups_keep_seven_and_the_oldest_restores_with_the_same_row_counts(
    data, tmp_path
):
    names = []
    for _ in range(9):
        ShopFactory()  # each generation holds one more shop than the one before
        out, _err = run("backup")
        assert "written to" in out
        names.append(backup_generations()[-1].name)

    kept = backup_generations()
    assert len(kept) == 7
    assert [generation.name for generation in kept] == names[2:]
    assert sorted(path.name for path in data.iterdir() if not path.name.startswith(".")) == sorted(
        names[2:])

    oldest = kept[0]
    assert oldest.manifest["tables"]["shops_shop"] == 3 + 3
    assert kept[-1].manifest["tables"]["shops_shop"] == 3 + 9
    assert oldest.manifest["database"]["vendor"] == connection.vendor
    applied = sorted(name for app, name in MigrationRecorder(connection).applied_migrations()
                     if app == "operations")
    assert "0001_initial" in applied
    assert oldest.manifest["migrations"]["operations"] == applied
    assert {entry["name"] for entry in oldest.manifest["files"]} == {
        backup.DATABASE_FILES[connection.vendor], backup.MEDIA_ARCHIVE}
    assert oldest.manifest["media"]["files"] == 2

    restored_media = tmp_path / "restored-media"
    with scratch_database() as target:
        assert database_is_empty(target)
        result = backup_restore(name=oldest.name, settings_dict=target, media_root=restored_media)
        assert table_counts(target) == oldest.manifest["tables"]
    assert result.rows == oldest.rows_total
    assert (restored_media / "documents" / "guide.pdf").read_bytes() == b"%PDF-1.7 guide"
    assert (restored_media / "original_images" / "shop.jpg").exists()


def test_restore_command_into_an_empty_database_and_refusal_of_a_non_empty_one(
    data, monkeypatch, tmp_path
):
    backup_create()
    name = backup_generations()[-1].name
    shops_before = Shop.objects.count()

    # The test database is not empty: refused, nothing touched.
    with pytest.raises(CommandError, match="not empty"):
        run("restore", name, "--noinput", "--skip-media")
    assert Shop.objects.count() == shops_before

    # Into an empty scratch database through the command (its target swapped in).
    real_restore = backup.backup_restore
    with scratch_database() as target:
        monkeypatch.setattr(restore_command, "backup_restore",
                            lambda **kwargs: real_restore(settings_dict=target, **kwargs))
        out, _err = run("restore", name, "--noinput", "--skip-media")
        assert f"Restored generation {name}" in out
        assert table_counts(target)["shops_shop"] == shops_before
        # Again, now that it is not empty: refused without --force, replaced with it.
        with pytest.raises(CommandError, match="not empty"):
            run("restore", name, "--noinput", "--skip-media")
        run("restore", name, "--force", "--noinput", "--skip-media")
        assert table_counts(target) == backup_get(name).manifest["tables"]


def test_force_asks_for_confirmation(data, monkeypatch):
    backup_create()
    name = backup_generations()[-1].name
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        run("restore", name, "--force")


@pytest.mark.parametrize("damage", ["truncate", "corrupt", "delete", "manifest"])
def test_a_damaged_generation_is_refused_and_nothing_is_touched(data, damage, monkeypatch):
    backup_create()
    generation = backup_generations()[-1]
    database_file = generation.path / backup.DATABASE_FILES[connection.vendor]
    if damage == "truncate":
        content = database_file.read_bytes()
        database_file.write_bytes(content[: len(content) // 2])
        expected = "truncated"
    elif damage == "corrupt":
        archive = generation.path / backup.MEDIA_ARCHIVE
        content = bytearray(archive.read_bytes())
        content[len(content) // 2] ^= 0xFF
        archive.write_bytes(bytes(content))
        expected = "corrupted"
    elif damage == "delete":
        database_file.unlink()
        expected = "missing"
    else:
        (generation.path / backup.MANIFEST).write_text('{"format": 1, "created_at": ')
        expected = "unreadable"

    with scratch_database() as target:
        real_restore = backup.backup_restore
        monkeypatch.setattr(restore_command, "backup_restore",
                            lambda **kwargs: real_restore(settings_dict=target, **kwargs))
        with pytest.raises(CommandError, match=expected):
            run("restore", generation.name, "--noinput")
        assert database_is_empty(target)

    with pytest.raises(CommandError, match=expected):
        run("backup", "--verify", generation.name)


def test_bad_generation_names_are_refused(data):
    for name in ("../etc", "20260101T000000Z/../../x", "latest", ""):
        with pytest.raises(CommandError, match="not a generation name"):
            run("restore", name, "--noinput")
    with pytest.raises(CommandError, match="no generation"):
        run("restore", "20000101T000000Z", "--noinput")
    with pytest.raises(CommandError, match="not a generation name"):
        run("backup", "--verify", "../../etc/passwd")
    with pytest.raises(CommandError, match="at least 1"):
        run("backup", "--keep", "0")


@pytest.mark.parametrize("step", ["_write_media_archive", "_write_manifest", "_dump_database"])
def test_disk_full_leaves_previous_generations_intact_and_no_half_generation(
    data, settings, monkeypatch, step
):
    settings.BACKUP_KEEP = 2
    backup_create()
    ShopFactory()
    backup_create()
    before = backup_generations()
    assert len(before) == 2

    original = getattr(backup, step)

    def disk_full(*args, **kwargs):
        if step == "_write_manifest":  # a partial file first, as a full disk would leave
            args[0].write_text('{"format": 1, "crea')
        elif step == "_write_media_archive":
            original(*args, **kwargs)  # the archive is written, the disk fills up after
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, step, disk_full)
    with pytest.raises(CommandError, match="no space left on device"):
        run("backup")

    after = backup_generations()
    assert [generation.name for generation in after] == [generation.name for generation in before]
    assert all(backup_check(generation) == [] for generation in after)
    assert _tmp_folders(data) == []


def test_a_folder_left_by_a_crash_is_ignored_and_cleaned_up(data):
    leftover = data / ".tmp-20260101T000000Z-crashed"
    leftover.mkdir(parents=True)
    (leftover / "database.dump").write_bytes(b"half")
    assert backup_generations() == []
    backup_create()
    assert not leftover.exists()
    assert len(backup_generations()) == 1


def test_only_one_backup_runs_at_a_time(data):
    data.mkdir(parents=True, exist_ok=True)
    with open(data / backup.LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(BackupError, match="another backup is running"):
            backup_create()
    assert backup_generations() == []


def test_list_shows_generations_newest_first(data):
    out, _err = run("backup", "--list")
    assert "No backup generations" in out

    backup_create()
    ShopFactory()
    backup_create()
    (data / "20000101T000000Z").mkdir()  # a folder with no manifest
    out, err = run("backup", "--list")
    generations = backup_generations()
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["generation", "taken"]
    assert lines[1].startswith(generations[1].name)
    assert lines[2].startswith(generations[0].name)
    assert str(generations[1].rows_total) in lines[1]
    assert "2 generation(s)" in out
    assert "20000101T000000Z: no valid manifest" in err


def test_verify_reports_ok_or_the_differences(data):
    backup_create()
    generation = backup_generations()[-1]
    out, _err = run("backup", "--verify", generation.name)
    assert f"Generation {generation.name} OK" in out

    # A manifest that disagrees with its dump (checksums of the files still match).
    manifest = json.loads((generation.path / backup.MANIFEST).read_text())
    manifest["tables"]["shops_shop"] += 1
    (generation.path / backup.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="FAILED") as failure:
        run("backup", "--verify", generation.name)
    assert "shops_shop" in str(failure.value)

    if connection.vendor == "postgresql":  # the scratch database was dropped
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_database WHERE datname LIKE %s",
                           [f"{connection.settings_dict['NAME'][:40]}_verify_%"])
            assert cursor.fetchone()[0] == 0


def test_the_daily_task_takes_a_backup(data):
    from operations.tasks import backup_daily

    name = backup_daily()
    assert [generation.name for generation in backup_generations()] == [name]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is for PostgreSQL")
def test_pg_dump_gets_the_password_from_the_environment_only(data, monkeypatch, settings):
    calls = []
    real_run = backup._run

    def spy(args, *, env, what):
        calls.append((args, env))
        return real_run(args, env=env, what=what)

    monkeypatch.setattr(backup, "_run", spy)
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "pg-secret-password")
    backup_create()
    dump_calls = [(args, env) for args, env in calls if "--format=custom" in args]
    assert dump_calls
    for args, env in dump_calls:
        assert not any("pg-secret-password" in arg for arg in args)
        assert env["PGPASSWORD"] == "pg-secret-password"
        assert env["PGDATABASE"] == connection.settings_dict["NAME"]
