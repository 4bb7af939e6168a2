"""Bulk shop import/export for the secretariat (back office, CSV or XLSX).

One format both ways: the export writes the current list (with the listing's
filters) and the import reads the same columns, so exporting and importing
the file again changes nothing. The import is two steps: `bulk_preview` reads
the file and validates every row as the admin form would (the model's
validators and clean(), the masters, the chain rules, at least one benefit),
without saving; `bulk_apply` saves the previewed rows in one transaction, each
changed shop through a revision that is published (history and compare as
with an edit in the admin), and refuses if any row has an error.

Columns: BASE_COLUMNS below, then benefit_<programme code>_title / _detail /
_branches for each programme (header row with these names; list fields hold
master codes separated by spaces; flags are 0/1). legacy_id is exported for
reference and never changed by an import. docs/migration.md describes the
screens.

No cell is exported as a formula (operations/spreadsheets.py): in the CSV a text
starting with = + - @, tab, CR or ' gets one ' in front, which the CSV import takes
off again (exactly that one); in the XLSX every cell is a string cell.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from directory.masters.models import BenefitType, Facility, Genre, Municipality, Programme
from directory.shops.admin_forms import NO_BENEFIT
from directory.shops.models import Shop, ShopBenefit
from operations.spreadsheets import csv_cell_unescape, csv_row, xlsx_cell

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# Each changed row is saved as a revision and published within the request: more than
# this many in one file would take minutes, so the file is to be split
# (settings.PORTAL["BULK_IMPORT_MAX_CHANGES"] overrides it).
MAX_CHANGES = 1_000


def max_changes() -> int:
    return int(settings.PORTAL.get("BULK_IMPORT_MAX_CHANGES", MAX_CHANGES))
BASE_COLUMNS = ["id", "legacy_id", "name", "name_kana", "postcode", "municipality_code",
                "address", "building", "latitude", "longitude", "phone", "opening_hours",
                "regular_holidays", "url", "comment", "nationwide_mutual_use", "is_chain_head",
                "parent_id", "genres", "benefit_types", "facilities"]
TEXT_FIELDS = ["name", "name_kana", "postcode", "address", "building", "phone", "opening_hours",
               "regular_holidays", "url", "comment"]
READ_ONLY = {"legacy_id"}


class BulkFileError(Exception):
    """The file as a whole cannot be read (nothing is previewed)."""


def _programmes() -> list[Programme]:
    return list(Programme.objects.order_by("legacy_group"))


def bulk_columns(programmes: list[Programme] | None = None) -> list[str]:
    programmes = programmes if programmes is not None else _programmes()
    columns = list(BASE_COLUMNS)
    for programme in programmes:
        columns += [f"benefit_{programme.code}_title", f"benefit_{programme.code}_detail",
                    f"benefit_{programme.code}_branches"]
    return columns


def _number(value) -> str:
    if value is None:
        return ""
    return repr(float(value))


def bulk_export_rows(shops) -> tuple[list[str], list[list[str]]]:
    programmes = _programmes()
    columns = bulk_columns(programmes)
    rows = []
    shops = shops.select_related("municipality").prefetch_related(
        "genres", "benefit_types", "facilities", "benefits").order_by("pk")
    for shop in shops:
        benefits = {benefit.programme_id: benefit for benefit in shop.benefits.all()}
        row = [str(shop.pk), "" if shop.legacy_id is None else str(shop.legacy_id),
               shop.name, shop.name_kana, shop.postcode, shop.municipality.code, shop.address,
               shop.building, _number(shop.latitude), _number(shop.longitude), shop.phone,
               shop.opening_hours, shop.regular_holidays, shop.url, shop.comment,
               "1" if shop.nationwide_mutual_use else "0", "1" if shop.is_chain_head else "0",
               "" if shop.parent_id is None else str(shop.parent_id),
               " ".join(sorted(g.code for g in shop.genres.all())),
               " ".join(sorted(t.code for t in shop.benefit_types.all())),
               " ".join(sorted(f.code for f in shop.facilities.all()))]
        for programme in programmes:
            benefit = benefits.get(programme.pk)
            row += ([benefit.title, benefit.detail, "1" if benefit.applies_to_branches else "0"]
                    if benefit else ["", "", "0"])
        rows.append(row)
    return columns, rows


def bulk_export_csv(shops) -> bytes:
    columns, rows = bulk_export_rows(shops)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    # A cell that starts like a formula gets a quote in front (operations.spreadsheets);
    # the import takes exactly that quote off again.
    writer.writerows(csv_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8-sig")  # with a BOM, so Excel reads UTF-8


def bulk_export_xlsx(shops) -> bytes:
    from openpyxl import Workbook

    columns, rows = bulk_export_rows(shops)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("shops")
    sheet.append(columns)
    for row in rows:
        # Every cell a string cell: codes and phone numbers keep their zeros, and a name
        # starting with "=" is text, never a formula.
        sheet.append([xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading ----------------------------------------------------------------------------


def _read_table(data: bytes, filename: str) -> list[list[str]]:
    if len(data) > MAX_BYTES:
        raise BulkFileError(_("The file is larger than 10 MB. Split it into smaller files."))
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise BulkFileError(_("The file could not be read as an Excel (XLSX) file.")) \
                from error
        sheet = workbook.worksheets[0]
        table = [["" if cell is None else str(cell) for cell in row]
                 for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return table
    if not filename.lower().endswith(".csv"):
        raise BulkFileError(_("Upload a CSV or XLSX file."))
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BulkFileError(_("The file's character encoding is neither UTF-8 nor Shift_JIS."))
    try:
        return [[csv_cell_unescape(cell) for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise BulkFileError(_("The file could not be read as CSV.")) from error


@dataclass
class PreviewRow:
    line: int
    shop_id: int | None
    name: str
    action: str = "unchanged"  # create, update, unchanged, error
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)


@dataclass
class Preview:
    rows: list[PreviewRow]

    @property
    def errors(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.errors]

    @property
    def to_create(self) -> int:
        return sum(row.action == "create" for row in self.rows)

    @property
    def to_update(self) -> int:
        return sum(row.action == "update" for row in self.rows)

    @property
    def unchanged(self) -> int:
        return sum(row.action == "unchanged" for row in self.rows)

    @property
    def too_many_changes(self) -> bool:
        return self.to_create + self.to_update > max_changes()

    @property
    def max_changes(self) -> int:
        return max_changes()

    @property
    def can_apply(self) -> bool:
        return (not self.errors and not self.too_many_changes
                and (self.to_create or self.to_update) > 0)


def _flag(value: str) -> bool:
    value = value.strip().lower()
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise ValueError(_("Enter 0 or 1."))


def _float(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    return float(value)


def _codes(value: str, lookup: dict[str, int], label: str, errors: list[str]) -> set[int]:
    found = set()
    for code in value.replace(",", " ").split():
        if code not in lookup:
            errors.append(_("%(field)s: unknown code %(code)s.") % {"field": label, "code": code})
        else:
            found.add(lookup[code])
    return found


def bulk_preview(*, data: bytes, filename: str, user) -> Preview:
    from directory.access import shops_for_user

    table = _read_table(data, filename)
    if not table or not any(cell.strip() for cell in table[0]):
        raise BulkFileError(_("The file is empty: the first row must hold the column names."))
    programmes = _programmes()
    columns = bulk_columns(programmes)
    header = [cell.strip() for cell in table[0]]
    missing = [column for column in columns if column not in header]
    extra = [column for column in header if column and column not in columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if extra:
            parts.append(_("unknown columns: %(names)s") % {"names": ", ".join(extra)})
        raise BulkFileError(_("The header row does not match the export format (%(detail)s).")
                            % {"detail": "; ".join(parts)})
    if len(table) - 1 > MAX_ROWS:
        raise BulkFileError(_("The file has more than %(max)d rows. Split it into smaller files.")
                            % {"max": MAX_ROWS})
    index = {name: header.index(name) for name in columns}
    municipalities = dict(Municipality.objects.values_list("code", "pk"))
    genres = dict(Genre.objects.values_list("code", "pk"))
    types = dict(BenefitType.objects.values_list("code", "pk"))
    facilities = dict(Facility.objects.values_list("code", "pk"))
    records = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(str(cell).strip() for cell in cells):
            continue
        cells = [str(cell) for cell in cells] + [""] * (len(header) - len(cells))
        records.append((number, {name: cells[index[name]] for name in columns}))
    ids = []
    for _line, record in records:
        if record["id"].strip().isdigit():
            ids.append(int(record["id"]))
    reachable = shops_for_user(user)
    existing = {shop.pk: shop for shop in reachable.filter(pk__in=ids).prefetch_related(
        "genres", "benefit_types", "facilities", "benefits")}
    heads = set(Shop.objects.filter(is_chain_head=True).values_list("pk", flat=True))
    live_heads_giving = set(ShopBenefit.objects.filter(
        applies_to_branches=True, shop__live=True).values_list("shop_id", flat=True))
    seen: dict[int, int] = {}
    rows = []
    for line, record in records:
        row = PreviewRow(line=line, shop_id=None, name=record["name"].strip())
        rows.append(row)
        errors = row.errors
        raw_id = record["id"].strip()
        shop = None
        if raw_id:
            if not raw_id.isdigit() or int(raw_id) not in existing:
                errors.append(_("id %(id)s: no such sponsor shop.") % {"id": raw_id})
                continue
            row.shop_id = int(raw_id)
            if row.shop_id in seen:
                errors.append(_("id %(id)s appears twice (also on line %(line)d).")
                              % {"id": raw_id, "line": seen[row.shop_id]})
                continue
            seen[row.shop_id] = line
            shop = existing[row.shop_id]
        values = {name: record[name].strip() for name in TEXT_FIELDS}
        try:
            values["latitude"] = _float(record["latitude"])
            values["longitude"] = _float(record["longitude"])
        except ValueError:
            errors.append(_("latitude/longitude: enter a number."))
        for flag_name in ("nationwide_mutual_use", "is_chain_head"):
            try:
                values[flag_name] = _flag(record[flag_name])
            except ValueError as error:
                errors.append(f"{flag_name}: {error}")
        code = record["municipality_code"].strip()
        values["municipality_id"] = municipalities.get(code)
        if values["municipality_id"] is None:
            errors.append(_("municipality_code: unknown code %(code)s.") % {"code": code})
        parent = record["parent_id"].strip()
        values["parent_id"] = None
        if parent:
            if not parent.isdigit() or int(parent) not in heads:
                errors.append(_("parent_id: %(id)s is not a chain head.") % {"id": parent})
            else:
                values["parent_id"] = int(parent)
        m2m = {
            "genres": _codes(record["genres"], genres, "genres", errors),
            "benefit_types": _codes(record["benefit_types"], types, "benefit_types", errors),
            "facilities": _codes(record["facilities"], facilities, "facilities", errors),
        }
        benefits = []
        for programme in programmes:
            title = record[f"benefit_{programme.code}_title"].strip()
            detail = record[f"benefit_{programme.code}_detail"].strip()
            try:
                branches = _flag(record[f"benefit_{programme.code}_branches"])
            except ValueError as error:
                errors.append(f"benefit_{programme.code}_branches: {error}")
                branches = False
            if title:
                benefits.append((programme.pk, title, detail, branches))
            elif detail:
                errors.append(_("benefit_%(code)s_title: enter the benefit's title.")
                              % {"code": programme.code})
        if not benefits and values["parent_id"] not in live_heads_giving:
            errors.append(str(NO_BENEFIT))
        if errors:
            continue
        candidate = Shop(pk=shop.pk if shop else None,
                         legacy_id=shop.legacy_id if shop else None,
                         **{name: values[name] for name in [*TEXT_FIELDS, "latitude",
                                                            "longitude", "nationwide_mutual_use",
                                                            "is_chain_head", "municipality_id",
                                                            "parent_id"]})
        try:
            candidate.full_clean(exclude=["municipality", "parent", "search_text"],
                                 validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                label = name if name != "__all__" else ""
                errors.extend(f"{label}: {message}" if label else message for message in messages)
            continue
        row.values = {"fields": {name: getattr(candidate, name) for name in
                                 [*TEXT_FIELDS, "latitude", "longitude", "nationwide_mutual_use",
                                  "is_chain_head", "municipality_id", "parent_id"]},
                      "m2m": m2m, "benefits": benefits}
        if shop is None:
            row.action = "create"
            continue
        changes = [name for name, value in row.values["fields"].items()
                   if getattr(shop, name) != value]
        for name, wanted in m2m.items():
            if {obj.pk for obj in getattr(shop, name).all()} != wanted:
                changes.append(name)
        current = sorted((b.programme_id, b.title, b.detail, b.applies_to_branches)
                         for b in shop.benefits.all())
        if current != sorted(benefits):
            changes.append("benefits")
        if changes and shop.has_unpublished_changes:
            errors.append(_("This shop has changes awaiting approval or a draft; finish those "
                            "in the editor first."))
            continue
        row.changes = changes
        row.action = "update" if changes else "unchanged"
    for row in rows:
        if row.errors:
            row.action = "error"
    return Preview(rows=rows)


@transaction.atomic
def bulk_apply(*, data: bytes, filename: str, user) -> Preview:
    """Validate again (the data may have changed since the preview) and save all or none."""
    preview = bulk_preview(data=data, filename=filename, user=user)
    if not preview.can_apply:
        return preview
    for row in preview.rows:
        if row.action not in ("create", "update"):
            continue
        shop = Shop(live=False) if row.action == "create" else Shop.objects.get(pk=row.shop_id)
        for name, value in row.values["fields"].items():
            setattr(shop, name, value)
        models = {"genres": Genre, "benefit_types": BenefitType, "facilities": Facility}
        for name, pks in row.values["m2m"].items():
            setattr(shop, name, list(models[name].objects.filter(pk__in=pks)))
        shop.benefits = [ShopBenefit(programme_id=programme_id, title=title, detail=detail,
                                     applies_to_branches=branches, sort_order=order)
                         for order, (programme_id, title, detail, branches)
                         in enumerate(row.values["benefits"])]
        shop.save()
        shop.save_revision(user=user, log_action=True).publish(user=user)
        row.shop_id = shop.pk
    return preview
