"""`manage.py migration_report`: the post-migration inspection (移行後検査).

Compares the legacy export (optional: --source DIR, the files import_legacy
read) with the portal: row counts per table, pending shop edits (shop_temp),
orphans, duplicate e-mail addresses, shops without a map position or outside
Osaka Prefecture, every legacy master code with the portal row it was matched
to (unmatched and created-inactive ones flagged), each *_counter against the
highest id of its table, and a checksum of the key fields of the imported
shops, members, master matches, pending edits and counters (the same data
gives the same checksum, so two runs show at a glance whether anything moved).
Writes migration-report.md and migration-report.html, and migration-rows.csv: every
row the import rejected or altered (file, line, legacy id, field, reason, what was
done), every row it listed as gone from the export, and every source row that is
in neither the portal nor the import's list (silently lost: there should be none).

The report reads the export through the mapping the import used: the last committed
import_legacy run records its mapping (text and SHA-256). Without --mapping the
recorded one is used; a --mapping that differs from it is refused (exit status 1),
as is a report with no recorded import.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone

from directory.accounts.models import Counter, User
from directory.demo import DEMO_LEGACY_BASE
from directory.events.models import Event
from directory.faminavi.models import Article
from directory.members.models import Favourite, Member
from directory.shops.models import Owner, OwnerShop, Shop
from operations.legacy import masters as legacy_masters
from operations.legacy import values as parse
from operations.legacy.mapping import COUNTERS, MappingError, mapping_load
from operations.legacy.reader import FileError, table_read
from operations.models import LegacyPasswordSetup

SAMPLE = 20
TARGETS = {
    # legacy table: (label, portal rows that came from it)
    "shop": ("協賛店", lambda: Shop.objects.filter(legacy_id__isnull=False).count()),
    "shop_chain": ("チェーン支店", lambda: Shop.objects.filter(
        legacy_id__isnull=False, parent__isnull=False).count()),
    "owner": ("オーナー", lambda: Owner.objects.filter(legacy_id__isnull=False).count()),
    "owner_shop": ("オーナーの協賛店", lambda: OwnerShop.objects.filter(
        owner__legacy_id__isnull=False).count()),
    "users": ("会員", lambda: Member.objects.filter(legacy_id__isnull=False).count()),
    "users_favorite": ("お気に入り", lambda: Favourite.objects.filter(
        member__legacy_id__isnull=False).count()),
    "event": ("イベント", lambda: Event.objects.filter(legacy_id__isnull=False).count()),
    "faminavi": ("ふぁみなび記事", lambda: Article.objects.filter(legacy_id__isnull=False).count()),
}
KEYS = {"shop": "legacy_id", "owner": "legacy_id", "users": "legacy_id", "event": "legacy_id",
        "faminavi": "legacy_id", "shop_temp": "legacy_id",
        "shop_chain": "shop_id"}
MASTER_TABLES = ("master", "faminavi_area", "faminavi_city")
# Which portal model holds the ids a counter numbers (for the highest imported id).
COUNTED = {"users": Member, "shop": Shop, "event": Event, "owner": Owner, "faminavi": Article}


@dataclass
class MasterRow:
    table: str
    key: str  # "KIND:CODE"
    name: str  # the legacy name
    matched: str  # "model: code name", or "" (unmatched)
    created: bool = False  # created inactive by the import: to be checked

    @property
    def ok(self) -> bool:
        return bool(self.matched) and not self.created


@dataclass
class CounterRow:
    table: str
    counter: str
    legacy_value: int | None  # from the export (None without --source)
    legacy_max_id: int | None  # the highest id of the numbered table in the export
    portal_value: int | None  # the portal's Counter row
    portal_max_id: int  # the highest legacy id imported

    @property
    def ok(self) -> bool:
        if self.legacy_value is not None and self.legacy_max_id is not None \
                and self.legacy_value < self.legacy_max_id:
            return False
        return self.portal_value is None or self.portal_value >= self.portal_max_id


@dataclass
class Check:
    title: str
    count: int
    samples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.count == 0


@dataclass
class MigrationReport:
    generated_at: object
    counts: list[tuple[str, str, int | None, int, str]]  # table, label, source, target, note
    checks: list[Check]
    checksums: dict[str, str]
    source: str = ""
    masters: list[MasterRow] = field(default_factory=list)
    counters: list[CounterRow] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # migration-rows.csv
    mapping: str = ""  # the mapping file and its SHA-256, as recorded by the import
    lost: int = 0  # source rows neither in the portal nor in the import's list

    @property
    def ok(self) -> bool:
        return not self.lost and all(check.ok for check in self.checks) and all(
            source is None or source == target for _t, _l, source, target, _n in self.counts
        ) and all(row.ok for row in self.masters) and all(row.ok for row in self.counters)


def _source_count(directory: Path, table: str, mapping) -> tuple[int | None, str]:
    table_mapping = mapping.tables.get(table)
    if table_mapping is None:
        return None, "対応表にありません"
    path = directory / table_mapping.file
    if not path.exists():
        return None, "ファイルがありません"
    try:
        data = table_read(path, table_mapping)
    except FileError as error:
        return None, error.message
    key = KEYS.get(table)
    if key:
        return len({record.values.get(key) for record in data.records}), ""
    return len({tuple(sorted((k, str(v)) for k, v in record.values.items()))
                for record in data.records}), ""


def _source_duplicate_emails(directory: Path, mapping) -> Check:
    """E-mail addresses used by more than one legacy account (users and owners, case folded):
    the import keeps the first and rejects the others."""
    lines: dict[str, list[str]] = {}
    for table in ("owner", "users"):
        table_mapping = mapping.tables.get(table)
        if table_mapping is None or not (directory / table_mapping.file).exists():
            continue
        try:
            data = table_read(directory / table_mapping.file, table_mapping)
        except FileError:
            continue
        for record in data.records:
            email = parse.clean(record.values.get("email")).lower()
            if email:
                lines.setdefault(email, []).append(f"{table_mapping.file}:{record.line}")
    duplicates = {email: where for email, where in lines.items() if len(where) > 1}
    return Check("旧データ内で重複しているメールアドレス", len(duplicates),
                 [f"{email} ({', '.join(where)})" for email, where
                  in list(duplicates.items())[:SAMPLE]])


def _source_records(directory: Path | None, table: str, mapping) -> list | None:
    """The records of one legacy file, or None (no --source, not mapped, absent, unusable)."""
    if directory is None:
        return None
    table_mapping = mapping.tables.get(table)
    if table_mapping is None or not (Path(directory) / table_mapping.file).exists():
        return None
    try:
        return table_read(Path(directory) / table_mapping.file, table_mapping).records
    except FileError:
        return None


def _masters_rows(source: Path | None, mapping) -> list[MasterRow]:
    """Every legacy master code with what it was matched to (from the export when given,
    else the codes the import recorded on the portal's masters)."""
    matches = legacy_masters.legacy_matches()
    rows, seen = [], set()
    for table in MASTER_TABLES:
        for record in _source_records(source, table, mapping) or []:
            kind = parse.clean(record.values.get("kind")) if table == "master" else table
            code = parse.clean(record.values.get("code"))
            if not code:
                continue
            key = legacy_masters.legacy_key(kind, code)
            if key in seen:
                continue
            seen.add(key)
            rows.append(_master_row(table, key, parse.text(record.values.get("name")),
                                    matches.get(key)))
    for key, match in sorted(matches.items()):
        if key not in seen:
            kind = key.partition(":")[0]
            table = kind if kind in ("faminavi_area", "faminavi_city") else "master"
            rows.append(_master_row(table, key, "", match))
    return rows


def _master_row(table: str, key: str, name: str, match) -> MasterRow:
    if match is None:
        return MasterRow(table, key, name, "")
    label, code, portal_name, active = match
    created = not active and code.startswith("legacy-")
    return MasterRow(table, key, name, f"{label}: {code} {portal_name}", created=created)


def _counter_rows(source: Path | None, mapping) -> list[CounterRow]:
    rows = []
    for table, (name, numbered) in COUNTERS.items():
        legacy_value = legacy_max = None
        records = _source_records(source, table, mapping)
        if records:
            numbers = [parse.integer(r.values.get("value")) for r in records
                       if _integer_or_none(r.values.get("value")) is not None]
            legacy_value = max(numbers) if numbers else None
        numbered_records = _source_records(source, numbered, mapping)
        if numbered_records is not None:
            ids = [_integer_or_none(r.values.get("legacy_id")) for r in numbered_records]
            legacy_max = max([i for i in ids if i is not None] or [0])
        portal = Counter.objects.filter(name=name).values_list("value", flat=True).first()
        portal_max = COUNTED[numbered].objects.filter(legacy_id__lt=DEMO_LEGACY_BASE).aggregate(
            top=Max("legacy_id"))["top"] or 0
        if records is None and portal is None and not portal_max:
            continue
        rows.append(CounterRow(table, name, legacy_value, legacy_max, portal, portal_max))
    return rows


def _integer_or_none(value) -> int | None:
    try:
        return parse.integer(value)
    except ValueError:
        return None


def _checksum(rows) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:16]


