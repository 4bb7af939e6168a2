"""`manage.py import_legacy DIR`: the legacy tables into the portal, idempotently.

Every row is keyed by its legacy id (Shop.legacy_id, Owner.legacy_id,
Member.legacy_id), so a second run over a later export creates what is new,
updates what changed and leaves the rest alone. The whole run is one
transaction: every file is read and checked first (a file that cannot be used
stops the run before anything is written), rows are validated with the models'
own validators (Shop.full_clean, as the admin form does), and a row that fails
is reported with its file, line and reason and not imported at all. --dry-run
does the same work and rolls it back; --strict rolls back if any row failed.

Rows are written in batches (bulk_create / bulk_update, COPY for link rows on
PostgreSQL), as directory/demo.py does, so 100,000 shops and 300,000 members
fit in minutes (benchmarks/legacy_import.py). Imported shops are published
listings (live), like the seed's; a legacy shop_temp (the editable copy, 一時保存
or 申請中) becomes a draft revision of its shop, and 申請中 is submitted to the
shop approval workflow. The legacy master codes (master, faminavi_area,
faminavi_city) are matched onto the portal's masters first (operations/legacy/
masters.py), and the *_counter values go into accounts.Counter last.
"""

from __future__ import annotations

import base64
import csv
import datetime
import html
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape, strip_tags
from wagtail.models import Locale, WorkflowState

from directory.accounts.models import Counter, User
from directory.accounts.roles import SHOP_OWNER
from directory.demo import DEMO_LEGACY_BASE
from directory.events.models import Event
from directory.faminavi.models import Article
from directory.masters.models import BenefitType, Genre, Municipality, Programme
from directory.members.models import Child, Favourite, Member
from directory.members.services import MEMBER_NUMBER_COUNTER, member_number_format
from directory.shops.models import TYPED_FIELDS, Owner, OwnerShop, Shop, ShopBenefit
from directory.text import normalise, typed
from operations.legacy import masters as legacy_masters
from operations.legacy import values as parse
from operations.legacy.mapping import (
    COUNTERS,
    NOT_IMPORTED,
    REFERENCE_FIELDS,
    Mapping,
    mapping_load,
)
from operations.legacy.reader import CsvTable, FileError, table_read
from operations.models import LegacyPasswordSetup

BATCH_SIZE = 2_000
ORDER = ["master", "faminavi_area", "faminavi_city",
         "shop", "shop_chain", "shop_genre", "shop_tokuten", "owner", "owner_shop",
         "shop_temp", "shop_temp_chain", "shop_temp_genre", "shop_temp_tokuten", "users",
         "users_genre", "users_tokuten", "users_favorite", "event", "faminavi", "faminavi_genre",
         *COUNTERS]
SHOP_FIELDS = ["name", "name_kana", "postcode", "municipality_id", "address", "building",
               "latitude", "longitude", "phone", "opening_hours", "regular_holidays", "url",
               "comment", "nationwide_mutual_use"]
# Shop fields a shop can do without: an invalid value is emptied (to this), not fatal.
SHOP_OPTIONAL = {"name_kana": "", "building": "", "phone": "", "url": "", "opening_hours": "",
                 "regular_holidays": "", "comment": "", "latitude": None, "longitude": None}
MEMBER_FIELDS = ["family_name", "given_name", "family_name_kana", "given_name_kana",
                 "municipality_id", "due_date", "marriage_date", "planned_marriage_date",
                 "notify_by_email"]


class _DryRun(Exception):
    pass


# What was done with a row that needed a decision (the report's `action` column).
REJECTED = "読み込まず"
ALTERED = "読み込み（値を直した）"
EMPTIED = "読み込み（この項目は空）"
KEPT_FIRST = "先の行を読み込み、この行は読み込まず"
KEPT_LAST = "この行を読み込み、先の行は読み込まず"
LISTED = "変更なし（一覧のみ）"
UNPUBLISHED = "非公開にした"
STOPPED = "実行を中止（何も保存せず）"


@dataclass
class Issue:
    file: str
    line: int
    level: str  # "error" (row or file not imported) or "warning" (imported, with a change)
    message: str
    legacy_id: str = ""  # the row's legacy key (SHOPID, USERID, …) as written
    field: str = ""  # the portal field concerned, if one
    action: str = ""  # what the import did (REJECTED, EMPTIED, …)

    def __str__(self):
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class TableResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    submitted: int = 0  # shop_temp: edits submitted for approval


@dataclass
class ImportReport:
    directory: str
    dry_run: bool
    tables: dict[str, TableResult] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)
    skipped_files: dict[str, str] = field(default_factory=dict)
    fatal: bool = False
    rolled_back: bool = False
    mapping_path: str = ""
    mapping_sha256: str = ""
    # Rows imported earlier that this export no longer has: table → legacy ids.
    missing: dict[str, list[int]] = field(default_factory=dict)
    unpublished: dict[str, list[int]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "warning"]

    def result(self, table: str) -> TableResult:
        return self.tables.setdefault(table, TableResult())

    def as_text(self) -> str:
        lines = [f"legacy import of {self.directory}"
                 + (" (dry run: nothing saved)" if self.dry_run else "")]
        if self.fatal:
            lines.append("STOPPED: a file could not be used; nothing was saved.")
        elif self.rolled_back and not self.dry_run:
            lines.append("ROLLED BACK (--strict): rows failed; nothing was saved.")
        lines.append(f"{'table':<16}{'rows':>9}{'created':>9}{'updated':>9}{'same':>9}"
                     f"{'rejected':>9}")
        for name, result in self.tables.items():
            lines.append(f"{name:<16}{result.rows:>9}{result.created:>9}{result.updated:>9}"
                         f"{result.unchanged:>9}{result.rejected:>9}")
        for name, result in self.tables.items():
            if result.submitted:
                lines.append(f"{name}: {result.submitted} submitted for approval")
        for name, reason in self.skipped_files.items():
            lines.append(f"not imported: {name}: {reason}")
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        lines.extend(f"{issue.level.upper()} {issue}" for issue in self.issues)
        return "\n".join(lines)


# --- helpers ------------------------------------------------------------------------------


