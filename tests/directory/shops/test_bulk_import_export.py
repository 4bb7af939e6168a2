"""The secretariat's bulk shop import/export in the back office, through HTTP."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from directory.accounts import roles
from directory.masters.models import Genre, Municipality
from directory.shops.models import Shop
from tests.factories import ShopBenefitFactory, ShopFactory, UserFactory, owner_with_shop

pytestmark = pytest.mark.django_db

IMPORT = "shops_bulk_import"
EXPORT = "shops_bulk_export"


@pytest.fixture
def listing(masters):
    shops = []
    for index in range(3):
        shop = ShopFactory(name=f"一括テスト店{index}", comment="行1\n行2",
                           latitude=34.6863 + index / 1000, longitude=135.52)
        ShopBenefitFactory(shop=shop)
        shop.genres.add(Genre.objects.get(code="cafe"))
        shop.save()  # commits the parental many-to-many
        shops.append(shop)
    head = ShopFactory(name="チェーン本部", is_chain_head=True)
    ShopBenefitFactory(shop=head, applies_to_branches=True)
    ShopFactory(name="チェーン支店", parent=head, latitude=None, longitude=None)
    ShopFactory(name="堺の店", municipality=Municipality.objects.get(code="271403"))
    for shop in Shop.objects.filter(benefits__isnull=True, parent__isnull=True):
        ShopBenefitFactory(shop=shop)
    return shops


@pytest.fixture
def secretariat_client(client, masters):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    return client


def _snapshot():
    rows = []
    for shop in Shop.objects.order_by("pk").prefetch_related("genres", "benefits"):
        rows.append((shop.pk, shop.name, shop.comment, shop.latitude, shop.longitude,
                     shop.parent_id, shop.updated_at, shop.revisions.count(),
                     sorted(g.code for g in shop.genres.all()),
                     sorted((b.programme_id, b.title, b.detail) for b in shop.benefits.all())))
    return rows


def _file(content: bytes, name: str):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _upload(client, content: bytes, name: str):
    return client.post(reverse(IMPORT), {"file": _file(content, name)})


def _token(response) -> str:
    return response.context["token"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_round_trip_changes_nothing(secretariat_client, listing, file_format):
    before = _snapshot()
    exported = secretariat_client.get(reverse(EXPORT), {"format": file_format})
    assert exported.status_code == 200
    response = _upload(secretariat_client, exported.content, f"shops.{file_format}")
    assert response.status_code == 200
    preview = response.context["preview"]
    assert not preview.errors and preview.to_create == 0 and preview.to_update == 0
    assert preview.unchanged == Shop.objects.count()
    assert not preview.can_apply
    assert _snapshot() == before


def test_export_honours_filters(secretariat_client, listing):
    sakai = Municipality.objects.get(code="271403")
    response = secretariat_client.get(reverse(EXPORT), {"format": "csv",
                                                        "municipality": sakai.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["堺の店"]
    keyword = secretariat_client.get(reverse(EXPORT), {"format": "csv", "q": "一括テスト"})
    names = [row[2] for row in csv.reader(io.StringIO(keyword.content.decode("utf-8-sig")))]
    assert names[1:] == ["一括テスト店0", "一括テスト店1", "一括テスト店2"]
    xlsx = secretariat_client.get(reverse(EXPORT), {"format": "xlsx", "municipality": sakai.pk})
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [row[2] for row in sheet.iter_rows(values_only=True)][1:] == ["堺の店"]


def test_preview_then_apply_changes_and_creates(secretariat_client, listing):
    exported = secretariat_client.get(reverse(EXPORT), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    header = rows[0]
    target = next(row for row in rows if row[2] == "一括テスト店0")
    target[header.index("name")] = "一括テスト店0（改装）"
    new = list(target)
    new[header.index("id")] = ""
    new[header.index("legacy_id")] = ""
    new[header.index("name")] = "新しい店"
    rows.append(new)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = _upload(secretariat_client, buffer.getvalue().encode("cp932"), "edit.csv")
    preview = response.context["preview"]
    assert (preview.to_create, preview.to_update, len(preview.errors)) == (1, 1, 0)
    assert not Shop.objects.filter(name="新しい店").exists()  # nothing saved by the preview
    applied = secretariat_client.post(reverse(IMPORT), {"apply": "1",
                                                        "token": _token(response)})
    assert applied.status_code == 302
    changed = Shop.objects.get(pk=listing[0].pk)
    assert changed.name == "一括テスト店0（改装）" and changed.live
    assert changed.revisions.count() == 1 and changed.live_revision is not None
    created = Shop.objects.get(name="新しい店")
    assert created.live and not created.has_unpublished_changes
    assert created.benefits.count() == 1 and list(created.genres.values_list("code", flat=True)) \
        == ["cafe"]
    # The token is single use.
    again = secretariat_client.post(reverse(IMPORT), {"apply": "1", "token": _token(response)},
                                    follow=True)
    assert Shop.objects.filter(name="新しい店").count() == 1
    assert "有効期限が切れました" in again.content.decode()


def test_rows_with_errors_are_listed_and_nothing_can_be_applied(secretariat_client, listing):
    exported = secretariat_client.get(reverse(EXPORT), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    header = rows[0]
    rows[1][header.index("postcode")] = "12345"
    rows[2][header.index("municipality_code")] = "999999"
    rows[3][header.index("genres")] = "no-such-genre"
    rows[3][header.index("name")] = "変更したが保存されない"
    duplicate = list(rows[1])
    rows.append(duplicate)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    before = _snapshot()
    response = _upload(secretariat_client, buffer.getvalue().encode(), "bad.csv")
    assert response.status_code == 400
    preview = response.context["preview"]
    errors = {row.line: " ".join(row.errors) for row in preview.errors}
    assert "postcode" in errors[2] and "540-8570" in errors[2]
    assert "999999" in errors[3]
    assert "no-such-genre" in errors[4]
    assert "重複" in errors[len(rows)]
    assert not preview.can_apply
    assert 'name="apply"' not in response.content.decode()
    forced = secretariat_client.post(reverse(IMPORT), {"apply": "1", "token": _token(response)})
    assert forced.status_code == 400
    assert _snapshot() == before


@pytest.mark.parametrize("content,name,message", [
    (b"", "empty.csv", "空"),
    (b"id,name\r\n1,x\r\n", "short.csv", "見出し"),
    (b"\x81\x20\xff\xfe", "broken.csv", "文字コード"),
    (b"PK\x03\x04 not a workbook", "broken.xlsx", "Excel"),
    (b"hello", "shops.txt", "CSV"),
])
def test_bad_files_are_refused_with_a_message(secretariat_client, listing, content, name,
                                              message):
    response = _upload(secretariat_client, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context.get("preview") is None


def test_xlsx_with_wrong_header_is_refused(secretariat_client, listing):
    workbook = Workbook()
    workbook.active.append(["SHOPID", "SHOPNAME"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(secretariat_client, buffer.getvalue(), "old.xlsx")
    assert response.status_code == 400 and "見出し" in response.content.decode()


def test_shop_owner_and_municipal_staff_and_auditor_are_refused(client, listing, sakai_city):
    owner, _shop = owner_with_shop()
    staff = UserFactory(groups=[roles.MUNICIPAL_STAFF], municipality=sakai_city)
    auditor = UserFactory(groups=[roles.AUDITOR])
    before = Shop.objects.count()
    for user in (owner.user, staff, auditor):
        client.force_login(user)
        # Wagtail answers PermissionDenied with a redirect to the dashboard and a message.
        for response in (
            client.get(reverse(IMPORT)),
            client.get(reverse(EXPORT), {"format": "csv"}),
            client.post(reverse(IMPORT), {"file": _file(b"id\r\n", "x.csv")}),
            client.post(reverse(IMPORT), {"apply": "1", "token": "abc"}),
        ):
            assert response.status_code == 302 and response["Location"] == "/admin/"
    assert Shop.objects.count() == before
    client.logout()
    assert client.get(reverse(IMPORT))["Location"].startswith("/admin/login/")


def test_import_page_renders_for_the_secretariat(secretariat_client, listing):
    response = secretariat_client.get(reverse(IMPORT))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="file"' in body and 'name="format" value="xlsx"' in body


def test_shop_listing_links_to_the_bulk_export_with_its_filters(secretariat_client, listing):
    sakai = Municipality.objects.get(code="271403")
    page = secretariat_client.get(reverse("wagtailsnippets_shops_shop:list"),
                                  {"municipality": sakai.pk})
    body = page.content.decode()
    links = re.findall(r'href="(/admin/shops/bulk/export/\?[^"]+)"', body)
    assert len(links) == 2 and reverse(IMPORT) in body
    csv_link = next(link for link in links if "format=csv" in link).replace("&amp;", "&")
    rows = list(csv.reader(io.StringIO(
        secretariat_client.get(csv_link).content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["堺の店"]


def test_shop_owner_sees_no_bulk_links(client, listing):
    owner, _shop = owner_with_shop()
    client.force_login(owner.user)
    body = client.get(reverse("wagtailsnippets_shops_shop:list")).content.decode()
    assert "/admin/shops/bulk/" not in body


def test_too_many_changes_in_one_file_are_refused(secretariat_client, listing, settings):
    settings.PORTAL = {**settings.PORTAL, "BULK_IMPORT_MAX_CHANGES": 1}
    exported = secretariat_client.get(reverse(EXPORT), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    name = rows[0].index("name")
    rows[1][name] += "（改）"
    rows[2][name] += "（改）"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    before = _snapshot()
    response = _upload(secretariat_client, buffer.getvalue().encode(), "many.csv")
    assert "分割してください" in response.content.decode()
    assert 'name="apply"' not in response.content.decode()
    forced = secretariat_client.post(reverse(IMPORT), {"apply": "1", "token": _token(response)})
    assert forced.status_code == 400
    assert _snapshot() == before
