"""Browser test of the secretariat's bulk shop import (upload → preview with errors
→ corrected upload → preview → save and publish) with the accessibility audit of
each preview, and of the legacy addresses (301, and the helpful 404)."""

import csv
import io

from accessibility.sweep import audit_loaded_page, format_findings
from directory.shops.bulk import bulk_columns
from directory.shops.models import Shop
from tests.e2e.conftest import DEMO_PASSWORD, E2E_MARKS, SECRETARIAT_EMAIL

pytestmark = E2E_MARKS


def _csv(rows) -> bytes:
    columns = bulk_columns()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return buffer.getvalue().encode("utf-8-sig")


NEW_SHOP = {"name": "一括登録ベーカリー", "postcode": "540-8570", "municipality_code": "271004",
            "address": "中央区大手前2丁目", "latitude": "34.6863", "longitude": "135.52",
            "nationwide_mutual_use": "0", "is_chain_head": "0", "genres": "cafe",
            "benefit_maido_title": "パン1個サービス", "benefit_maido_branches": "0",
            "benefit_enjoy_branches": "0"}


def _upload(page, name, content):
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": "text/csv",
                                                     "buffer": content}])
    page.get_by_role("button", name="アップロードして確認する").click()
    page.wait_for_load_state()


def test_bulk_import_preview_and_apply(demo_site, page, base_url, login_admin):
    login_admin(page, SECRETARIAT_EMAIL, DEMO_PASSWORD)
    page.goto(f"{base_url}/admin/shops/bulk/")
    findings = []

    _upload(page, "bad.csv", _csv([{**NEW_SHOP, "postcode": "12", "genres": "nope"}]))
    assert page.get_by_text("何も保存していません。エラーのある行").is_visible()
    assert page.get_by_role("button", name="これらの行を保存して公開する").count() == 0
    findings += audit_loaded_page(page)

    _upload(page, "good.csv", _csv([NEW_SHOP]))
    assert not Shop.objects.filter(name=NEW_SHOP["name"]).exists()
    findings += audit_loaded_page(page)
    page.get_by_role("button", name="これらの行を保存して公開する").click()
    page.wait_for_load_state()
    assert page.get_by_text("保存して公開しました: 新規 1 件").is_visible()
    shop = Shop.objects.get(name=NEW_SHOP["name"])
    assert shop.live and shop.benefits.get().title == "パン1個サービス"
    assert not findings, format_findings(findings, base_url=base_url)


def test_legacy_addresses(demo_site, page, base_url):
    shop = Shop.objects.filter(live=True, legacy_id__isnull=False).first()
    response = page.goto(f"{base_url}/maidoko/kaiin/joken/kekka/private/?page={shop.legacy_id}")
    assert response.ok and page.url == f"{base_url}/shops/{shop.pk}/"

    response = page.goto(f"{base_url}/chain/?page=1")
    assert response.status == 404
    assert page.get_by_role("heading", name="協賛店が見つかりません").is_visible()
    findings = audit_loaded_page(page)
    assert not findings, format_findings(findings, base_url=base_url)
    page.get_by_label("店名や地名で協賛店を探す").fill("カフェ")
    page.get_by_role("button", name="検索").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{base_url}/shops/?keyword=")