ROW_COLUMNS = ["file", "line", "legacy_id", "field", "reason", "action", "level"]
ROW_HEADINGS = ["ファイル", "行", "旧ID", "項目", "理由", "対応", "区分"]
# Tables whose rows become one portal row each: a source id missing in the portal
# must have been listed by the import (else it was lost silently).
LOST_CHECK = {"shop": Shop, "owner": Owner, "users": Member, "event": Event,
              "faminavi": Article}


def _last_run():
    from operations.models import LegacyImportRun

    return LegacyImportRun.objects.order_by("-created_at", "-pk").first()


def _report_mapping(run, mapping_path: Path | None):
    """The mapping the recorded import used; a different --mapping is refused."""
    if run is None:
        raise MappingError("import_legacy で取り込んだ記録がありません（先に import_legacy を"
                           "実行してください。--dry-run は記録しません）")
    if mapping_path is None:
        return mapping_load(Path(run.mapping_path), text=run.mapping_text)
    mapping = mapping_load(mapping_path)
    if mapping.sha256 != run.mapping_sha256:
        raise MappingError(
            f"対応表が取り込み時と違います: {mapping_path} (SHA-256 {mapping.sha256[:12]}…) / "
            f"取り込み {run.created_at:%Y-%m-%d %H:%M} は {run.mapping_path} "
            f"(SHA-256 {run.mapping_sha256[:12]}…)。--mapping を省くと取り込み時の対応表を使います")
    return mapping


