"""Backups: one generation per run, the newest BACKUP_KEEP kept.

A generation is a folder of settings.BACKUP_DIR named by its UTC time
(``20260301T180000Z``; ``-1``, ``-2``… when two fall in the same second):

    manifest.json      created_at, database vendor, migration state, per-table
                       row counts, and every file below with its sha256 and size
    database.dump      PostgreSQL: ``pg_dump --format=custom``
    database.sqlite3   SQLite: a copy made with the online backup API
    media.tar.gz       MEDIA_ROOT (uploaded images and documents)

How a generation is written: everything goes to a hidden temporary folder in
BACKUP_DIR (``.tmp-…``), the files are read back and checked against the
manifest, and only then is the folder renamed to its final name (an atomic
rename on the same file system). Older generations are deleted only after
that. A failure at any point (a full disk, pg_dump failing) removes the
temporary folder and leaves the previous generations untouched; a crash leaves
a ``.tmp-…`` folder that the next run removes. Listing ignores such folders.

PostgreSQL consistency: the row counts come from the same snapshot as the
dump (a REPEATABLE READ transaction exports its snapshot and pg_dump runs with
``--snapshot``), so a backup taken while the site is busy still verifies. The
password goes to pg_dump/pg_restore in the PGPASSWORD environment variable,
the host, port, user and database in PGHOST/PGPORT/PGUSER/PGDATABASE; nothing
about the connection is on the command line (``ps`` shows only options).

Restoring (``restore``) and verifying (``verify``) check every checksum first:
a corrupted or truncated generation is refused before anything is touched.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
GENERATION_NAME = re.compile(r"^\d{8}T\d{6}Z(?:-\d{1,3})?$")
TEMPORARY_PREFIX = ".tmp-"
LOCK_FILE = ".lock"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup, restore or verification could not be done; the message says why."""


@dataclass(frozen=True)
class Generation:
    name: str
    path: Path
    manifest: dict

    @property
    def created_at(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.manifest["created_at"])

    @property
    def size(self) -> int:
        return sum(int(entry.get("size", 0)) for entry in self.manifest.get("files", []))

    @property
    def rows_total(self) -> int:
        return int(self.manifest.get("rows_total", 0))

    @property
    def vendor(self) -> str:
        return self.manifest.get("database", {}).get("vendor", "")


@dataclass
class BackupResult:
    generation: Generation
    removed: list[str] = field(default_factory=list)


@dataclass
class VerifyResult:
    generation: str
    differences: list[str]
    tables: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences


# --- settings and paths -----------------------------------------------------------------------


def backup_root() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", Path(settings.BASE_DIR) / "var" / "backups"))


def backup_keep() -> int:
    return int(getattr(settings, "BACKUP_KEEP", 7))


def _tool(name: str) -> str:
    """pg_dump / pg_restore, from BACKUP_PG_BIN_DIR when set (e.g. /usr/lib/postgresql/15/bin)."""
    bin_dir = getattr(settings, "BACKUP_PG_BIN_DIR", "") or ""
    return str(Path(bin_dir) / name) if bin_dir else name


def _vendor(settings_dict: dict) -> str:
    engine = settings_dict.get("ENGINE", "")
    if "postgresql" in engine or "postgis" in engine:
        return "postgresql"
    if "sqlite3" in engine or "spatialite" in engine:
        return "sqlite"
    return engine.rsplit(".", 1)[-1]


def _check_vendor(vendor: str) -> None:
    if vendor not in DATABASE_FILES:
        raise BackupError(f"backups support PostgreSQL and SQLite databases, not {vendor!r}")