def _batches(items: Sequence, size: int = BATCH_SIZE) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _rows_insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
    """Link and child rows whose keys nobody needs back: COPY on PostgreSQL."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )


def _sequence_past(model: type[models.Model], value: int) -> None:
    """New rows made in the portal get ids above every legacy id (the legacy shop API
    shows the legacy id or the new id, so they must never collide)."""
    if not value:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The table name comes from the model, never from input.
            sql = (f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT "  # noqa: S608
                   f"COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}), %s))")
            cursor.execute(sql, [table, value])
        elif connection.vendor == "sqlite":
            # Django's SQLite ids are AUTOINCREMENT: the next id is above sqlite_sequence's.
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                           [value, table])
            if cursor.rowcount == 0:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                               [table, value])


def _sequences_state() -> dict[str, tuple[int, bool]]:
    """Every id sequence of the schema with its position (PostgreSQL: sequences are not
    transactional, so a rolled-back dry run would otherwise leave them advanced)."""
    if connection.vendor != "postgresql":
        return {}  # SQLite's sqlite_sequence is rolled back with the transaction
    state = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) "
                       "FROM pg_sequences WHERE schemaname = current_schema()")
        for (name,) in cursor.fetchall():
            cursor.execute(f"SELECT last_value, is_called FROM {name}")  # noqa: S608
            state[name] = cursor.fetchone()
    return state


def _sequences_restore(state: dict[str, tuple[int, bool]]) -> None:
    """Put each sequence back where it was before a dry run, except where the sequence
    moved for rows someone else committed meanwhile (then only as far as they need)."""
    if not state:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename), "
                       "quote_ident(t.relname), quote_ident(a.attname) "
                       "FROM pg_sequences s JOIN pg_class c ON c.relname = s.sequencename "
                       "JOIN pg_depend d ON d.objid = c.oid AND d.deptype IN ('a', 'i') "
                       "JOIN pg_class t ON t.oid = d.refobjid "
                       "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
                       "WHERE s.schemaname = current_schema()")
        owners = {name: (table, column) for name, table, column in cursor.fetchall()}
        for name, (last_value, is_called) in state.items():
            cursor.execute(f"SELECT last_value, is_called FROM {name}")  # noqa: S608
            if cursor.fetchone() == (last_value, is_called):
                continue
            if name in owners:
                table, column = owners[name]
                cursor.execute(f"SELECT MAX({column}) FROM {table}")  # noqa: S608
                top = cursor.fetchone()[0]
                if top is not None and top > last_value:
                    cursor.execute("SELECT setval(%s, %s, true)", [name, top])
                    continue
            cursor.execute("SELECT setval(%s, %s, %s)", [name, last_value, is_called])


def _shop_content(shop: Shop) -> tuple:
    """What a shop_temp may change, comparable between the live row, a revision's object
    and an edited copy (related rows in memory or in the database alike)."""
    return (
        tuple(getattr(shop, name) for name in SHOP_FIELDS),
        shop.parent_id, shop.is_chain_head,
        tuple(sorted((b.programme_id, b.title, b.detail) for b in shop.benefits.all())),
        tuple(sorted(genre.pk for genre in shop.genres.all())),
        tuple(sorted(kind.pk for kind in shop.benefit_types.all())),
    )


@contextmanager
def _no_submission_mails():
    """Imported applications reach the secretariat's approval queue (and the daily digest)
    but do not mail the secretariat one by one (nor at all in a dry run)."""
    from wagtail.signals import task_submitted

    from directory.shops import workflow

    task_submitted.disconnect(dispatch_uid="shops_task_submitted")
    try:
        yield
    finally:
        task_submitted.connect(workflow.on_task_submitted, dispatch_uid="shops_task_submitted")


def _valid_or_emptied(run, table: str, obj, line: int, optional: dict, *,
                      exclude: list[str]) -> bool:
    """full_clean; an invalid optional field is emptied (and listed), then checked again."""
    for _attempt in range(2):
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            return True
        except ValidationError as error:
            faults = getattr(error, "error_dict", {})
            emptiable = [name for name in faults if name in optional]
            if not emptiable or len(emptiable) != len(faults):
                run.error(table, line, _messages(error))
                return False
            for name in emptiable:
                run.warn(table, line, f"{name}: {' '.join(faults[name][0].messages)}"
                         f"（{getattr(obj, name)!s} を空にして読み込みました）", field=name,
                         action=EMPTIED)
                setattr(obj, name, optional[name])
    return True


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(str(m) for m in messages)}"
                         for name, messages in error.message_dict.items())
    return " ".join(str(message) for message in error.messages)


class _Masters:
    def __init__(self, mapping: Mapping):
        self.municipalities = list(Municipality.objects.all())
        self.by_code = {m.code: m.pk for m in self.municipalities}
        self.by_name = sorted(((m.name, m.pk) for m in self.municipalities),
                              key=lambda item: -len(item[0]))
        self.programmes = dict(Programme.objects.values_list("legacy_group", "pk"))
        # Legacy master codes matched to portal rows (this run's master import or earlier).
        legacy = legacy_masters.legacy_lookups(mapping)
        values = mapping.values
        # Shop (and member) genres and article genres are separate code lists, each with
        # its own [values.*] pins: [values.genre] never gives an article a shop genre.
        self.genres = self._lookup(Genre.objects.filter(for_shops=True),
                                   values.get("genre", {}), legacy["genre"])
        self.article_genres = self._lookup(Genre.objects.filter(for_articles=True),
                                           values.get("article_genre", {}),
                                           legacy["article_genre"])
        self.benefit_types = self._lookup(BenefitType.objects.all(),
                                          values.get("benefit_type", {}),
                                          legacy["benefit_type"])
        self.areas = legacy["faminavi_area"]
        self.cities = legacy["faminavi_city"]
        self.mapping = mapping

    @staticmethod
    def _lookup(queryset, translations: dict[str, str], legacy: dict[str, int]
                ) -> dict[str, int]:
        table = {}
        for pk, code, name in queryset.values_list("pk", "code", "name"):
            table[code] = pk
            table[name] = pk
        portal = dict(table)
        pks = set(portal.values())
        table.update({code: pk for code, pk in legacy.items() if pk in pks})
        for legacy_code, code in translations.items():
            if code in portal:
                table[legacy_code] = portal[code]
        return table

    def codes(self, table: str) -> dict[str, int]:
        """The code list of one link table: its kind's list, with the table's own pins
        ([values.shop_genre], [values.users_genre], [values.faminavi_genre], …) first."""
        base = {"shop_genre": self.genres, "users_genre": self.genres,
                "shop_temp_genre": self.genres, "faminavi_genre": self.article_genres,
                "shop_tokuten": self.benefit_types, "users_tokuten": self.benefit_types,
                "shop_temp_tokuten": self.benefit_types}[table]
        pins = self.mapping.values.get(table)
        if not pins:
            return base
        table_codes = dict(base)
        for legacy_code, code in pins.items():
            if code in base:
                table_codes[legacy_code] = base[code]
        return table_codes

    def municipality(self, code: str, address: str) -> tuple[int | None, str]:
        """(municipality id, rest of the address)."""
        prefecture = settings.PORTAL.get("PREFECTURE_NAME", "大阪府")
        address = re.sub(rf"^\s*{re.escape(prefecture)}\s*", "", address)
        code = parse.clean(code)
        if code:
            # Codes with the check digit (271004) or without (27100).
            pk = self.by_code.get(code) or next(
                (pk for full, pk in self.by_code.items() if full[:5] == code[:5]), None)
            if pk is not None:
                name = next(m.name for m in self.municipalities if m.pk == pk)
                return pk, address.removeprefix(name).strip()
        for name, pk in self.by_name:
            if address.startswith(name):
                return pk, address[len(name):].strip()
        return None, address


# --- the run ------------------------------------------------------------------------------


def legacy_import(*, directory: Path | str, mapping_path: Path | str | None = None,
                  encoding: str | None = None, dry_run: bool = False,
                  strict: bool = False, unpublish_missing: bool = False) -> ImportReport:
    """Read and check every file first (a file that cannot be used, or a required file
    that is missing, stops the run before anything is written), then import in one
    transaction. A dry run, or --strict with a row error, rolls everything back, id
    sequences included."""
    directory = Path(directory)
    report = ImportReport(directory=str(directory), dry_run=dry_run)
    mapping = mapping_load(mapping_path)
    report.mapping_path, report.mapping_sha256 = mapping.path, mapping.sha256
    tables: dict[str, CsvTable] = {}
    for name in ORDER:
        table_mapping = mapping.tables.get(name)
        if table_mapping is None:
            continue
        path = directory / table_mapping.file
        if not path.exists():
            if table_mapping.required_file:
                report.fatal = True
                report.issues.append(Issue(
                    table_mapping.file, 0, "error", "必須のファイルがありません（対応表の "
                    "required_file）。何も保存していません", action=STOPPED))
                continue
            report.skipped_files[table_mapping.file] = "ファイルがありません（この表は変更しません）"
            continue
        try:
            table = table_read(path, table_mapping, encoding=encoding)
        except FileError as error:
            report.fatal = True
            report.issues.append(Issue(table_mapping.file, error.line, "error", error.message,
                                       action=STOPPED))
            continue
        tables[name] = table
        report.encodings[table_mapping.file] = table.encoding
        if table.ignored_columns:
            report.issues.append(Issue(
                table_mapping.file, 1, "warning",
                f"対応表にない列は読み込みません: {', '.join(table.ignored_columns)}",
                action=LISTED))
        if table.absent_optional:
            report.issues.append(Issue(
                table_mapping.file, 1, "warning",
                f"optional の列がないため、その項目は変更しません: "
                f"{', '.join(table.absent_optional)}", action=LISTED))
    for path in sorted(directory.glob("*.csv")):
        if path.stem in NOT_IMPORTED:
            report.skipped_files[path.name] = NOT_IMPORTED[path.stem]
    if report.fatal:
        return report
    sequences = _sequences_state() if dry_run or strict else {}
    try:
        with transaction.atomic():
            run = _Run(report, tables, mapping, unpublish_missing=unpublish_missing)
            for name, table in tables.items():
                for line, message in table.bad_rows:
                    run.error(name, line, message)
            run.run()
            if dry_run or (strict and report.errors):
                report.rolled_back = True
                raise _DryRun
            _run_record(report, mapping)
    except _DryRun:
        _sequences_restore(sequences)
    except BaseException:
        _sequences_restore(sequences)
        raise
    return report


def import_rows_csv(report: ImportReport, path: Path) -> None:
    """The run's rejected and altered rows as CSV (UTF-8 with BOM, for Excel), in the
    columns of migration_report's migration-rows.csv."""
    from operations.legacy.report import ROW_COLUMNS, ROW_HEADINGS

    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(ROW_HEADINGS)
        for issue in sorted(report.issues, key=lambda issue: (issue.file, issue.line)):
            row = {**vars(issue), "reason": issue.message}
            writer.writerow([row[name] for name in ROW_COLUMNS])


def _run_record(report: ImportReport, mapping: Mapping) -> None:
    """The run, with its mapping and every row that needed a decision, for
    migration_report (which refuses to compare with another mapping)."""
    from operations.models import LegacyImportRun

    LegacyImportRun.objects.create(
        directory=report.directory, mapping_path=mapping.path, mapping_sha256=mapping.sha256,
        mapping_text=mapping.text,
        tables={name: vars(result) for name, result in report.tables.items()},
        issues=[vars(issue) for issue in report.issues],
        missing=report.missing, unpublished=report.unpublished)


def _password_nobody_knows() -> str:
    """A well-formed hash of no known password (in the default hasher's format and cost),
    for an account whose legacy hash could not be kept: logging in fails like any wrong
    password (so migrated accounts cannot be told apart), while "forgot password" still
    works for it (Django's reset form skips unusable passwords). Argon2 and PBKDF2 hashes
    are made of random salt and digest, with no hashing cost here."""
    hasher = get_hasher("default")
    salt = secrets.token_bytes(16)
    digest = secrets.token_bytes(32)
    if hasher.algorithm == "argon2":
        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode().rstrip("=")

        return (f"argon2$argon2id$v=19$m={hasher.memory_cost},t={hasher.time_cost},"
                f"p={hasher.parallelism}${b64(salt)}${b64(digest)}")
    if hasattr(hasher, "iterations"):  # the PBKDF2 family
        return (f"{hasher.algorithm}${hasher.iterations}${salt.hex()[:22]}$"
                f"{base64.b64encode(digest).decode()}")
    return make_password(secrets.token_urlsafe(32))  # a cheap hasher (tests)