def _rows(run, source: Path | None, mapping) -> tuple[list[dict], int]:
    """Every row that needed a decision (the import's list), then every source row of
    the keyed tables that is in neither the portal nor that list."""
    rows = [{name: issue.get(name, "") for name in ROW_COLUMNS[:-1]}
            | {"reason": issue.get("message", ""), "level": issue.get("level", "")}
            for issue in run.issues]
    lost = 0
    if source is None:
        return rows, lost
    listed = {(row["file"], str(row["legacy_id"])) for row in rows}
    for table, model in LOST_CHECK.items():
        records = _source_records(source, table, mapping)
        if not records:
            continue
        file = mapping.tables[table].file
        known = set(model.objects.filter(legacy_id__isnull=False)
                    .values_list("legacy_id", flat=True))
        for record in records:
            legacy_id = _integer_or_none(record.values.get("legacy_id"))
            if legacy_id in known or (file, parse.clean(record.values.get("legacy_id"))) \
                    in listed:
                continue
            lost += 1
            rows.append({"file": file, "line": record.line,
                         "legacy_id": parse.clean(record.values.get("legacy_id")), "field": "",
                         "reason": "ポータルになく、取り込みの記録にも理由がありません",
                         "action": "要調査（取り込まれていません）", "level": "error"})
    return rows, lost