@contextlib.contextmanager
def _locked(root: Path, *, exclusive: bool) -> Iterator[None]:
    """One backup at a time per BACKUP_DIR; restore and verify wait for it to finish."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+") as handle:
        try:
            if exclusive:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                fcntl.flock(handle, fcntl.LOCK_SH)
        except BlockingIOError as error:
            raise BackupError(f"another backup is running in {root}") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- reading generations ----------------------------------------------------------------------


def _read_manifest(path: Path) -> dict:
    try:
        with open(path / MANIFEST, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except FileNotFoundError as error:
        raise BackupError(f"{path.name}: no {MANIFEST} (not a complete generation)") from error
    except (OSError, ValueError) as error:
        raise BackupError(f"{path.name}: {MANIFEST} is unreadable ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{path.name}: {MANIFEST} is not a format {FORMAT_VERSION} manifest")
    try:
        datetime.datetime.fromisoformat(manifest["created_at"])
        files = manifest["files"]
        if not isinstance(files, list) or not all(
            isinstance(entry, dict) and {"name", "sha256", "size"} <= entry.keys()
            for entry in files
        ):
            raise ValueError("files")
        if not isinstance(manifest["tables"], dict):
            raise ValueError("tables")
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"{path.name}: {MANIFEST} lacks a valid {error}") from error
    return manifest


def _sort_key(generation: Generation):
    return (generation.created_at, generation.name)


def backup_generations(root: Path | None = None) -> list[Generation]:
    """The complete generations, oldest first (folders without a valid manifest are left out)."""
    root = root or backup_root()
    if not root.is_dir():
        return []
    generations = []
    for path in root.iterdir():
        if not path.is_dir() or not GENERATION_NAME.match(path.name):
            continue
        try:
            generations.append(Generation(path.name, path, _read_manifest(path)))
        except BackupError:
            continue
    return sorted(generations, key=_sort_key)


def backup_invalid_folders(root: Path | None = None) -> list[str]:
    """Generation-named folders whose manifest is missing or unreadable (for --list)."""
    root = root or backup_root()
    if not root.is_dir():
        return []
    valid = {generation.name for generation in backup_generations(root)}
    return sorted(
        path.name for path in root.iterdir()
        if path.is_dir() and GENERATION_NAME.match(path.name) and path.name not in valid
    )


def backup_get(name: str, root: Path | None = None) -> Generation:
    """The generation called `name`; BackupError for a bad name or a missing folder."""
    if not isinstance(name, str) or not GENERATION_NAME.match(name):
        raise BackupError(f"{name!r} is not a generation name (like 20260301T180000Z)")
    root = root or backup_root()
    path = root / name
    if not path.is_dir():
        raise BackupError(f"no generation {name} in {root}")
    return Generation(name, path, _read_manifest(path))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def backup_check(generation: Generation) -> list[str]:
    """Every file of the manifest present, of the recorded size and sha256; the
    problems found (an empty list when the generation is intact)."""
    problems = []
    names = set()
    for entry in generation.manifest["files"]:
        name = entry["name"]
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            problems.append(f"the manifest names an invalid file {name!r}")
            continue
        names.add(name)
        path = generation.path / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        size = path.stat().st_size
        if size != entry["size"]:
            problems.append(f"{name}: {size} bytes, the manifest says {entry['size']} (truncated?)")
            continue
        if _sha256(path) != entry["sha256"]:
            problems.append(f"{name}: checksum differs from the manifest (corrupted)")
    database_file = DATABASE_FILES.get(generation.vendor)
    if database_file is None:
        problems.append(f"unknown database vendor {generation.vendor!r} in the manifest")
    elif database_file not in names:
        problems.append(f"the manifest lists no {database_file}")
    if MEDIA_ARCHIVE not in names:
        problems.append(f"the manifest lists no {MEDIA_ARCHIVE}")
    return problems


# --- PostgreSQL helpers -----------------------------------------------------------------------

_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def _pg_env(settings_dict: dict) -> dict:
    """The environment for pg_dump/pg_restore: the connection comes from PG* variables
    (the password in PGPASSWORD), so nothing of it is on the command line."""
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
    for option, variable in _PG_OPTION_ENV.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    env["PGAPPNAME"] = "portal-backup"
    env["PGCONNECT_TIMEOUT"] = env.get("PGCONNECT_TIMEOUT", "30")
    return env


def _run(args: list[str], *, env: dict, what: str) -> subprocess.CompletedProcess:
    try:
        completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{args[0]} is not installed (set BACKUP_PG_BIN_DIR?)") from error
    if completed.returncode != 0:
        message = (completed.stderr or completed.stdout or "").strip()[-2000:]
        raise BackupError(f"{what} failed (exit {completed.returncode}): {message}")
    return completed


def _tool_major(name: str) -> tuple[int, str]:
    completed = _run([_tool(name), "--version"], env=dict(os.environ), what=f"{name} --version")
    text = completed.stdout.strip()
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    if not match:
        raise BackupError(f"cannot read the version of {name}: {text!r}")
    return int(match.group(1)), text


def _pg_wrapper(settings_dict: dict, alias: str):
    wrapper_class = load_backend(settings_dict["ENGINE"]).DatabaseWrapper
    return wrapper_class({**settings_dict, "CONN_MAX_AGE": 0, "ATOMIC_REQUESTS": False}, alias)


def _table_counts_cursor(cursor, introspection, quote) -> dict[str, int]:
    counts = {}
    for table in sorted(introspection.table_names(cursor)):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - quoted identifier
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations_cursor(cursor, tables) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


def _pg_dump(folder: Path) -> tuple[dict, dict, dict]:
    settings_dict = connections["default"].settings_dict
    wrapper = _pg_wrapper(settings_dict, "__backup__")
    dump_path = folder / DATABASE_FILES["postgresql"]
    try:
        wrapper.ensure_connection()
        server_major = wrapper.pg_version // 10000
        tool_major, tool_version = _tool_major("pg_dump")
        if tool_major < server_major:
            raise BackupError(
                f"{tool_version} is older than the PostgreSQL {server_major} server: "
                f"install postgresql-client-{server_major} or set BACKUP_PG_BIN_DIR"
            )
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            # The dump and the row counts see the same snapshot.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run([_tool("pg_dump"), "--format=custom", "--no-password",
                  f"--snapshot={snapshot}", f"--file={dump_path}"],
                 env=_pg_env(settings_dict), what="pg_dump")
            tables = _table_counts_cursor(cursor, wrapper.introspection, wrapper.ops.quote_name)
            migrations = _migrations_cursor(cursor, tables)
        wrapper.rollback()
        info = {
            "vendor": "postgresql",
            "name": settings_dict.get("NAME", ""),
            "server_version": wrapper.pg_version,
            "tool": tool_version,
            "file": dump_path.name,
        }
        return info, tables, migrations
    finally:
        wrapper.close()


# --- SQLite helpers ---------------------------------------------------------------------------


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )]
    return {
        table: int(conn.execute(f"SELECT COUNT(*) FROM {_sqlite_quote(table)}").fetchone()[0])  # noqa: S608
        for table in sorted(tables)
    }


def _sqlite_migrations(conn: sqlite3.Connection, tables) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    state: dict[str, list[str]] = {}
    for app, name in conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
        state.setdefault(app, []).append(name)
    return state


def _sqlite_connect(name) -> sqlite3.Connection:
    name = str(name)
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _sqlite_dump(folder: Path) -> tuple[dict, dict, dict]:
    connection = connections["default"]
    connection.ensure_connection()
    copy_path = folder / DATABASE_FILES["sqlite"]
    target = sqlite3.connect(copy_path)
    try:
        # One step copies a consistent snapshot, even while other processes write.
        connection.connection.backup(target)
        # A standalone file: no -wal/-shm companions next to the backup.
        target.execute("PRAGMA journal_mode=DELETE")
        tables = _sqlite_counts(target)
        migrations = _sqlite_migrations(target, tables)
        target.commit()
    finally:
        target.close()
    info = {
        "vendor": "sqlite",
        "name": Path(str(connection.settings_dict.get("NAME", ""))).name,
        "server_version": sqlite3.sqlite_version,
        "tool": f"sqlite3 {sqlite3.sqlite_version} online backup API",
        "file": copy_path.name,
    }
    return info, tables, migrations


# --- writing a generation ---------------------------------------------------------------------


def _dump_database(folder: Path) -> tuple[dict, dict, dict]:
    vendor = connections["default"].vendor
    _check_vendor(vendor)
    if vendor == "postgresql":
        return _pg_dump(folder)
    return _sqlite_dump(folder)


def _write_media_archive(media_root: Path, destination: Path) -> dict:
    """MEDIA_ROOT as a tar.gz (regular files only; symbolic links are not followed)."""
    files = total = 0
    with tarfile.open(destination, "w:gz") as archive:
        if media_root.is_dir():
            for directory, subdirectories, names in os.walk(media_root, followlinks=False):
                subdirectories.sort()
                for name in sorted(names):
                    path = Path(directory) / name
                    if path.is_symlink() or not path.is_file():
                        continue
                    archive.add(path, arcname=path.relative_to(media_root).as_posix(),
                                recursive=False)
                    files += 1
                    total += path.stat().st_size
    return {"files": files, "bytes": total}


def _write_manifest(path: Path, manifest: dict) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unique_name(root: Path, created: datetime.datetime) -> str:
    base = created.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    name, counter = base, 0
    while (root / name).exists():
        counter += 1
        name = f"{base}-{counter}"
    return name


def _remove_stale_temporaries(root: Path) -> None:
    for path in root.glob(f"{TEMPORARY_PREFIX}*"):
        if path.is_dir():
            logger.warning("backup: removing %s left by an interrupted run", path.name)
            shutil.rmtree(path, ignore_errors=True)


def _prune(root: Path, keep: int) -> list[str]:
    generations = backup_generations(root)
    removed = []
    for generation in generations[: max(len(generations) - keep, 0)]:
        shutil.rmtree(generation.path)
        removed.append(generation.name)
    return removed


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "no space left on device"
    if isinstance(error, sqlite3.Error) and "full" in str(error).lower():
        return f"no space left on device ({error})"
    return str(error) or type(error).__name__


def backup_create(*, keep: int | None = None, now: datetime.datetime | None = None) -> BackupResult:
    """Write one generation of the default database and MEDIA_ROOT, then keep the
    newest `keep` (BACKUP_KEEP) generations. BackupError when anything fails, in
    which case nothing has changed in BACKUP_DIR."""
    keep = backup_keep() if keep is None else keep
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise BackupError("the number of generations to keep must be a whole number, at least 1")
    root = backup_root()
    with _locked(root, exclusive=True):
        _remove_stale_temporaries(root)
        created = (now or timezone.now()).astimezone(datetime.UTC)
        name = _unique_name(root, created)
        temporary = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{name}-", dir=root))
        try:
            database, tables, migrations = _dump_database(temporary)
            media = _write_media_archive(Path(settings.MEDIA_ROOT), temporary / MEDIA_ARCHIVE)
            media["root"] = str(settings.MEDIA_ROOT)
            files = [
                {"name": filename, "sha256": _sha256(temporary / filename),
                 "size": (temporary / filename).stat().st_size}
                for filename in (database["file"], MEDIA_ARCHIVE)
            ]
            manifest = {
                "format": FORMAT_VERSION,
                "generation": name,
                "created_at": created.isoformat(),
                "database": database,
                "django": django.get_version(),
                "migrations": migrations,
                "tables": tables,
                "rows_total": sum(tables.values()),
                "media": media,
                "files": files,
            }
            _write_manifest(temporary / MANIFEST, manifest)
            for entry in files:
                _fsync(temporary / entry["name"])
            # Read everything back before it counts as a generation.
            problems = backup_check(Generation(name, temporary, _read_manifest(temporary)))
            if problems:
                raise BackupError("the files just written do not match: " + "; ".join(problems))
            _fsync(temporary)
            os.rename(temporary, root / name)
            _fsync(root)
        except BaseException as error:
            shutil.rmtree(temporary, ignore_errors=True)
            if isinstance(error, BackupError | OSError | sqlite3.Error):
                raise BackupError(
                    f"backup failed: {_describe(error)}; no generation was written and the "
                    f"previous ones are untouched"
                ) from error
            raise
        generation = backup_get(name, root)
        removed = _prune(root, keep)
    logger.info("backup: wrote %s (%d rows, %d bytes), removed %s", name,
                generation.rows_total, generation.size, removed or "none")
    return BackupResult(generation=generation, removed=removed)


# --- scratch databases, restore, verify -------------------------------------------------------


@contextlib.contextmanager
def scratch_database() -> Iterator[dict]:
    """A new, empty database of the default database's kind, dropped afterwards; yields
    its settings dict. PostgreSQL: ``<name>_verify_<random>`` (needs CREATEDB);
    SQLite: a temporary file."""
    base = connections["default"].settings_dict
    vendor = _vendor(base)
    _check_vendor(vendor)
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="portal-verify-") as directory:
            yield {**base, "NAME": str(Path(directory) / "scratch.sqlite3"), "TEST": {}}
        return
    name = f"{str(base['NAME'])[:40]}_verify_{secrets.token_hex(4)}"
    default = connections["default"]
    quoted = default.ops.quote_name(name)
    with default._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quoted} TEMPLATE template0")
    try:
        yield {**base, "NAME": name, "TEST": {}}
    finally:
        with default._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def table_counts(settings_dict: dict) -> dict[str, int]:
    """Rows per table of the database described by `settings_dict`."""
    vendor = _vendor(settings_dict)
    _check_vendor(vendor)
    if vendor == "sqlite":
        conn = _sqlite_connect(settings_dict["NAME"])
        try:
            return _sqlite_counts(conn)
        finally:
            conn.close()
    wrapper = _pg_wrapper(settings_dict, "__backup_counts__")
    try:
        with wrapper.cursor() as cursor:
            return _table_counts_cursor(cursor, wrapper.introspection, wrapper.ops.quote_name)
    finally:
        wrapper.close()


def database_is_empty(settings_dict: dict) -> bool:
    """True when the database has no tables at all (PostgreSQL: in its search path)."""
    vendor = _vendor(settings_dict)
    _check_vendor(vendor)
    if vendor == "sqlite":
        name = str(settings_dict["NAME"])
        if not name.startswith("file:") and (
            not Path(name).exists() or Path(name).stat().st_size == 0
        ):
            return True
        conn = _sqlite_connect(name)
        try:
            return not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()
        finally:
            conn.close()
    wrapper = _pg_wrapper(settings_dict, "__backup_empty__")
    try:
        with wrapper.cursor() as cursor:
            return not wrapper.introspection.table_names(cursor)
    finally:
        wrapper.close()


def _restore_database(generation: Generation, settings_dict: dict, *, clear: bool) -> None:
    vendor = _vendor(settings_dict)
    database_file = generation.path / DATABASE_FILES[generation.vendor]
    if vendor == "sqlite":
        source = sqlite3.connect(f"{database_file.resolve().as_uri()}?mode=ro", uri=True)
        target = _sqlite_connect(settings_dict["NAME"])
        try:
            source.backup(target)  # replaces the whole target database in one transaction
        finally:
            target.close()
            source.close()
        return
    env = _pg_env(settings_dict)
    # The archive's table of contents must read before anything is dropped.
    _run([_tool("pg_restore"), "--list", str(database_file)], env=env, what="pg_restore --list")
    if clear:
        wrapper = _pg_wrapper(settings_dict, "__backup_clear__")
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE")
                cursor.execute("CREATE SCHEMA public")
        finally:
            wrapper.close()
    _run([_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error",
          "--single-transaction", "--no-password", f"--dbname={settings_dict['NAME']}",
          str(database_file)], env=env, what="pg_restore")


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = member.name
        if name.startswith(("/", "\\")) or ".." in Path(name).parts:
            raise BackupError(f"{MEDIA_ARCHIVE} holds an unsafe path {name!r}")
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"{MEDIA_ARCHIVE} holds a link or device {name!r}")
        members.append(member)
    return members


def _restore_media(generation: Generation, media_root: Path) -> int:
    with tarfile.open(generation.path / MEDIA_ARCHIVE, "r:gz") as archive:
        members = _safe_members(archive)
        media_root.mkdir(parents=True, exist_ok=True)
        archive.extractall(media_root, members=members, filter="data")
    return sum(1 for member in members if member.isfile())


@dataclass
class RestoreResult:
    generation: str
    tables: int
    rows: int
    media_files: int | None


def backup_restore(
    *,
    name: str,
    force: bool = False,
    settings_dict: dict | None = None,
    media: bool = True,
    media_root: Path | None = None,
) -> RestoreResult:
    """Restore generation `name` into the default database (or the one described by
    `settings_dict`) and its media into MEDIA_ROOT (or `media_root`).

    Refuses, before touching anything: a bad or unknown name, a generation whose
    files do not match their checksums, a database of another kind, and a target
    database that has tables (unless `force`, which replaces its contents)."""
    root = backup_root()
    with _locked(root, exclusive=False):
        generation = backup_get(name, root)
        problems = backup_check(generation)
        if problems:
            raise BackupError(
                f"generation {name} is damaged; nothing was restored:\n  - "
                + "\n  - ".join(problems)
            )
        if settings_dict is None:
            settings_dict = connections["default"].settings_dict
            connections["default"].close()
        vendor = _vendor(settings_dict)
        _check_vendor(vendor)
        if vendor != generation.vendor:
            raise BackupError(
                f"generation {name} holds a {generation.vendor} database; the target is {vendor}"
            )
        with tarfile.open(generation.path / MEDIA_ARCHIVE, "r:gz") as archive:
            _safe_members(archive)
        empty = database_is_empty(settings_dict)
        if not empty and not force:
            raise BackupError(
                "the target database is not empty; restore into an empty database, or pass "
                "--force to replace its contents"
            )
        _restore_database(generation, settings_dict, clear=not empty)
        media_files = None
        if media:
            media_files = _restore_media(generation, Path(media_root or settings.MEDIA_ROOT))
    logger.warning("backup: restored generation %s into database %s", name,
                   Path(str(settings_dict.get("NAME", ""))).name)
    return RestoreResult(generation=name, tables=len(generation.manifest["tables"]),
                         rows=generation.rows_total, media_files=media_files)


def compare_counts(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    differences = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            differences.append(f"{table}: missing after restore (expected {expected[table]} rows)")
        elif table not in expected:
            differences.append(f"{table}: not in the manifest ({found[table]} rows)")
        elif expected[table] != found[table]:
            differences.append(f"{table}: {found[table]} rows, the manifest says {expected[table]}")
    return differences


def backup_verify(*, name: str) -> VerifyResult:
    """Restore generation `name` into a scratch database and compare the row counts
    of every table with the manifest. The scratch database is dropped afterwards."""
    root = backup_root()
    with _locked(root, exclusive=False):
        generation = backup_get(name, root)
        problems = backup_check(generation)
        if problems:
            return VerifyResult(generation=name, differences=problems)
        _check_vendor(generation.vendor)
        if generation.vendor != connections["default"].vendor:
            raise BackupError(
                f"generation {name} holds a {generation.vendor} database; verification needs "
                f"a {generation.vendor} server (the default database is "
                f"{connections['default'].vendor})"
            )
        with scratch_database() as scratch:
            _restore_database(generation, scratch, clear=False)
            found = table_counts(scratch)
        expected = generation.manifest["tables"]
        return VerifyResult(
            generation=name,
            differences=compare_counts(expected, found),
            tables=len(found),
            rows=sum(found.values()),
        )