def _rich_text(value: str | None) -> str:
    """Legacy text or HTML as the portal's rich text: tags dropped (no legacy markup or
    script reaches the page), paragraphs kept."""
    plain = html.unescape(strip_tags(parse.text(value)))
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", plain) if part.strip()]
    return "".join(f"<p>{escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)


class _Run:
    def __init__(self, report: ImportReport, tables: dict[str, CsvTable], mapping: Mapping,
                 *, unpublish_missing: bool = False):
        self.report = report
        self.tables = tables
        self.mapping = mapping
        self.unpublish_missing = unpublish_missing
        self.masters = _Masters(mapping)
        self._keys: dict[str, dict[int, str]] = {}  # table → line → the row's legacy key
        # Legacy ids of the rows of shop, users, owner, faminavi this run imported (new,
        # changed or the same): their link tables become exactly what the export says.
        self.accepted: dict[str, set[int]] = defaultdict(set)
        self.now = timezone.now()
        self.shop_pks: dict[int, int] = {}  # legacy SHOPID → pk, for every known shop
        self.member_pks: dict[int, int] = {}
        self.imported_shops: set[int] = set()
        self.owner_pks: dict[int, int] = {}
        self.article_areas: dict[int, set[int]] = {}  # legacy FAMINAVIID → area pks

    def file(self, table: str) -> str:
        return self.mapping.tables[table].file

    def key_of(self, table: str, line: int) -> str:
        """The legacy key written on a row (SHOPID, USERID, …), for the report."""
        if table not in self._keys:
            keys = {}
            for record in self.tables[table].records if table in self.tables else ():
                reference = next((record.values[name] for name in REFERENCE_FIELDS
                                  if record.values.get(name)), "")
                keys[record.line] = parse.clean(reference) if isinstance(reference, str) \
                    else ""
            self._keys[table] = keys
        return self._keys[table].get(line, "")

    def error(self, table: str, line: int, message: str, *, field: str = "",
              action: str = REJECTED, legacy_id: str = "") -> None:
        self.report.issues.append(Issue(self.file(table), line, "error", message,
                                        legacy_id or self.key_of(table, line), field, action))
        self.report.result(table).rejected += 1

    def warn(self, table: str, line: int, message: str, *, field: str = "",
             action: str = ALTERED, legacy_id: str = "") -> None:
        self.report.issues.append(Issue(self.file(table), line, "warning", message,
                                        legacy_id or self.key_of(table, line), field, action))

    def present(self, table: str, name: str) -> bool:
        """Whether the file has a column for the portal field (else the field is left)."""
        return name in self.tables[table].fields

    def optional_value(self, table: str, record, name: str, parser, default=None):
        """An optional field's value; a value that cannot be read leaves the field empty
        (the row is imported and listed), rather than rejecting the whole row."""
        try:
            return parser(record.values.get(name))
        except ValueError as error:
            self.warn(table, record.line, f"{error}（この項目を空にして読み込みました）",
                      field=name, action=EMPTIED)
            return default

    def run(self) -> None:
        if {"master", "faminavi_area", "faminavi_city"} & set(self.tables):
            self.masters_import()
            self.masters = _Masters(self.mapping)  # with the legacy codes just matched
        self.shop_pks = dict(Shop.objects.filter(legacy_id__isnull=False)
                             .values_list("legacy_id", "pk"))
        if "shop" in self.tables:
            self.shops_import()
        if "shop_chain" in self.tables:
            self.chains_import()
        self.shop_links_import("shop_genre", "genre", Shop.genres.through, "genre",
                               self.masters.codes("shop_genre"))
        self.shop_links_import("shop_tokuten", "benefit_type", Shop.benefit_types.through,
                               "benefittype", self.masters.codes("shop_tokuten"))
        self.owner_pks = dict(Owner.objects.filter(legacy_id__isnull=False)
                              .values_list("legacy_id", "pk"))
        if "owner" in self.tables:
            self.owners_import()
        if "owner_shop" in self.tables:
            self.owner_shops_import()
        if "shop_temp" in self.tables:
            self.shop_temps_import()
        else:
            for name in ("shop_temp_chain", "shop_temp_genre", "shop_temp_tokuten"):
                if name in self.tables:
                    self.warn(name, 0, "shop_temp がないため読み込みません")
        self.member_pks = dict(Member.objects.filter(legacy_id__isnull=False)
                               .values_list("legacy_id", "pk"))
        if "users" in self.tables:
            self.members_import()
        self.member_links_import("users_genre", "genre", Member.preferred_genres.through,
                                 "genre", self.masters.codes("users_genre"))
        self.member_links_import("users_tokuten", "benefit_type",
                                 Member.preferred_benefit_types.through, "benefittype",
                                 self.masters.codes("users_tokuten"))
        if "users_favorite" in self.tables:
            self.favourites_import()
        if "event" in self.tables:
            self.contents_import("event", Event, self._event_fields)
        if "faminavi" in self.tables:
            self.contents_import("faminavi", Article, self._article_fields)
        if "faminavi_genre" in self.tables:
            self.article_pks = dict(Article.objects.filter(legacy_id__isnull=False)
                                    .values_list("legacy_id", "pk"))
            self._links_import("faminavi_genre", "genre", Article.genres.through, "article",
                               "genre", self.masters.codes("faminavi_genre"), self.article_pks,
                               "ふぁみなび記事",
                               id_field="faminavi_id", parents=self.accepted["faminavi"])
        if self.article_areas:
            self.article_areas_import()
        if self.imported_shops:
            _sequence_past(Shop, max(self.imported_shops))
        self.counters_import()

    # --- shops ----------------------------------------------------------------------------

    def _legacy_id(self, table: str, record, field_name: str = "legacy_id") -> int | None:
        try:
            value = parse.integer(record.values.get(field_name))
        except ValueError as error:
            self.error(table, record.line, f"ID: {error}")
            return None
        if value is None:
            self.error(table, record.line, "ID が空です")
        return value

    def _grouped(self, table: str, what: str) -> dict[int, list]:
        """The file's records by legacy id (several rows of one id are kept together)."""
        grouped: dict[int, list] = defaultdict(list)
        result = self.report.result(table)
        for record in self.tables[table].records:
            result.rows += 1
            legacy_id = self._legacy_id(table, record)
            if legacy_id is not None:
                grouped[legacy_id].append(record)
        return grouped

    def _unique(self, table: str, records: list, label: str) -> list:
        """One record per legacy id, by the table's on_duplicate rule (first or last row
        wins); every other row with the id is listed, never both lost."""
        if not records:
            return records
        rule = self.mapping.tables[table].on_duplicate
        by_id: dict[object, object] = {}
        for record in records:
            try:
                legacy_id = parse.integer(record.values.get("legacy_id"))
            except ValueError:
                legacy_id = None
            if legacy_id is None:
                by_id[id(record)] = record  # rejected with its reason later
                continue
            earlier = by_id.get(legacy_id)
            self.report.result(table).rows += earlier is not None
            if earlier is None:
                by_id[legacy_id] = record
            elif rule == "last":
                self.error(table, earlier.line, f"{label} {legacy_id} が重複しています"
                           f"（{record.line} 行目の後の行を読み込みました）", field="legacy_id",
                           action=KEPT_LAST)
                by_id[legacy_id] = record
            else:
                self.error(table, record.line, f"{label} {legacy_id} が重複しています"
                           f"（{earlier.line} 行目と同じ。先の行を読み込みました）",
                           field="legacy_id", action=KEPT_FIRST)
        return sorted(by_id.values(), key=lambda record: record.line)

    def _missing(self, table: str, model, known: dict, exported, label: str) -> None:
        """Rows imported earlier that this export no longer has: listed (the legacy system
        deleted them); with --unpublish-missing, unpublished (shops, events, articles)."""
        missing = sorted(legacy for legacy in known
                         if legacy not in exported and legacy < DEMO_LEGACY_BASE)
        if not missing:
            return
        self.report.missing[table] = missing
        unpublish = self.unpublish_missing and hasattr(model, "live")
        for legacy in missing:
            self.warn(table, 0, f"以前に移行した{label}がこの出力にありません"
                      + ("（非公開にしました）" if unpublish else
                         "（残しています。--unpublish-missing で非公開にできます）"),
                      legacy_id=str(legacy), action=UNPUBLISHED if unpublish else LISTED)
        sample = ", ".join(str(legacy) for legacy in missing[:20])
        more = " …" if len(missing) > 20 else ""
        self.warn(table, 0, f"以前に移行した{label} {len(missing)} 件がこの出力にありません"
                  f"（旧システムで削除されたもの）: {sample}{more}", action=LISTED)
        if unpublish:
            hidden = []
            for batch in _batches(missing, 10_000):
                hidden += list(model.objects.filter(legacy_id__in=batch, live=True)
                               .values_list("legacy_id", flat=True))
                model.objects.filter(legacy_id__in=batch, live=True).update(live=False)
            self.report.unpublished[table] = sorted(hidden)

    def shops_import(self) -> None:
        result = self.report.result("shop")
        grouped = self._grouped("shop", "協賛店")
        self.imported_shops = set(grouped)
        self._missing("shop", Shop, self.shop_pks, grouped, "協賛店")
        existing = {shop.legacy_id: shop for shop in Shop.objects.filter(
            legacy_id__in=list(grouped)).prefetch_related("benefits")}
        creates, updates, benefit_rows, replace_benefits = [], [], {}, []
        registered = {}
        for legacy_id, records in grouped.items():
            parsed = self._shop_parse(legacy_id, records)
            if parsed is None:
                continue
            fields, benefits, line = parsed
            shop = existing.get(legacy_id)
            if shop is None:
                live = fields.pop("live", True)
                created_at = fields.pop("created_at", None)
                published_at = fields.pop("last_published_at", None)
                shop = Shop(legacy_id=legacy_id, live=live, has_unpublished_changes=False,
                            first_published_at=(created_at or self.now) if live else None,
                            last_published_at=(published_at or self.now) if live else None,
                            **fields)
                if not self._shop_valid(shop, line):
                    continue
                if created_at:
                    registered[legacy_id] = created_at
                creates.append(shop)
                benefit_rows[legacy_id] = benefits or []
                continue
            changed = [name for name, value in fields.items() if getattr(shop, name) != value]
            current = sorted((b.programme_id, b.title, b.detail) for b in shop.benefits.all())
            benefits_changed = benefits is not None and current != sorted(benefits)
            if not changed and not benefits_changed:
                result.unchanged += 1
                self.accepted["shop"].add(legacy_id)
                continue
            if "live" in changed and shop.live is False:
                shop.last_published_at = self.now  # published again by the export
            for name in changed:
                setattr(shop, name, fields[name])
            if not self._shop_valid(shop, line):
                continue
            if shop.has_unpublished_changes:
                self.warn("shop", line, "ポータルで承認待ちの編集がある協賛店です。"
                          "公開中の内容だけを更新しました", action=ALTERED)
            updates.append(shop)
            if benefits_changed:
                replace_benefits.append(shop.pk)
                benefit_rows[legacy_id] = benefits
        for batch in _batches(creates):
            for shop in batch:
                shop.search_text = self._search_text(shop, benefit_rows[shop.legacy_id])
            Shop.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        # bulk_create stamps created_at (auto_now_add): the legacy registration date after.
        dated = [shop for shop in creates if shop.legacy_id in registered]
        for shop in dated:
            shop.created_at = registered[shop.legacy_id]
        Shop.objects.bulk_update(dated, ["created_at"], batch_size=BATCH_SIZE)
        result.created = len(creates)
        for shop in updates:
            shop.updated_at = self.now
            if shop.live and "last_published_at" not in self.tables["shop"].fields:
                shop.last_published_at = self.now
            titles = benefit_rows.get(shop.legacy_id)
            if titles is None:
                titles = [(b.programme_id, b.title, b.detail) for b in shop.benefits.all()]
            shop.search_text = self._search_text(shop, titles)
        Shop.objects.bulk_update(updates, [*SHOP_FIELDS, "live", "created_at", "search_text",
                                           "updated_at", "last_published_at"],
                                 batch_size=BATCH_SIZE)
        result.updated = len(updates)
        ShopBenefit.objects.filter(shop_id__in=replace_benefits).delete()
        rows = []
        for shop in [*creates, *updates]:
            self.shop_pks[shop.legacy_id] = shop.pk
            self.accepted["shop"].add(shop.legacy_id)
            for order, (programme_id, title, detail) in enumerate(
                    benefit_rows.get(shop.legacy_id, [])):
                rows.append((shop.pk, programme_id, title, detail, order, False))
        _rows_insert(ShopBenefit, ["shop", "programme", "title", "detail", "sort_order",
                                   "applies_to_branches"], rows)

    def _groups(self, table: str, record) -> list[int] | None:
        """The programme groups (GROUP) of a shop row: one code, or a list column's codes;
        None (the row is rejected and listed) for a code that is not a programme."""
        raw = record.values.get("programme_group")
        parts = raw if isinstance(raw, list) else [raw or ""]
        groups = []
        for part in parts:
            cleaned = parse.clean(part)
            if not isinstance(raw, list) and re.search(r"\d\s*[,、/|]\s*\d", cleaned):
                self.error(table, record.line, f"GROUP に複数の値があります: {cleaned}（対応表で"
                           "この列を区切りのある列にしてください: separator = \",\"）",
                           field="programme_group")
                return None
            try:
                group = parse.integer(cleaned)
            except ValueError as error:
                self.error(table, record.line, f"GROUP: {error}", field="programme_group")
                return None
            if group is None:
                continue
            if group not in self.masters.programmes:
                self.error(table, record.line, f"未知の GROUP です: {group}",
                           field="programme_group")
                return None
            if group not in groups:
                groups.append(group)
        return groups or [1]

    def _published(self, table: str, record) -> bool:
        """The legacy publish flag ([values.published] maps other spellings). A value that
        cannot be read hides the row (never publish what may have been withdrawn)."""
        raw = parse.clean(record.values.get("published"))
        mapped = self.mapping.values.get("published", {})
        try:
            return parse.flag(mapped.get(raw, raw))
        except ValueError as error:
            self.warn(table, record.line, f"公開フラグ: {error}（非公開で読み込みました）",
                      field="published", action=ALTERED)
            return False

    def _datetime(self, table: str, record, name: str):
        day = self.optional_value(table, record, name, parse.date_parse)
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    def _shop_parse(self, legacy_id: int, records: list, table: str = "shop"
                    ) -> tuple[dict, list | None, int] | None:
        """(the fields the file has columns for, the benefits or None when the file has no
        benefit column, the line of the row used) or None when the shop is rejected."""
        rule = self.mapping.tables[table].on_duplicate
        chosen: dict[int, object] = {}  # programme group → the row giving its benefit
        for record in records:
            groups = self._groups(table, record)
            if groups is None:
                continue
            for group in groups:
                earlier = chosen.get(group)
                if earlier is None:
                    chosen[group] = record
                elif rule == "last":
                    self.error(table, earlier.line, f"SHOPID {legacy_id} と GROUP {group} の組が"
                               f"重複しています（{record.line} 行目の後の行を読み込みました）",
                               field="programme_group", action=KEPT_LAST)
                    chosen[group] = record
                else:
                    self.error(table, record.line, f"SHOPID {legacy_id} と GROUP {group} の組が"
                               f"重複しています（{earlier.line} 行目と同じ。先の行を読み込みました）",
                               field="programme_group", action=KEPT_FIRST)
        if not chosen:
            return None
        kept = sorted({id(record): record for record in chosen.values()}.values(),
                      key=lambda record: record.line)
        first = kept[-1] if rule == "last" else kept[0]
        value = first.values
        benefits = None
        if self.present(table, "benefit_title"):
            benefits = []
            for group in sorted(chosen):
                record = chosen[group]
                title = parse.text(record.values.get("benefit_title"))
                if title:
                    benefits.append((self.masters.programmes[group], title[:200],
                                     parse.text(record.values.get("benefit_detail"))))
                else:
                    self.warn(table, record.line, "特典（TOKUTENTITLE）が空です",
                              field="benefit_title", action=ALTERED)
        fields: dict = {}
        if self.present(table, "latitude") or self.present(table, "longitude"):
            try:
                latitude, longitude, warning = parse.coordinates(value.get("latitude"),
                                                                 value.get("longitude"))
            except ValueError as error:
                latitude = longitude = None
                warning = f"{error}（位置を空にしました）"
            if warning:
                self.warn(table, first.line, warning, field="latitude",
                          action=ALTERED if latitude is not None else EMPTIED)
            fields.update(latitude=latitude, longitude=longitude)
        if self.present(table, "address"):
            address = typed(value.get("address"))
            municipality_id, rest = self.masters.municipality(value.get("municipality_code", ""),
                                                              address)
            if municipality_id is None:
                self.error(table, first.line, f"住所から市区町村が分かりません: {address}",
                           field="address")
                return None
            fields.update(municipality_id=municipality_id, address=rest)
        for name in ("name", "name_kana", "building", "opening_hours", "regular_holidays"):
            if self.present(table, name):
                # As the back office stores them (Shop.clean): typed text, or as written.
                clean = typed if name in TYPED_FIELDS else parse.text
                fields[name] = clean(value.get(name))
        if self.present(table, "comment"):
            fields["comment"] = parse.text(value.get("comment"))
        if self.present(table, "postcode"):
            fields["postcode"] = parse.postcode(value.get("postcode"))
        if self.present(table, "phone"):
            fields["phone"] = parse.phone(value.get("phone"))
        if self.present(table, "url"):
            fields["url"] = parse.clean(value.get("url"))
        if self.present(table, "nationwide_mutual_use"):
            fields["nationwide_mutual_use"] = self.optional_value(
                table, first, "nationwide_mutual_use", parse.flag, False)
        if self.present(table, "chain_flag"):
            self.optional_value(table, first, "chain_flag", parse.flag)  # chains: shop_chain
        if table == "shop":
            if self.present(table, "published"):
                fields["live"] = self._published(table, first)
            if self.present(table, "registered_on"):
                registered = self._datetime(table, first, "registered_on")
                if registered is not None:
                    fields["created_at"] = registered
            if self.present(table, "updated_on"):
                updated = self._datetime(table, first, "updated_on")
                if updated is not None:
                    fields["last_published_at"] = updated
        return fields, benefits, first.line

    def _shop_valid(self, shop: Shop, line: int, table: str = "shop") -> bool:
        """The model's own validators and clean(), as the admin form runs them. A fault
        in a field the shop can do without (phone, URL, …) empties that field and is
        listed; a fault in a required one (name, postcode, …) rejects the shop."""
        return _valid_or_emptied(self, table, shop, line, SHOP_OPTIONAL,
                                 exclude=["municipality", "parent", "search_text"])

    def _search_text(self, shop: Shop, benefits: list[tuple]) -> str:
        municipality = next((m.name for m in self.masters.municipalities
                             if m.pk == shop.municipality_id), "")
        benefit_text = " ".join(f"{title} {detail}" for _pk, title, detail in benefits)
        return normalise(" ".join([shop.name, shop.name_kana, municipality, shop.address,
                                   shop.building, benefit_text]))

    def chains_import(self) -> None:
        table = self.tables["shop_chain"]
        result = self.report.result("shop_chain")
        parents: dict[int, int] = {}
        lines: dict[int, int] = {}
        for record in table.records:
            result.rows += 1
            parent = self._legacy_id("shop_chain", record, "parent_id")
            child = self._legacy_id("shop_chain", record, "shop_id")
            if parent is None or child is None:
                continue
            if parent not in self.shop_pks or child not in self.shop_pks:
                missing = parent if parent not in self.shop_pks else child
                self.error("shop_chain", record.line, f"存在しない協賛店を指しています: {missing}")
                continue
            if child in parents:
                self.error("shop_chain", record.line,
                           f"協賛店 {child} の親が重複しています（{lines[child]} 行目）")
                continue
            if parent == child:
                self.error("shop_chain", record.line, "自分自身を親にしています")
                continue
            parents[child] = parent
            lines[child] = record.line
        heads = set(parents.values())
        for child, parent in list(parents.items()):
            if child in heads or parent in parents:
                self.error("shop_chain", lines[child],
                           "チェーンは1段（本部と支店）までです。この行は読み込みません")
                del parents[child]
        heads = set(parents.values())
        involved = {self.shop_pks[legacy] for legacy in [*parents, *heads]}
        imported = self.imported_shops
        # Chain links the legacy export no longer has are undone, for shops of this export.
        candidates = Shop.objects.filter(
            Q(pk__in=involved) | Q(parent__isnull=False) | Q(is_chain_head=True)
        ).only("pk", "legacy_id", "parent_id", "is_chain_head")
        changed, seen = [], 0
        for shop in candidates:
            if shop.pk not in involved and shop.legacy_id not in imported:
                continue
            seen += 1
            parent_pk = self.shop_pks[parents[shop.legacy_id]] if shop.legacy_id in parents \
                else None
            is_head = shop.legacy_id in heads
            if shop.parent_id != parent_pk or shop.is_chain_head != is_head:
                shop.parent_id, shop.is_chain_head = parent_pk, is_head
                changed.append(shop)
        Shop.objects.bulk_update(changed, ["parent", "is_chain_head"], batch_size=BATCH_SIZE)
        result.updated = len(changed)
        result.unchanged = seen - len(changed)

    def shop_links_import(self, table_name: str, value_field: str, through, column: str,
                          lookup: dict[str, int]) -> None:
        if table_name not in self.tables:
            return
        self._links_import(table_name, value_field, through, "shop", column, lookup,
                           self.shop_pks, "協賛店", parents=self.accepted["shop"])

    def member_links_import(self, table_name: str, value_field: str, through, column: str,
                            lookup: dict[str, int]) -> None:
        if table_name not in self.tables:
            return
        self._links_import(table_name, value_field, through, "member", column, lookup,
                           self.member_pks, "会員", parents=self.accepted["users"])

    def _links_import(self, table_name, value_field, through, owner_column, column, lookup,
                      owner_pks, owner_label, id_field=None, parents=()) -> None:
        """Set the links of every row named in the file, and of every row of the parent
        file this run imported (`parents`: a shop without shop_genre rows has no genre), to
        exactly the file's."""
        result = self.report.result(table_name)
        id_field = id_field or ("shop_id" if owner_column == "shop" else "user_id")
        wanted: dict[int, set[int]] = defaultdict(set)
        for legacy in parents:
            if legacy in owner_pks:
                wanted[owner_pks[legacy]] = set()
        for record in self.tables[table_name].records:
            result.rows += 1
            legacy = self._legacy_id(table_name, record, id_field)
            if legacy is None:
                continue
            owner_pk = owner_pks.get(legacy)
            if owner_pk is None:
                self.error(table_name, record.line, f"存在しない{owner_label}を指しています: {legacy}")
                continue
            raw = parse.clean(record.values.get(value_field))
            target = lookup.get(raw)
            if target is None:
                if table_name == "faminavi_genre" and raw in self.masters.genres:
                    self.error(table_name, record.line, f"ふぁみなび記事のジャンルではありません"
                               f"（協賛店のジャンルです）: {raw}（対応表の [values.faminavi_genre]"
                               " で記事のジャンルを指定してください）", field=value_field)
                    continue
                self.error(table_name, record.line, f"未知のコードです: {raw}（対応表の [values] "
                           "に追加してください）", field=value_field)
                continue
            if target in wanted[owner_pk]:
                self.warn(table_name, record.line, "同じ行が重複しています（1つにまとめました）")
            wanted[owner_pk].add(target)
        current: dict[int, set[int]] = defaultdict(set)
        owner_field = f"{owner_column}_id"
        target_field = f"{column}_id"
        for pks in _batches(list(wanted), 10_000):
            for owner_pk, target in through.objects.filter(**{f"{owner_field}__in": pks}) \
                    .values_list(owner_field, target_field):
                current[owner_pk].add(target)
        changed = [pk for pk, targets in wanted.items() if current.get(pk, set()) != targets]
        for pks in _batches(changed, 10_000):
            through.objects.filter(**{f"{owner_field}__in": pks}).delete()
        _rows_insert(through, [owner_column, column],
                     [(pk, target) for pk in changed for target in sorted(wanted[pk])])
        result.updated = len(changed)
        result.unchanged = len(wanted) - len(changed)

    # --- shop_temp*: pending edits as draft revisions -----------------------------------

    def shop_temps_import(self) -> None:
        """Each legacy shop_temp (the editable copy of a shop, 一時保存 or 申請中) becomes a
        draft revision of the published shop: its fields and benefits (one row per GROUP, as
        shop), its genres, benefit types and chain from shop_temp_genre / _tokuten / _chain
        (a child file that is absent leaves the live value). The live row is not touched.
        申請中 ([values.shop_temp_status] "pending") starts the shop approval workflow, as
        the back office's "submit" does, so the edit waits in the secretariat's queue.

        Nothing is created for a copy identical to the live shop, or to the shop's latest
        revision (a re-run: no second revision, no second workflow)."""
        table = "shop_temp"
        result = self.report.result(table)
        grouped: dict[int, list] = defaultdict(list)
        for record in self.tables[table].records:
            result.rows += 1
            legacy_id = self._legacy_id(table, record)
            if legacy_id is None:
                continue
            if legacy_id not in self.shop_pks:
                self.error(table, record.line, f"存在しない協賛店を指しています: {legacy_id}"
                           "（旧システムで仮登録のままの協賛店は、移行前に承認するか削除してください）")
                continue
            grouped[legacy_id].append(record)
        genres = self._temp_links("shop_temp_genre", "genre",
                                  self.masters.codes("shop_temp_genre"), grouped)
        benefit_types = self._temp_links("shop_temp_tokuten", "benefit_type",
                                         self.masters.codes("shop_temp_tokuten"), grouped)
        parents = self._temp_chains(grouped)
        statuses = self.mapping.values.get("shop_temp_status", {})
        shops = {shop.legacy_id: shop for shop in Shop.objects.filter(
            legacy_id__in=list(grouped)).select_related("latest_revision")}
        requesters = {}
        for legacy_id, user_id in OwnerShop.objects.filter(
                shop__legacy_id__in=list(grouped)).order_by("-pk").values_list(
                "shop__legacy_id", "owner__user_id"):
            requesters[legacy_id] = user_id  # the first owner of each shop wins
        users = User.objects.in_bulk(set(requesters.values()))
        genre_objects = Genre.objects.in_bulk()
        benefit_type_objects = BenefitType.objects.in_bulk()
        with _no_submission_mails():
            for legacy_id, records in grouped.items():
                line = records[0].line
                raw = parse.clean(records[0].values.get("status"))
                status = statuses.get(raw)
                if status not in ("pending", "draft"):
                    self.error(table, line, f"未知の状態です: {raw or '（空）'}（対応表の "
                               "[values.shop_temp_status] に追加してください）")
                    continue
                parsed = self._shop_parse(legacy_id, records, table)
                if parsed is None:
                    continue
                fields, benefits, _line = parsed
                shop = shops[legacy_id]
                user = users.get(requesters.get(legacy_id))
                live_content = _shop_content(shop)
                applies = {benefit.programme_id: benefit.applies_to_branches
                           for benefit in shop.benefits.all()}
                if benefits is None:  # no benefit column: the published benefits stay
                    benefits = [(b.programme_id, b.title, b.detail) for b in shop.benefits.all()]
                for name, value in fields.items():
                    setattr(shop, name, value)
                shop.benefits = [
                    ShopBenefit(programme_id=programme, title=title, detail=detail,
                                sort_order=order,
                                applies_to_branches=applies.get(programme, False))
                    for order, (programme, title, detail) in enumerate(benefits)]
                if genres is not None:
                    shop.genres = [genre_objects[pk] for pk in sorted(genres.get(legacy_id, ()))]
                if benefit_types is not None:
                    shop.benefit_types = [benefit_type_objects[pk] for pk
                                          in sorted(benefit_types.get(legacy_id, ()))]
                if parents is not None:
                    parent, is_head = parents.get(legacy_id, (None, False))
                    shop.parent_id = self.shop_pks[parent] if parent else None
                    shop.is_chain_head = is_head or (shop.is_chain_head and not parent)
                content = _shop_content(shop)
                if content == live_content:
                    result.unchanged += 1  # the copy is the published listing: nothing to do
                    continue
                latest = shop.latest_revision if shop.has_unpublished_changes else None
                if latest is None or _shop_content(latest.as_object()) != content:
                    try:
                        shop.full_clean(exclude=["search_text"])
                    except ValidationError as error:
                        self.error(table, line, _messages(error))
                        continue
                    shop.save_revision(user=user, log_action=True, clean=False)
                    result.created += 1
                else:
                    result.unchanged += 1
                self._temp_workflow(shop, status, user, line)

    def _temp_workflow(self, shop: Shop, status: str, user, line: int) -> None:
        """Submit the shop's latest revision for approval (Wagtail's workflow, as the back
        office's "submit" does), unless it already waits with that revision."""
        state = shop.current_workflow_state
        if status == "draft":
            if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
                self.warn("shop_temp", line, "旧システムでは一時保存ですが、ポータルで承認待ちの"
                          "協賛店です（承認待ちのままにしました）")
            return
        revision_id = shop.latest_revision_id
        if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            task_state = state.current_task_state
            if task_state is not None and task_state.revision_id == revision_id:
                return  # already waiting with this content
            state.cancel(user=user)  # waiting with older content: submit the new one
        elif state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            state.resume(user=user)
            self.report.result("shop_temp").submitted += 1
            return
        workflow = shop.get_workflow()
        if workflow is None:
            self.warn("shop_temp", line, "協賛店の承認ワークフローが設定されていないため、"
                      "下書きとして保存しました")
            return
        workflow.start(shop, user)
        self.report.result("shop_temp").submitted += 1

    def _temp_links(self, table: str, value_field: str, lookup: dict[str, int],
                    temps: dict) -> dict[int, set[int]] | None:
        """{SHOPID: master pks} of a shop_temp child file; None if the file is absent."""
        if table not in self.tables:
            return None
        result = self.report.result(table)
        wanted: dict[int, set[int]] = defaultdict(set)
        for record in self.tables[table].records:
            result.rows += 1
            legacy = self._legacy_id(table, record, "shop_id")
            if legacy is None:
                continue
            if legacy not in temps:
                self.error(table, record.line, f"shop_temp にない協賛店を指しています: {legacy}")
                continue
            raw = parse.clean(record.values.get(value_field))
            target = lookup.get(raw)
            if target is None:
                self.error(table, record.line, f"未知のコードです: {raw}（対応表の [values] "
                           "に追加してください）")
                continue
            wanted[legacy].add(target)
            result.unchanged += 1
        return wanted

    def _temp_chains(self, temps: dict) -> dict[int, tuple[int | None, bool]] | None:
        """{SHOPID: (parent SHOPID or None, is a chain head)} of shop_temp_chain."""
        table = "shop_temp_chain"
        if table not in self.tables:
            return None
        result = self.report.result(table)
        chains: dict[int, tuple[int | None, bool]] = {}
        parents: dict[int, int] = {}
        for record in self.tables[table].records:
            result.rows += 1
            parent = self._legacy_id(table, record, "parent_id")
            child = self._legacy_id(table, record, "shop_id")
            if parent is None or child is None:
                continue
            if parent not in self.shop_pks or child not in self.shop_pks:
                missing = parent if parent not in self.shop_pks else child
                self.error(table, record.line, f"存在しない協賛店を指しています: {missing}")
                continue
            if child not in temps and parent not in temps:
                self.error(table, record.line, f"shop_temp にない協賛店を指しています: {child}")
                continue
            if child in parents or parent == child:
                self.error(table, record.line, "親が重複しているか、自分自身を親にしています")
                continue
            parents[child] = parent
            result.unchanged += 1
        for child, parent in parents.items():
            chains[child] = (parent, chains.get(child, (None, False))[1])
            chains[parent] = (chains.get(parent, (None, False))[0], True)
        return chains

    # --- accounts -------------------------------------------------------------------------

    def _account_fields(self, table: str, record, seen_emails: dict[str, int]
                        ) -> tuple[str, str, bool] | None:
        """(e-mail, password hash, kept?) or None if the row is rejected."""
        email = parse.clean(record.values.get("email")).lower()
        try:
            validate_email(email)
        except ValidationError:
            self.error(table, record.line, f"メールアドレスが正しくありません: {email or '（空）'}")
            return None
        if email in seen_emails:
            self.error(table, record.line, f"メールアドレス {email} が重複しています"
                       f"（{seen_emails[email]} 行目と同じ）")
            return None
        seen_emails[email] = record.line
        password = (record.values.get("password") or "").strip()
        try:
            identify_hasher(password)
            return email, password, True
        except ValueError:
            return email, _password_nobody_knows(), False

    def owners_import(self) -> None:
        result = self.report.result("owner")
        records, seen_ids, seen_emails = [], {}, {}
        for record in self._unique("owner", self.tables["owner"].records, "OWNERID"):
            result.rows += 1
            legacy_id = self._legacy_id("owner", record)
            if legacy_id is None:
                continue
            if legacy_id in seen_ids:
                self.error("owner", record.line, f"OWNERID {legacy_id} が重複しています"
                           f"（{seen_ids[legacy_id]} 行目と同じ）")
                continue
            account = self._account_fields("owner", record, seen_emails)
            if account is None:
                continue
            phone = parse.phone(record.values.get("phone"))
            try:
                Owner._meta.get_field("phone").run_validators(phone)
            except ValidationError as error:
                self.error("owner", record.line, _messages(error))
                continue
            seen_ids[legacy_id] = record.line
            records.append((legacy_id, record, account,
                            parse.text(record.values.get("name"))[:100] or account[0], phone))
        existing = {owner.legacy_id: owner for owner in Owner.objects.filter(
            legacy_id__in=[row[0] for row in records]).select_related("user")}
        users_by_email = self._users_by_email([row[2][0] for row in records])
        group = Group.objects.filter(name=SHOP_OWNER).first()
        for legacy_id, record, (email, password, kept), name, phone in records:
            owner = existing.get(legacy_id)
            if owner is None:
                if email in users_by_email:
                    self.error("owner", record.line, f"メールアドレス {email} はポータルの別の"
                               "アカウントが使っています")
                    continue
                user = User(email=email, password=password, last_name=name)
                user.save()
                if group:
                    user.groups.add(group)
                if not kept:
                    LegacyPasswordSetup.objects.create(user=user)
                owner = Owner.objects.create(user=user, legacy_id=legacy_id, name=name,
                                             phone=phone)
                result.created += 1
            else:
                user = owner.user
                changed = False
                if user.email != email:
                    other = users_by_email.get(email)
                    if other is not None and other != user.pk:
                        self.error("owner", record.line, f"メールアドレス {email} はポータルの"
                                   "別のアカウントが使っています")
                        continue
                    user.email, changed = email, True
                if kept and user.password != password:
                    user.password, changed = password, True
                if changed:
                    user.save()
                if (owner.name, owner.phone) != (name, phone):
                    owner.name, owner.phone = name, phone
                    owner.save(update_fields=["name", "phone"])
                    changed = True
                if changed:
                    result.updated += 1
                else:
                    result.unchanged += 1
            self.owner_pks[legacy_id] = owner.pk
            self.accepted["owner"].add(legacy_id)

    def _users_by_email(self, emails: list[str]) -> dict[str, int]:
        found = {}
        for batch in _batches(emails, 10_000):
            found.update(User.objects.filter(email__in=batch).values_list("email", "pk"))
        return found

    def owner_shops_import(self) -> None:
        result = self.report.result("owner_shop")
        wanted: set[tuple[int, int]] = set()
        for record in self.tables["owner_shop"].records:
            result.rows += 1
            owner = self._legacy_id("owner_shop", record, "owner_id")
            shop = self._legacy_id("owner_shop", record, "shop_id")
            if owner is None or shop is None:
                continue
            if owner not in self.owner_pks:
                self.error("owner_shop", record.line, f"存在しないオーナーを指しています: {owner}")
                continue
            if shop not in self.shop_pks:
                self.error("owner_shop", record.line, f"存在しない協賛店を指しています: {shop}")
                continue
            wanted.add((self.owner_pks[owner], self.shop_pks[shop]))
        # The owners of this export end with exactly its links (none if it lists none).
        owners = {owner for owner, _shop in wanted} | {
            self.owner_pks[legacy] for legacy in self.accepted["owner"]
            if legacy in self.owner_pks}
        current = set(OwnerShop.objects.filter(owner_id__in=owners)
                      .values_list("owner_id", "shop_id"))
        # Links the legacy system dropped are dropped for the owners in this file.
        OwnerShop.objects.filter(owner_id__in=owners).exclude(
            pk__in=[pk for pk, o, s in OwnerShop.objects.filter(owner_id__in=owners)
                    .values_list("pk", "owner_id", "shop_id") if (o, s) in wanted]).delete()
        new = sorted(wanted - current)
        _rows_insert(OwnerShop, ["owner", "shop", "created_at"],
                     [(owner, shop, self.now) for owner, shop in new])
        result.created = len(new)
        result.unchanged = len(wanted & current)

    def members_import(self) -> None:
        result = self.report.result("users")
        parsed, seen_ids, seen_emails = [], {}, {}
        for record in self._unique("users", self.tables["users"].records, "USERID"):
            result.rows += 1
            legacy_id = self._legacy_id("users", record)
            if legacy_id is None:
                continue
            if legacy_id in seen_ids:
                self.error("users", record.line, f"USERID {legacy_id} が重複しています"
                           f"（{seen_ids[legacy_id]} 行目と同じ）")
                continue
            row = self._member_parse(record)
            if row is None:
                continue
            account = self._account_fields("users", record, seen_emails)
            if account is None:
                continue
            seen_ids[legacy_id] = record.line
            parsed.append((legacy_id, record.line, account, *row))
        self._missing("users", Member, self.member_pks, seen_ids, "会員")
        existing = {}
        for batch in _batches([row[0] for row in parsed], 10_000):
            for member in Member.objects.filter(legacy_id__in=batch).select_related("user"):
                existing[member.legacy_id] = member
        children: dict[int, list] = defaultdict(list)
        for batch in _batches([m.pk for m in existing.values()], 10_000):
            for member_id, birth in Child.objects.filter(member_id__in=batch) \
                    .values_list("member_id", "birth_date"):
                children[member_id].append(birth)
        users_by_email = self._users_by_email([row[2][0] for row in parsed])
        new_rows, changed_members, changed_users, changed_children = [], [], [], []
        for legacy_id, line, (email, password, kept), fields, births, number in parsed:
            member = existing.get(legacy_id)
            if member is None:
                if email in users_by_email:
                    self.error("users", line, f"メールアドレス {email} はポータルの別のアカウント"
                               "が使っています")
                    continue
                new_rows.append((legacy_id, email, password, kept, fields, births, number))
                continue
            user = member.user
            user_changed = False
            if user.email != email:
                other = users_by_email.get(email)
                if other is not None and other != user.pk:
                    self.error("users", line, f"メールアドレス {email} はポータルの別のアカウント"
                               "が使っています")
                    continue
                user.email, user_changed = email, True
            if kept and user.password != password:
                user.password, user_changed = password, True
            member_changed = [name for name, value in fields.items()
                              if getattr(member, name) != value]
            for name in member_changed:
                setattr(member, name, fields[name])
            births_changed = births is not None and sorted(children.get(member.pk, [])) != births
            if user_changed:
                changed_users.append(user)
            if member_changed:
                member.updated_at = self.now
                changed_members.append(member)
            if births_changed:
                changed_children.append((member.pk, births))
            if user_changed or member_changed or births_changed:
                result.updated += 1
            else:
                result.unchanged += 1
            self.member_pks[legacy_id] = member.pk
            self.accepted["users"].add(legacy_id)
        User.objects.bulk_update(changed_users, ["email", "password"], batch_size=BATCH_SIZE)
        Member.objects.bulk_update(changed_members, [*MEMBER_FIELDS, "created_at", "updated_at"],
                                   batch_size=BATCH_SIZE)
        for batch in _batches(changed_children, 10_000):
            Child.objects.filter(member_id__in=[pk for pk, _b in batch]).delete()
            _rows_insert(Child, ["member", "birth_date", "nickname"],
                         [(pk, birth, "") for pk, births in batch for birth in births])
        self._members_create(new_rows)
        result.created = len(new_rows)
        if self.member_pks:
            self._member_counter_past(max(self.member_pks))

    def _member_parse(self, record) -> tuple[dict, list | None, str] | None:
        """(the fields the file has columns for, the children's birth dates or None when
        the file has no child column, the member number). A value that cannot be read in
        an optional field (a date, a flag, a municipality) leaves that field empty and is
        listed: the member is imported all the same."""
        table, value = "users", record.values
        fields: dict = {}
        for name in ("family_name", "given_name", "family_name_kana", "given_name_kana"):
            if self.present(table, name):
                fields[name] = typed(value.get(name))[:50]
        for name in ("due_date", "marriage_date", "planned_marriage_date"):
            if self.present(table, name):
                fields[name] = self.optional_value(table, record, name, parse.date_parse)
        if self.present(table, "notify_by_email"):
            fields["notify_by_email"] = self.optional_value(table, record, "notify_by_email",
                                                            parse.flag, False)
        if self.present(table, "municipality_code"):
            code = parse.clean(value.get("municipality_code"))
            municipality_id = None
            if code:
                municipality_id, _rest = self.masters.municipality(code, code)
                if municipality_id is None:
                    self.warn(table, record.line, f"市区町村コードが分かりません: {code}"
                              "（空にしました）", field="municipality_code", action=EMPTIED)
            fields["municipality_id"] = municipality_id
        if self.present(table, "registered_on"):
            registered = self._datetime(table, record, "registered_on")
            if registered is not None:
                fields["created_at"] = registered
        births = None
        if self.present(table, "child_birth_date"):
            births = []
            today = timezone.localdate()
            for cell in value.get("child_birth_date", []):
                if not parse.clean(cell):
                    continue
                try:
                    birth = parse.date_parse(cell)
                except ValueError as error:
                    self.warn(table, record.line, f"子どもの生年月日: {error}（この子どもは"
                              "読み込みません）", field="child_birth_date", action=EMPTIED)
                    continue
                if birth > today:
                    self.warn(table, record.line, f"子どもの生年月日が未来の日付です: {cell}"
                              "（この子どもは読み込みません）", field="child_birth_date",
                              action=EMPTIED)
                    continue
                births.append(birth)
            births.sort()
        if self.present(table, "programme"):
            self._member_programmes(record, fields, births)
        return fields, births, parse.clean(value.get("member_number"))[:20]

    def _member_programmes(self, record, fields: dict, births) -> None:
        """The legacy member's programmes (GROUP codes, a list column): the portal works
        them out from the dates, so a member the portal's rules would not admit to a
        programme the legacy system had them in is listed for the secretariat."""
        from directory.members.eligibility import programme_eligibility
        from directory.members.selectors import programmes_with_rules

        if not hasattr(self, "_programmes"):
            self._programmes = {programme.legacy_group: programme
                                for programme in programmes_with_rules()}
        raw = record.values.get("programme")
        codes = raw if isinstance(raw, list) else [raw or ""]
        facts = {"birth_dates": births or [],
                 **{name: fields.get(name) for name in
                    ("due_date", "marriage_date", "planned_marriage_date")}}
        today = timezone.localdate()
        for code in codes:
            try:
                group = parse.integer(code)
            except ValueError:
                group = None
            if group is None and not parse.clean(code):
                continue
            programme = self._programmes.get(group)
            if programme is None:
                self.warn("users", record.line, f"未知のプログラムです: {parse.clean(code)}"
                          "（会員は読み込みました）", field="programme", action=LISTED)
                continue
            if not programme_eligibility(programme, facts, today).eligible:
                self.warn("users", record.line, f"旧システムでは{programme.name}の会員ですが、"
                          "ポータルの条件（生年月日・予定日など）では対象になりません",
                          field="programme", action=LISTED)

    def _members_create(self, rows: list) -> None:
        for batch in _batches(rows):
            users = [User(email=email, password=password,
                          last_name=fields.get("family_name", ""),
                          first_name=fields.get("given_name", ""),
                          date_joined=fields.get("created_at") or self.now)
                     for _id, email, password, _kept, fields, _births, _number in batch]
            User.objects.bulk_create(users, batch_size=BATCH_SIZE)
            members = [Member(user_id=user.pk, legacy_id=legacy_id,
                              member_number=number or member_number_format(legacy_id), **fields)
                       for user, (legacy_id, _e, _p, _k, fields, _b, number)
                       in zip(users, batch, strict=True)]
            Member.objects.bulk_create(members, batch_size=BATCH_SIZE)
            # bulk_create stamps created_at (auto_now_add): the legacy registration date after.
            dated = []
            for member, row in zip(members, batch, strict=True):
                if row[4].get("created_at"):
                    member.created_at = row[4]["created_at"]
                    dated.append(member)
            Member.objects.bulk_update(dated, ["created_at"], batch_size=BATCH_SIZE)
            _rows_insert(Child, ["member", "birth_date", "nickname"],
                         [(member.pk, birth, "") for member, row in zip(members, batch, strict=True)
                          for birth in row[5] or ()])
            _rows_insert(LegacyPasswordSetup, ["user", "created_at"],
                         [(user.pk, self.now) for user, row in zip(users, batch, strict=True)
                          if not row[3]])
            for member in members:
                self.member_pks[member.legacy_id] = member.pk
                self.accepted["users"].add(member.legacy_id)

    def _member_counter_past(self, value: int) -> None:
        counter, _created = Counter.objects.select_for_update().get_or_create(
            name=MEMBER_NUMBER_COUNTER, defaults={"value": 0})
        if counter.value < value:
            counter.value = value
            counter.save(update_fields=["value"])

    def favourites_import(self) -> None:
        """Each member of this export (and each member named in the file) ends with exactly
        the export's favourites: new ones added, ones the export no longer has removed
        (a favourite kept keeps its date)."""
        result = self.report.result("users_favorite")
        wanted: dict[int, set[int]] = {self.member_pks[legacy]: set()
                                       for legacy in self.accepted["users"]
                                       if legacy in self.member_pks}
        for record in self.tables["users_favorite"].records:
            result.rows += 1
            user = self._legacy_id("users_favorite", record, "user_id")
            shop = self._legacy_id("users_favorite", record, "shop_id")
            if user is None or shop is None:
                continue
            if user not in self.member_pks:
                self.error("users_favorite", record.line, f"存在しない会員を指しています: {user}",
                           field="user_id")
                continue
            if shop not in self.shop_pks:
                self.error("users_favorite", record.line, f"存在しない協賛店を指しています: {shop}",
                           field="shop_id")
                continue
            wanted.setdefault(self.member_pks[user], set()).add(self.shop_pks[shop])
        current: dict[tuple[int, int], int] = {}
        for batch in _batches(sorted(wanted), 10_000):
            for pk, member, shop in Favourite.objects.filter(member_id__in=batch) \
                    .values_list("pk", "member_id", "shop_id"):
                current[(member, shop)] = pk
        pairs = {(member, shop) for member, shops in wanted.items() for shop in shops}
        removed = [pk for pair, pk in current.items() if pair not in pairs]
        for batch in _batches(removed, 10_000):
            Favourite.objects.filter(pk__in=batch).delete()
        new = sorted(pairs - set(current))
        _rows_insert(Favourite, ["member", "shop", "created_at"],
                     [(member, shop, self.now) for member, shop in new])
        result.created = len(new)
        result.updated = len(removed)  # favourites the export no longer has, removed
        result.unchanged = len(pairs & set(current))

    # --- events and ふぁみなび ------------------------------------------------------------


    def contents_import(self, table: str, model, fields_of) -> None:
        """Events and ふぁみなび articles: upsert by legacy id, published, validated by the model."""
        result = self.report.result(table)
        rows, seen = [], {}
        label = {"event": "EVENTID", "faminavi": "FAMINAVIID"}[table]
        for record in self._unique(table, self.tables[table].records, label):
            result.rows += 1
            legacy_id = self._legacy_id(table, record)
            if legacy_id is None:
                continue
            if legacy_id in seen:
                self.error(table, record.line, f"ID {legacy_id} が重複しています（{seen[legacy_id]} 行目と同じ）")
                continue
            seen[legacy_id] = record.line
            try:
                fields = fields_of(table, record)
            except ValueError as error:
                self.error(table, record.line, str(error))
                continue
            if fields is not None:
                if self.present(table, "published"):
                    fields["live"] = self._published(table, record)
                rows.append((legacy_id, record.line, fields))
        known = dict(model.objects.filter(legacy_id__isnull=False).values_list("legacy_id", "pk"))
        self._missing(table, model, known, seen, {"event": "イベント",
                                                  "faminavi": "ふぁみなび記事"}[table])
        # Only originals carry a legacy id (translations are not copied with it,
        # directory/i18n.py), so the upsert finds the Japanese row.
        existing = {obj.legacy_id: obj for obj in model.objects.filter(
            legacy_id__in=[legacy_id for legacy_id, _line, _fields in rows])}
        # bulk_create sends no pre_save, which would give new rows the default locale.
        default_locale_id = Locale.get_default().pk if rows else None
        creates, updates = [], []
        for legacy_id, line, fields in rows:
            obj = existing.get(legacy_id)
            self.accepted[table].add(legacy_id)
            if obj is None:
                fields = dict(fields)
                live = fields.pop("live", True)
                obj = model(legacy_id=legacy_id, live=live, has_unpublished_changes=False,
                            first_published_at=self.now if live else None,
                            last_published_at=self.now if live else None,
                            locale_id=default_locale_id, **fields)
                changed = list(fields)
            else:
                changed = [name for name, value in fields.items() if getattr(obj, name) != value]
                if not changed:
                    result.unchanged += 1
                    continue
                for name in changed:
                    setattr(obj, name, fields[name])
            try:
                obj.full_clean(exclude=["municipality", "shop", "image", "created_by", "locale"],
                               validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                self.error(table, line, _messages(error))
                continue
            (creates if obj.pk is None else updates).append(obj)
        model.objects.bulk_create(creates, batch_size=BATCH_SIZE)
        for obj in updates:
            obj.updated_at = self.now
        if updates:
            names = sorted({name for _id, _line, fields in rows for name in fields})
            if "live" in names:
                names.append("last_published_at")
                for obj in updates:
                    obj.last_published_at = self.now if obj.live else obj.last_published_at
            model.objects.bulk_update(updates, [*names, "updated_at"], batch_size=BATCH_SIZE)
        result.created, result.updated = len(creates), len(updates)
        if rows:
            _sequence_past(model, max([legacy_id for legacy_id, _l, _f in rows] or [0]))


    def _content_municipality(self, table, record, required: bool):
        code = parse.clean(record.values.get("municipality_code"))
        if not code:
            if required:
                raise ValueError("市区町村コードが空です")
            return None
        municipality_id, _rest = self.masters.municipality(code, code)
        if municipality_id is None:
            raise ValueError(f"市区町村コードが分かりません: {code}")
        return municipality_id


    def _event_fields(self, table, record) -> dict | None:
        value = record.values
        starts_on = parse.date_parse(value.get("starts_on"))
        ends_on = self.optional_value(table, record, "ends_on", parse.date_parse) or starts_on
        shop_id = None
        shop_legacy = self.optional_value(table, record, "shop_id", parse.integer)
        if shop_legacy is not None:
            shop_id = self.shop_pks.get(shop_legacy)
            if shop_id is None:
                self.warn(table, record.line, f"存在しない協賛店を指しています: {shop_legacy}"
                          "（協賛店なしで読み込みました）", field="shop_id", action=EMPTIED)
        fields = {
            "title": parse.text(value.get("title"))[:200],
            "summary": parse.text(value.get("summary"))[:300],
            "body": _rich_text(value.get("body")),
            "starts_on": starts_on, "ends_on": ends_on,
            "time_note": parse.text(value.get("time_note"))[:100],
            "venue": parse.text(value.get("venue"))[:200],
            "municipality_id": self._content_municipality(table, record, required=True),
            "shop_id": shop_id,
            "organiser": parse.text(value.get("organiser"))[:200],
            "url": parse.clean(value.get("url")),
        }
        return self._present_fields(table, fields)

    def _present_fields(self, table: str, fields: dict) -> dict:
        """Only the fields the file has a column for (an absent optional column leaves
        the portal's value)."""
        # ends_on defaults to starts_on when the file has no end date column.
        sources = {"municipality_id": "municipality_code", "ends_on": "starts_on"}
        kept = {}
        for name, value in fields.items():
            source = sources.get(name, name)
            if source == "municipality_code" and table == "faminavi":
                if self.present(table, "municipality_code") or self.present(table, "city_code"):
                    kept[name] = value
            elif self.present(table, source):
                kept[name] = value
        return kept

    def _article_fields(self, table, record) -> dict | None:
        value = record.values
        municipality_id = self._content_municipality(table, record, required=False)
        city = parse.clean(value.get("city_code"))
        if city:
            # The legacy article's city is a faminavi_city code (matched to a municipality).
            if city in self.masters.cities:
                municipality_id = self.masters.cities[city]
            else:
                self.warn(table, record.line, f"faminavi_city にない、またはポータルの市区町村に"
                          f"対応していない市区町村コードです: {city}（空にしました）")
        if "area_code" in value:
            areas = set()
            raw = value.get("area_code")
            codes = raw if isinstance(raw, list) else re.split(r"[,、\s]+", parse.clean(raw))
            for code in (parse.clean(code) for code in codes):
                if not code:
                    continue
                if code in self.masters.areas:
                    areas.add(self.masters.areas[code])
                else:
                    self.warn(table, record.line, f"faminavi_area にない、またはポータルの地域に"
                              f"対応していない地域コードです: {code}（読み込みません）")
            legacy_id = parse.integer(value.get("legacy_id"))
            if legacy_id is not None:
                self.article_areas[legacy_id] = areas
        return self._present_fields(table, {
            "title": parse.text(value.get("title"))[:200],
            "summary": parse.text(value.get("summary"))[:300],
            "body": _rich_text(value.get("body")),
            "municipality_id": municipality_id,
            "url": parse.clean(value.get("url")),
        })

    def article_areas_import(self) -> None:
        """Article.areas set to the export's AREAID codes, for the articles it names."""
        articles = dict(Article.objects.filter(legacy_id__in=list(self.article_areas))
                        .values_list("legacy_id", "pk"))
        through = Article.areas.through
        current: dict[int, set[int]] = defaultdict(set)
        for article, area in through.objects.filter(article_id__in=articles.values()) \
                .values_list("article_id", "area_id"):
            current[article].add(area)
        changed = [pk for legacy, pk in articles.items()
                   if current.get(pk, set()) != self.article_areas[legacy]]
        through.objects.filter(article_id__in=changed).delete()
        legacy_of = {pk: legacy for legacy, pk in articles.items()}
        _rows_insert(through, ["article", "area"],
                     [(pk, area) for pk in changed
                      for area in sorted(self.article_areas[legacy_of[pk]])])

    # --- masters ------------------------------------------------------------------------

    def masters_import(self) -> None:
        """Legacy master codes onto the portal's masters (operations/legacy/masters.py)."""
        matcher = legacy_masters.MasterMatcher(self.mapping)
        for table in ("master", "faminavi_area", "faminavi_city"):
            if table not in self.tables:
                continue
            result = self.report.result(table)
            seen: dict[str, int] = {}
            for record in self.tables[table].records:
                result.rows += 1
                value = record.values
                kind = parse.clean(value.get("kind")) if table == "master" else table
                code = parse.clean(value.get("code"))
                name = parse.text(value.get("name"))
                if not code:
                    self.error(table, record.line, "コードが空です")
                    continue
                key = legacy_masters.legacy_key(kind, code)
                if key in seen:
                    self.error(table, record.line, f"コード {key} が重複しています"
                               f"（{seen[key]} 行目と同じ）")
                    continue
                seen[key] = record.line
                target = legacy_masters.target_of(kind, self.mapping)
                if target is None:
                    self.warn(table, record.line, f"未知のマスタ区分です: {kind}（対応表の "
                              "[values.master_kind] に追加してください。対応付けません）")
                    result.rejected += 1
                    continue
                row = matcher.find(target, key, code, name,
                                   parse.clean(value.get("municipality_code")))
                if row is None and target in legacy_masters.CREATABLE and name:
                    matcher.create(target, key, code, name)
                    result.created += 1
                    self.warn(table, record.line, f"ポータルに対応する{legacy_masters.LABELS[target]}"
                              f"がないため、無効の状態で作成しました: {key} {name}（確認してください）")
                    continue
                if row is None:
                    self.warn(table, record.line, f"ポータルに対応する{legacy_masters.LABELS[target]}"
                              f"がありません: {key} {name}（対応表の [values] で指定してください）")
                    result.rejected += 1
                    continue
                if matcher.record(row, key):
                    result.updated += 1
                else:
                    result.unchanged += 1
        from directory.masters.cache import masters_cache_clear

        masters_cache_clear()

    # --- counters -----------------------------------------------------------------------

    def _max_legacy_id(self, table: str) -> int:
        model = {"users": Member, "shop": Shop, "event": Event, "owner": Owner,
                 "faminavi": Article}[table]
        return model.objects.filter(legacy_id__lt=DEMO_LEGACY_BASE).aggregate(
            top=models.Max("legacy_id"))["top"] or 0

    def counters_import(self) -> None:
        """Each legacy counter into its portal Counter (never lowered), checked against the
        highest legacy id; the id sequences of shops, events and articles move past it."""
        sequences = {"shop": Shop, "event": Event, "faminavi": Article}
        for table, (name, numbered) in COUNTERS.items():
            if table not in self.tables:
                continue
            result = self.report.result(table)
            values = []
            for record in self.tables[table].records:
                result.rows += 1
                try:
                    number = parse.integer(record.values.get("value"))
                except ValueError as error:
                    self.error(table, record.line, str(error))
                    continue
                if number is None:
                    self.error(table, record.line, "値が空です")
                    continue
                values.append(number)
            if not values:
                continue
            value = max(values)
            if len(set(values)) > 1:
                self.warn(table, 0, f"値が複数あります（最大の {value} を使います）")
            top = self._max_legacy_id(numbered)
            if value < top:
                self.warn(table, 0, f"カウンタ {value} が {self.file(numbered)} の最大のID {top} "
                          f"より小さいです（ポータルは {top} の次から採番します）")
            wanted = max(value, top)
            counter, created = Counter.objects.select_for_update().get_or_create(
                name=name, defaults={"value": wanted})
            if created:
                result.created += 1
            elif counter.value < wanted:
                counter.value = wanted
                counter.save(update_fields=["value"])
                result.updated += 1
            else:
                result.unchanged += 1
            if numbered in sequences:
                _sequence_past(sequences[numbered], wanted)