def migration_report_rows_csv(report: MigrationReport, path: Path) -> None:
    """UTF-8 with BOM (Excel opens it as is), one row per line: sortable by any column."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(ROW_HEADINGS)
        for row in sorted(report.rows, key=lambda row: (row["file"], int(row["line"] or 0))):
            writer.writerow([row[name] for name in ROW_COLUMNS])


def migration_report_build(*, source: Path | None = None,
                           mapping_path: Path | None = None) -> MigrationReport:
    run = _last_run()
    mapping = _report_mapping(run, mapping_path)
    counts = []
    for table, (label, target) in TARGETS.items():
        source_count, note = (None, "")
        if source is not None:
            source_count, note = _source_count(Path(source), table, mapping)
        counts.append((table, label, source_count, target(), note))

    legacy_shops = Shop.objects.filter(legacy_id__isnull=False)
    no_position = legacy_shops.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
    outside = [shop for shop in legacy_shops.filter(latitude__isnull=False)
               .only("pk", "legacy_id", "name", "latitude", "longitude")
               if not parse.in_osaka(shop.latitude, shop.longitude)]
    duplicates = list(User.objects.annotate(folded=Lower("email")).values("folded")
                      .annotate(n=Count("pk")).filter(n__gt=1).values_list("folded", flat=True))
    bad_branches = Shop.objects.filter(parent__isnull=False).filter(
        Q(parent__is_chain_head=False) | Q(parent__live=False))
    favourites_hidden = Favourite.objects.filter(shop__live=False)
    owners_without_shops = Owner.objects.filter(owner_shops__isnull=True)
    no_benefit = legacy_shops.filter(benefits__isnull=True, parent__isnull=True)

    def names(queryset, fmt=lambda shop: f"SHOPID {shop.legacy_id} {shop.name}"):
        return [fmt(obj) for obj in queryset[:SAMPLE]]

    checks = [
        Check("地図の位置がない協賛店", no_position.count(), names(no_position)),
        Check("大阪府の範囲外に位置がある協賛店", len(outside), names(outside)),
        Check("特典のない協賛店（チェーン支店を除く）", no_benefit.count(), names(no_benefit)),
        Check("親が本部でない、または非公開のチェーン支店", bad_branches.count(),
              names(bad_branches)),
        Check("非公開の協賛店を指すお気に入り（孤立）", favourites_hidden.count(),
              [f"{f.member_id} → {f.shop_id}" for f in favourites_hidden[:SAMPLE]]),
        Check("協賛店のないオーナー（孤立）", owners_without_shops.count(),
              [f"OWNERID {o.legacy_id} {o.name}" for o in owners_without_shops[:SAMPLE]]),
        Check("大文字小文字だけが違う重複メールアドレス", len(duplicates), duplicates[:SAMPLE]),
        Check("パスワード再設定メール未送信のアカウント",
              LegacyPasswordSetup.objects.filter(sent_at__isnull=True).count()),
    ]
    if source is not None:
        checks.append(_source_duplicate_emails(Path(source), mapping))
    temps = _source_records(source, "shop_temp", mapping)
    if temps is not None:
        known = set(Shop.objects.filter(legacy_id__isnull=False).values_list("legacy_id",
                                                                              flat=True))
        dangling = [f"{mapping.tables['shop_temp'].file}:{record.line} SHOPID "
                    f"{record.values.get('legacy_id')}" for record in temps
                    if _integer_or_none(record.values.get("legacy_id")) not in known]
        checks.append(Check("存在しない協賛店を指す shop_temp（孤立）", len(dangling),
                            dangling[:SAMPLE]))
        legacy_temps = len({record.values.get("legacy_id") for record in temps})
        counts.append(("shop_temp", "下書き・承認待ちの編集", None, legacy_shops.filter(
            has_unpublished_changes=True).count(), f"旧システム {legacy_temps} 件"
            "（公開中と同じ内容のものは作りません）"))
    else:
        counts.append(("shop_temp", "下書き・承認待ちの編集", None,
                       legacy_shops.filter(has_unpublished_changes=True).count(), ""))
    pending = legacy_shops.filter(workflow_states__status="in_progress").distinct()
    counts.append(("shop_temp", "うち承認待ち（事務局の承認待ち一覧）", None, pending.count(), ""))
    masters = _masters_rows(Path(source) if source is not None else None, mapping)
    unmatched = [row for row in masters if not row.matched]
    created = [row for row in masters if row.created]
    checks.append(Check("ポータルのマスタに対応しない旧コード", len(unmatched),
                        [f"{row.key} {row.name}" for row in unmatched[:SAMPLE]]))
    checks.append(Check("旧コードから無効の状態で作成したマスタ（確認して有効にするか統合）",
                        len(created), [f"{row.key} → {row.matched}" for row in created[:SAMPLE]]))
    counters = _counter_rows(Path(source) if source is not None else None, mapping)
    checksums = {
        "shops": _checksum(legacy_shops.order_by("legacy_id").values_list(
            "legacy_id", "name", "postcode", "municipality__code", "address", "phone",
            "latitude", "longitude", "parent__legacy_id")),
        "benefits": _checksum(legacy_shops.filter(benefits__isnull=False)
                              .order_by("legacy_id", "benefits__programme__legacy_group")
                              .values_list("legacy_id", "benefits__programme__legacy_group",
                                           "benefits__title", "benefits__detail")),
        "members": _checksum(Member.objects.filter(legacy_id__isnull=False)
                             .order_by("legacy_id").values_list("legacy_id", "user__email",
                                                                "member_number")),
        "favourites": _checksum(Favourite.objects.filter(member__legacy_id__isnull=False)
                                .annotate(shop_legacy=F("shop__legacy_id"))
                                .order_by("member__legacy_id", "shop_legacy")
                                .values_list("member__legacy_id", "shop_legacy")),
        "masters": _checksum(sorted((row.key, row.matched) for row in masters if row.matched)),
        "shop_temp": _checksum(_temp_contents(legacy_shops)),
        "counters": _checksum((row.counter, row.portal_value) for row in counters),
    }
    rows, lost = _rows(run, Path(source) if source is not None else None, mapping)
    checks.insert(0, Check("出力にあるのにポータルにも取り込みの記録にもない行（消えた行）", lost,
                           [f"{row['file']}:{row['line']} {row['legacy_id']}"
                            for row in rows if row["action"].startswith("要調査")][:SAMPLE]))
    return MigrationReport(generated_at=timezone.localtime(), counts=counts, checks=checks,
                           checksums=checksums, source=str(source or ""), masters=masters,
                           counters=counters, rows=rows, lost=lost,
                           mapping=f"{run.mapping_path} (SHA-256 {run.mapping_sha256}), "
                                   f"取り込み {timezone.localtime(run.created_at):%Y-%m-%d %H:%M}")


def _temp_contents(legacy_shops):
    """(SHOPID, the pending revision's content, waiting for approval?) of every shop with
    a pending edit: same pending edits, same checksum."""
    from operations.legacy.importer import _shop_content

    for shop in legacy_shops.filter(has_unpublished_changes=True).select_related(
            "latest_revision").order_by("legacy_id"):
        if shop.latest_revision is None:
            continue
        yield (shop.legacy_id, _shop_content(shop.latest_revision.as_object()),
               shop.workflow_states.filter(status="in_progress").exists())


def migration_report_markdown(report: MigrationReport) -> str:
    lines = ["# 移行後検査レポート", "",
             f"- 作成日時: {report.generated_at:%Y-%m-%d %H:%M}",
             f"- 比較元: {report.source or '（指定なし）'}",
             f"- 対応表: {report.mapping}",
             f"- 判断が必要な行: {len(report.rows)} 件（migration-rows.csv）",
             f"- 判定: {'問題なし' if report.ok else '要確認'}", "",
             "## 件数", "", "| 旧テーブル | 内容 | 旧システム | ポータル | 備考 |",
             "|---|---|---:|---:|---|"]
    for table, label, source, target, note in report.counts:
        mark = "" if source is None or source == target else " ⚠ 不一致"
        lines.append(f"| {table} | {label} | {'' if source is None else source} | {target} "
                     f"| {note}{mark} |")
    lines += ["", "## 点検項目", ""]
    for check in report.checks:
        lines.append(f"- {'OK' if check.ok else '要確認'}: {check.title}: {check.count} 件")
        lines.extend(f"  - {sample}" for sample in check.samples)
    lines += ["", "## 旧マスタコードの対応", "",
              "| 旧テーブル | 旧コード | 旧名称 | ポータル | 判定 |", "|---|---|---|---|---|"]
    for row in report.masters:
        verdict = "OK" if row.ok else ("⚠ 要確認（無効で作成）" if row.created else "⚠ 未対応")
        lines.append(f"| {row.table} | {row.key} | {row.name} | {row.matched or '—'} "
                     f"| {verdict} |")
    lines += ["", "## 採番カウンタ", "",
              "| 旧テーブル | カウンタ | 旧システムの値 | 旧データの最大ID | ポータルの値 "
              "| ポータルの最大旧ID | 判定 |", "|---|---|---:|---:|---:|---:|---|"]
    for row in report.counters:
        cells = [row.legacy_value, row.legacy_max_id, row.portal_value, row.portal_max_id]
        cells = " | ".join("" if cell is None else str(cell) for cell in cells)
        lines.append(f"| {row.table} | {row.counter} | {cells} | "
                     f"{'OK' if row.ok else '⚠ カウンタが最大IDより小さい'} |")
    lines += ["", "## チェックサム（主要項目）", "", "| 対象 | 値 |", "|---|---|"]
    lines.extend(f"| {name} | `{value}` |" for name, value in report.checksums.items())
    return "\n".join(lines) + "\n"


def migration_report_write(report: MigrationReport, output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    markdown = output / "migration-report.md"
    markdown.write_text(migration_report_markdown(report), encoding="utf-8")
    html = output / "migration-report.html"
    html.write_text(render_to_string("operations/migration_report.html", {"report": report}),
                    encoding="utf-8")
    rows = output / "migration-rows.csv"
    migration_report_rows_csv(report, rows)
    return [markdown, html, rows]
