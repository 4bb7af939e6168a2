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
from directory.shops.models import Owner, OwnerShop, Shop, ShopBenefit
from directory.text import normalise
from operations.legacy import masters as legacy_masters
from operations.legacy import values as parse
from operations.legacy.mapping import COUNTERS, NOT_IMPORTED, Mapping, mapping_load
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
MEMBER_FIELDS = ["family_name", "given_name", "family_name_kana", "given_name_kana",
                 "municipality_id", "due_date", "marriage_date", "planned_marriage_date",
                 "notify_by_email"]


class _DryRun(Exception):
    pass


@dataclass
class Issue:
    file: str
    line: int
    level: str  # "error" (row or file not imported) or "warning" (imported, with a change)
    message: str

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
    if connection.vendor != "postgresql" or not value:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # The table name comes from the model, never from input.
        sql = (f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT "  # noqa: S608
               f"COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}), %s))")
        cursor.execute(sql, [table, value])


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
        self.genres = self._lookup(Genre, mapping.values.get("genre", {}), legacy["genre"])
        self.article_genres = self._lookup(Genre, mapping.values.get("genre", {}),
                                           {**legacy["genre"], **legacy["article_genre"]})
        self.benefit_types = self._lookup(BenefitType, mapping.values.get("benefit_type", {}),
                                          legacy["benefit_type"])
        self.areas = legacy["faminavi_area"]
        self.cities = legacy["faminavi_city"]

    @staticmethod
    def _lookup(model, translations: dict[str, str], legacy: dict[str, int]) -> dict[str, int]:
        table = {}
        for pk, code, name in model.objects.values_list("pk", "code", "name"):
            table[code] = pk
            table[name] = pk
        table.update(legacy)
        for legacy_code, code in translations.items():
            if code in table:
                table[legacy_code] = table[code]
        return table

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
                  strict: bool = False) -> ImportReport:
    directory = Path(directory)
    report = ImportReport(directory=str(directory), dry_run=dry_run)
    mapping = mapping_load(mapping_path)
    tables: dict[str, CsvTable] = {}
    for name in ORDER:
        table_mapping = mapping.tables.get(name)
        if table_mapping is None:
            continue
        path = directory / table_mapping.file
        if not path.exists():
            report.skipped_files[table_mapping.file] = "ファイルがありません（この表は変更しません）"
            continue
        try:
            table = table_read(path, table_mapping, encoding=encoding)
        except FileError as error:
            report.fatal = True
            report.issues.append(Issue(table_mapping.file, error.line, "error", error.message))
            continue
        tables[name] = table
        report.encodings[table_mapping.file] = table.encoding
        if table.ignored_columns:
            report.issues.append(Issue(
                table_mapping.file, 1, "warning",
                f"対応表にない列は読み込みません: {', '.join(table.ignored_columns)}"))
        for line, message in table.bad_rows:
            report.issues.append(Issue(table_mapping.file, line, "error", message))
            report.result(name).rejected += 1
    for path in sorted(directory.glob("*.csv")):
        if path.stem in NOT_IMPORTED:
            report.skipped_files[path.name] = NOT_IMPORTED[path.stem]
    if report.fatal:
        return report
    try:
        with transaction.atomic():
            _Run(report, tables, mapping).run()
            if dry_run or (strict and report.errors):
                report.rolled_back = True
                raise _DryRun
    except _DryRun:
        pass
    return report


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
    def __init__(self, report: ImportReport, tables: dict[str, CsvTable], mapping: Mapping):
        self.report = report
        self.tables = tables
        self.mapping = mapping
        self.masters = _Masters(mapping)
        self.now = timezone.now()
        self.shop_pks: dict[int, int] = {}  # legacy SHOPID → pk, for every known shop
        self.member_pks: dict[int, int] = {}
        self.imported_shops: set[int] = set()
        self.owner_pks: dict[int, int] = {}
        self.article_areas: dict[int, set[int]] = {}  # legacy FAMINAVIID → area pks

    def file(self, table: str) -> str:
        return self.mapping.tables[table].file

    def error(self, table: str, line: int, message: str) -> None:
        self.report.issues.append(Issue(self.file(table), line, "error", message))
        self.report.result(table).rejected += 1

    def warn(self, table: str, line: int, message: str) -> None:
        self.report.issues.append(Issue(self.file(table), line, "warning", message))

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
                               self.masters.genres)
        self.shop_links_import("shop_tokuten", "benefit_type", Shop.benefit_types.through,
                               "benefittype", self.masters.benefit_types)
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
                                 "genre", self.masters.genres)
        self.member_links_import("users_tokuten", "benefit_type",
                                 Member.preferred_benefit_types.through, "benefittype",
                                 self.masters.benefit_types)
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
                               "genre", self.masters.article_genres, self.article_pks,
                               "ふぁみなび記事",
                               id_field="faminavi_id")
        if self.article_areas:
            self.article_areas_import()
        if self.imported_shops:
            _sequence_past(Shop, max(self.imported_shops))
        self.counters_import()

    def _not_in_export(self, table: str, known: dict, exported, label: str) -> None:
        """Rows imported earlier that this export no longer has are kept (the legacy system
        may have deleted them: withdraw them in the back office), and listed."""
        missing = sorted(legacy for legacy in known
                         if legacy not in exported and legacy < DEMO_LEGACY_BASE)
        if missing:
            sample = ", ".join(str(legacy) for legacy in missing[:20])
            more = " …" if len(missing) > 20 else ""
            self.warn(table, 0, f"以前に移行した{label} {len(missing)} 件がこの出力にありません"
                      f"（残しています。旧システムで削除されたものは管理画面で非公開にしてください）: "
                      f"{sample}{more}")

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

    def shops_import(self) -> None:
        table = self.tables["shop"]
        result = self.report.result("shop")
        grouped: dict[int, list] = defaultdict(list)
        for record in table.records:
            result.rows += 1
            legacy_id = self._legacy_id("shop", record)
            if legacy_id is not None:
                grouped[legacy_id].append(record)
        self.imported_shops = set(grouped)
        self._not_in_export("shop", self.shop_pks, grouped, "協賛店")
        existing = {shop.legacy_id: shop for shop in Shop.objects.filter(
            legacy_id__in=list(grouped)).prefetch_related("benefits")}
        creates, updates, benefit_rows, replace_benefits = [], [], {}, []
        for legacy_id, records in grouped.items():
            parsed = self._shop_parse(legacy_id, records)
            if parsed is None:
                continue
            fields, benefits = parsed
            shop = existing.get(legacy_id)
            if shop is None:
                shop = Shop(legacy_id=legacy_id, live=True, has_unpublished_changes=False,
                            first_published_at=self.now, last_published_at=self.now,
                            **fields)
                if not self._shop_valid(shop, records[0].line):
                    continue
                creates.append(shop)
                benefit_rows[legacy_id] = benefits
                continue
            changed = [name for name, value in fields.items() if getattr(shop, name) != value]
            current = sorted((b.programme_id, b.title, b.detail) for b in shop.benefits.all())
            benefits_changed = current != sorted(benefits)
            if not changed and not benefits_changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(shop, name, fields[name])
            if not self._shop_valid(shop, records[0].line):
                continue
            if shop.has_unpublished_changes:
                self.warn("shop", records[0].line, "ポータルで承認待ちの編集がある協賛店です。"
                          "公開中の内容だけを更新しました")
            updates.append(shop)
            if benefits_changed:
                replace_benefits.append(shop.pk)
                benefit_rows[legacy_id] = benefits
        for batch in _batches(creates):
            for shop in batch:
                shop.search_text = self._search_text(shop, benefit_rows[shop.legacy_id])
            Shop.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        result.created = len(creates)
        for shop in updates:
            shop.updated_at = self.now
            shop.last_published_at = self.now
            titles = benefit_rows.get(shop.legacy_id)
            if titles is None:
                titles = [(b.programme_id, b.title, b.detail) for b in shop.benefits.all()]
            shop.search_text = self._search_text(shop, titles)
        Shop.objects.bulk_update(updates, [*SHOP_FIELDS, "search_text", "updated_at",
                                           "last_published_at"], batch_size=BATCH_SIZE)
        result.updated = len(updates)
        ShopBenefit.objects.filter(shop_id__in=replace_benefits).delete()
        rows = []
        for shop in [*creates, *updates]:
            self.shop_pks[shop.legacy_id] = shop.pk
            for order, (programme_id, title, detail) in enumerate(
                    benefit_rows.get(shop.legacy_id, [])):
                rows.append((shop.pk, programme_id, title, detail, order, False))
        _rows_insert(ShopBenefit, ["shop", "programme", "title", "detail", "sort_order",
                                   "applies_to_branches"], rows)

    def _shop_parse(self, legacy_id: int, records: list, table: str = "shop"
                    ) -> tuple[dict, list] | None:
        first = records[0]
        value = first.values
        benefits, groups_seen = [], {}
        for record in records:
            try:
                group = parse.integer(record.values.get("programme_group")) or 1
            except ValueError as error:
                self.error(table, record.line, f"GROUP: {error}")
                return None
            if group in groups_seen:
                self.error(table, record.line, f"SHOPID {legacy_id} と GROUP {group} の組が重複"
                           f"しています（{groups_seen[group]} 行目と同じ）。この協賛店は読み込みません")
                return None
            groups_seen[group] = record.line
            programme_id = self.masters.programmes.get(group)
            if programme_id is None:
                self.error(table, record.line, f"未知の GROUP です: {group}")
                return None
            title = parse.text(record.values.get("benefit_title"))
            if title:
                benefits.append((programme_id, title[:200],
                                 parse.text(record.values.get("benefit_detail"))))
            elif "benefit_title" in record.values:
                self.warn(table, record.line, "特典（TOKUTENTITLE）が空です")
        try:
            latitude, longitude, warning = parse.coordinates(value.get("latitude"),
                                                             value.get("longitude"))
            mutual = parse.flag(value.get("nationwide_mutual_use"))
            parse.flag(value.get("chain_flag"))
        except ValueError as error:
            self.error(table, first.line, str(error))
            return None
        if warning:
            self.warn(table, first.line, warning)
        address = parse.clean(value.get("address"))
        municipality_id, rest = self.masters.municipality(value.get("municipality_code", ""),
                                                          address)
        if municipality_id is None:
            self.error(table, first.line, f"住所から市区町村が分かりません: {address}")
            return None
        fields = {
            "name": parse.text(value.get("name")),
            "name_kana": parse.text(value.get("name_kana")),
            "postcode": parse.postcode(value.get("postcode")),
            "municipality_id": municipality_id,
            "address": rest,
            "building": parse.text(value.get("building")),
            "latitude": latitude,
            "longitude": longitude,
            "phone": parse.phone(value.get("phone")),
            "opening_hours": parse.text(value.get("opening_hours")),
            "regular_holidays": parse.text(value.get("regular_holidays")),
            "url": parse.clean(value.get("url")),
            "comment": parse.text(value.get("comment")),
            "nationwide_mutual_use": mutual,
        }
        return fields, benefits

    def _shop_valid(self, shop: Shop, line: int) -> bool:
        """The model's own validators and clean(), as the admin form runs them."""
        try:
            shop.full_clean(exclude=["municipality", "parent", "search_text"], validate_unique=False,
                            validate_constraints=False)
        except ValidationError as error:
            self.error("shop", line, _messages(error))
            return False
        return True

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
                           self.shop_pks, "協賛店")

    def member_links_import(self, table_name: str, value_field: str, through, column: str,
                            lookup: dict[str, int]) -> None:
        if table_name not in self.tables:
            return
        self._links_import(table_name, value_field, through, "member", column, lookup,
                           self.member_pks, "会員")

    def _links_import(self, table_name, value_field, through, owner_column, column, lookup,
                      owner_pks, owner_label, id_field=None) -> None:
        """Set the links of every owner row named in the file to exactly the file's."""
        result = self.report.result(table_name)
        id_field = id_field or ("shop_id" if owner_column == "shop" else "user_id")
        wanted: dict[int, set[int]] = defaultdict(set)
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
                self.error(table_name, record.line, f"未知のコードです: {raw}（対応表の [values] "
                           "に追加してください）")
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
        genres = self._temp_links("shop_temp_genre", "genre", self.masters.genres, grouped)
        benefit_types = self._temp_links("shop_temp_tokuten", "benefit_type",
                                         self.masters.benefit_types, grouped)
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
                fields, benefits = parsed
                shop = shops[legacy_id]
                user = users.get(requesters.get(legacy_id))
                live_content = _shop_content(shop)
                applies = {benefit.programme_id: benefit.applies_to_branches
                           for benefit in shop.benefits.all()}
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
        for record in self.tables["owner"].records:
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
        owners = {owner for owner, _shop in wanted}
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
        for record in self.tables["users"].records:
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
        self._not_in_export("users", self.member_pks, seen_ids, "会員")
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
            births_changed = sorted(children.get(member.pk, [])) != births
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
        User.objects.bulk_update(changed_users, ["email", "password"], batch_size=BATCH_SIZE)
        Member.objects.bulk_update(changed_members, [*MEMBER_FIELDS, "updated_at"],
                                   batch_size=BATCH_SIZE)
        for batch in _batches(changed_children, 10_000):
            Child.objects.filter(member_id__in=[pk for pk, _b in batch]).delete()
            _rows_insert(Child, ["member", "birth_date", "nickname"],
                         [(pk, birth, "") for pk, births in batch for birth in births])
        self._members_create(new_rows)
        result.created = len(new_rows)
        if self.member_pks:
            self._member_counter_past(max(self.member_pks))

    def _member_parse(self, record) -> tuple[dict, list, str] | None:
        value = record.values
        try:
            dates = {name: parse.date_parse(value.get(name)) for name in
                     ("due_date", "marriage_date", "planned_marriage_date")}
            births = sorted(parse.date_parse(cell) for cell in value.get("child_birth_date", [])
                            if parse.clean(cell))
            notify = parse.flag(value.get("notify_by_email"))
        except ValueError as error:
            self.error("users", record.line, str(error))
            return None
        today = timezone.localdate()
        if any(birth > today for birth in births):
            self.error("users", record.line, "子どもの生年月日が未来の日付です")
            return None
        code = parse.clean(value.get("municipality_code"))
        municipality_id = None
        if code:
            municipality_id, _rest = self.masters.municipality(code, code)
            if municipality_id is None:
                self.warn("users", record.line, f"市区町村コードが分かりません: {code}（空にしました）")
        fields = {
            "family_name": parse.text(value.get("family_name"))[:50],
            "given_name": parse.text(value.get("given_name"))[:50],
            "family_name_kana": parse.text(value.get("family_name_kana"))[:50],
            "given_name_kana": parse.text(value.get("given_name_kana"))[:50],
            "municipality_id": municipality_id,
            "notify_by_email": notify,
            **dates,
        }
        return fields, births, parse.clean(value.get("member_number"))[:20]

    def _members_create(self, rows: list) -> None:
        for batch in _batches(rows):
            users = [User(email=email, password=password, last_name=fields["family_name"],
                          first_name=fields["given_name"])
                     for _id, email, password, _kept, fields, _births, _number in batch]
            User.objects.bulk_create(users, batch_size=BATCH_SIZE)
            members = [Member(user_id=user.pk, legacy_id=legacy_id,
                              member_number=number or member_number_format(legacy_id), **fields)
                       for user, (legacy_id, _e, _p, _k, fields, _b, number)
                       in zip(users, batch, strict=True)]
            Member.objects.bulk_create(members, batch_size=BATCH_SIZE)
            _rows_insert(Child, ["member", "birth_date", "nickname"],
                         [(member.pk, birth, "") for member, row in zip(members, batch, strict=True)
                          for birth in row[5]])
            _rows_insert(LegacyPasswordSetup, ["user", "created_at"],
                         [(user.pk, self.now) for user, row in zip(users, batch, strict=True)
                          if not row[3]])
            for member in members:
                self.member_pks[member.legacy_id] = member.pk

    def _member_counter_past(self, value: int) -> None:
        counter, _created = Counter.objects.select_for_update().get_or_create(
            name=MEMBER_NUMBER_COUNTER, defaults={"value": 0})
        if counter.value < value:
            counter.value = value
            counter.save(update_fields=["value"])

    def favourites_import(self) -> None:
        result = self.report.result("users_favorite")
        wanted: set[tuple[int, int]] = set()
        for record in self.tables["users_favorite"].records:
            result.rows += 1
            user = self._legacy_id("users_favorite", record, "user_id")
            shop = self._legacy_id("users_favorite", record, "shop_id")
            if user is None or shop is None:
                continue
            if user not in self.member_pks:
                self.error("users_favorite", record.line, f"存在しない会員を指しています: {user}")
                continue
            if shop not in self.shop_pks:
                self.error("users_favorite", record.line, f"存在しない協賛店を指しています: {shop}")
                continue
            wanted.add((self.member_pks[user], self.shop_pks[shop]))
        members = sorted({member for member, _shop in wanted})
        current = set()
        for batch in _batches(members, 10_000):
            current.update(Favourite.objects.filter(member_id__in=batch)
                           .values_list("member_id", "shop_id"))
        new = sorted(wanted - current)
        _rows_insert(Favourite, ["member", "shop", "created_at"],
                     [(member, shop, self.now) for member, shop in new])
        result.created = len(new)
        result.unchanged = len(wanted & current)

    # --- events and ふぁみなび ------------------------------------------------------------


    def contents_import(self, table: str, model, fields_of) -> None:
        """Events and ふぁみなび articles: upsert by legacy id, published, validated by the model."""
        result = self.report.result(table)
        rows, seen = [], {}
        for record in self.tables[table].records:
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
                rows.append((legacy_id, record.line, fields))
        # Only originals carry a legacy id (translations are not copied with it,
        # directory/i18n.py), so the upsert finds the Japanese row.
        existing = {obj.legacy_id: obj for obj in model.objects.filter(
            legacy_id__in=[legacy_id for legacy_id, _line, _fields in rows])}
        # bulk_create sends no pre_save, which would give new rows the default locale.
        default_locale_id = Locale.get_default().pk if rows else None
        creates, updates = [], []
        for legacy_id, line, fields in rows:
            obj = existing.get(legacy_id)
            if obj is None:
                obj = model(legacy_id=legacy_id, live=True, has_unpublished_changes=False,
                            first_published_at=self.now, last_published_at=self.now,
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
        ends_on = parse.date_parse(value.get("ends_on")) or starts_on
        shop_id = None
        shop_legacy = parse.integer(value.get("shop_id"))
        if shop_legacy is not None:
            shop_id = self.shop_pks.get(shop_legacy)
            if shop_id is None:
                raise ValueError(f"存在しない協賛店を指しています: {shop_legacy}")
        return {
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
            for code in re.split(r"[,、\s]+", parse.clean(value.get("area_code"))):
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
        return {
            "title": parse.text(value.get("title"))[:200],
            "summary": parse.text(value.get("summary"))[:300],
            "body": _rich_text(value.get("body")),
            "municipality_id": municipality_id,
            "url": parse.clean(value.get("url")),
        }

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
