"""Browser test of the shop side, end to end:

a shop registers from the public page (協賛店の方へ) → sets its password → logs in
to the Wagtail admin → creates its listing → submits it to 協賛店承認; the
secretariat requests changes with a comment; the owner sees the comment on the
dashboard, edits and resubmits; the secretariat approves; the shop appears in
the public search. At every step the public pages (the search and the detail
URL) show nothing that is not approved.

The live server runs in this process with the locmem e-mail backend and django-q2
in sync mode, so the registration e-mail is in ``django.core.mail.outbox``.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache

from accessibility.sweep import audit_loaded_page, format_findings
from directory.shops.models import Shop
from tests.e2e.conftest import DEMO_PASSWORD, E2E_MARKS, SECRETARIAT_EMAIL

pytestmark = E2E_MARKS

OWNER_EMAIL = "hikari-bakery@example.jp"
OWNER_PASSWORD = "e2e-passphrase-for-the-bakery"
FIRST_NAME = "ひかりベーカリー（仮）"
FINAL_NAME = "ひかりベーカリー"
COMMENT = "店名に（仮）は使えません。正式な店名にしてください。"
JOIN_LINK = re.compile(r"https?://\S+/for-shops/confirm/[A-Za-z0-9_-]+/")


@pytest.fixture(autouse=True)
def _rate_limits_cleared():
    cache.clear()
    yield
    cache.clear()


def _join_link_path(email):
    messages = [message for message in mail.outbox if email in message.to]
    assert messages, f"no e-mail to {email}; outbox: {[m.to for m in mail.outbox]}"
    match = JOIN_LINK.search(messages[-1].body)
    assert match, messages[-1].body
    return urlsplit(match.group(0)).path


def _assert_public_shows_nothing_of(public, shop_pk, *names):
    """The public search and the detail URL show none of `names` (not approved)."""
    for name in names:
        public.goto(f"/shops/?keyword={name}")  # the page repeats the keyword: look at links
        assert public.get_by_role("link", name=name, exact=True).count() == 0, name
        if shop_pk is not None:
            assert public.locator(f'main a[href="/shops/{shop_pk}/"]').count() == 0, name
    if shop_pk is not None:
        response = public.goto(f"/shops/{shop_pk}/")
        assert response.status == 404
        for name in names:
            assert name not in public.content()


def _press_workflow_button(page, name):
    """Press a button of the editor's action menu (it may be in the dropdown)."""
    button = page.locator(f'footer button[name="{name}"]')
    if not button.is_visible():
        page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    button.click()


def _dashboard_action(staff, title, label):
    """Press `label` in the action menu of `title`'s row under "Awaiting your review"."""
    staff.goto("/admin/")
    row = staff.locator("#awaiting-review-section tr").filter(has_text=title).first
    row.get_by_role("button", name="操作").click()
    row.get_by_role("button", name=label, exact=True).click()


def test_a_shop_registers_applies_is_returned_resubmits_and_is_approved(
    demo_site, browser, login_admin
):
    owner_context = browser.new_context(base_url=demo_site.url, locale="ja-JP",
                                        timezone_id="Asia/Tokyo")
    staff_context = browser.new_context(base_url=demo_site.url, locale="ja-JP",
                                        timezone_id="Asia/Tokyo")
    public_context = browser.new_context(base_url=demo_site.url, locale="ja-JP",
                                         timezone_id="Asia/Tokyo")
    for context in (owner_context, staff_context, public_context):
        context.set_default_timeout(20_000)
        context.route(lambda url: not url.startswith(demo_site.url), lambda route: route.abort())
    owner, staff, public = (owner_context.new_page(), staff_context.new_page(),
                            public_context.new_page())

    # 1. Registration from the public page.
    owner.goto("/")
    owner.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="協賛店の方へ").click()
    owner.wait_for_url("**/for-shops/")
    assert owner.locator("h1").inner_text() == "協賛店の方へ"
    owner.get_by_label("メールアドレス").fill(OWNER_EMAIL)
    owner.get_by_label("協賛店の規約と、担当者情報の取り扱いに同意します").check()
    owner.get_by_role("button", name="登録用のメールを送る").click()
    owner.wait_for_url("**/for-shops/sent/")
    assert OWNER_EMAIL in owner.locator("main").inner_text()

    findings = audit_loaded_page(owner)  # the "check your e-mail" page
    owner.goto(_join_link_path(OWNER_EMAIL))
    owner.wait_for_url("**/for-shops/complete/")
    findings += audit_loaded_page(owner)
    owner.get_by_label("パスワード", exact=True).fill(OWNER_PASSWORD)
    owner.get_by_label("パスワード（確認用）").fill(OWNER_PASSWORD)
    owner.get_by_label("担当者名").fill("光 太郎")
    owner.get_by_label("担当者の電話番号").fill("06-6941-0351")
    owner.get_by_role("button", name="協賛店アカウントを登録する").click()
    owner.wait_for_url("**/admin/login/**")
    assert "協賛店アカウントを登録しました" in owner.content()
    login_admin(owner, OWNER_EMAIL, OWNER_PASSWORD)

    # 2. The dashboard: no shop yet. Create the listing.
    owner.goto("/admin/")
    assert "お店を追加" in owner.locator("main").inner_text()
    findings += audit_loaded_page(owner)  # the empty dashboard
    owner.get_by_role("link", name="お店を追加").click()
    owner.wait_for_url("**/admin/snippets/shops/shop/add/")
    owner.locator("#id_name").fill(FIRST_NAME)
    owner.locator("#id_name_kana").fill("ひかりべーかりー")
    owner.get_by_role("button", name="カードごとの特典を追加").click()
    owner.locator("#id_benefits-0-programme").select_option(label="まいど子でもカード")
    owner.locator("#id_benefits-0-title").fill("パン1個プレゼント")
    owner.locator("#id_postcode").fill("540-8570")
    owner.locator("#id_municipality").select_option(label="大阪市")
    owner.locator("#id_address").fill("中央区大手前2丁目")
    owner.locator("#id_latitude").fill("34.6863")
    owner.locator("#id_longitude").fill("135.52")
    owner.locator("#id_phone").fill("06-6941-0351")
    _press_workflow_button(owner, "action-submit")
    owner.wait_for_url("**/admin/snippets/shops/shop/")
    assert "承認申請しました" in owner.locator(".messages").inner_text()
    shop_pk = Shop.objects.get(name=FIRST_NAME).pk
    _assert_public_shows_nothing_of(public, shop_pk, FIRST_NAME, FINAL_NAME)

    owner.goto("/admin/")
    assert "承認待ち" in owner.locator("#owner-shops-section").inner_text()
    findings += audit_loaded_page(owner)
    owner.goto(f"/admin/snippets/shops/shop/edit/{shop_pk}/")  # locked while in moderation
    assert "承認待ち" in owner.locator(".messages").inner_text()
    findings += audit_loaded_page(owner)

    # 3. The secretariat requests changes with a comment, from its dashboard.
    login_admin(staff, SECRETARIAT_EMAIL, DEMO_PASSWORD)
    staff.goto("/admin/")
    findings += audit_loaded_page(staff)  # the secretariat's dashboard with the waiting shop
    _dashboard_action(staff, FIRST_NAME, "変更をリクエスト")
    dialog = staff.locator(".modal-dialog, [role='dialog']").filter(
        has=staff.locator("textarea[name='comment']")).first
    dialog.locator("textarea[name='comment']").fill(COMMENT)
    dialog.locator("button[type='submit']").click()
    staff.wait_for_load_state("networkidle")
    staff.goto("/admin/")
    _assert_public_shows_nothing_of(public, shop_pk, FIRST_NAME, FINAL_NAME)

    # 4. The owner sees the comment, edits and resubmits.
    owner.goto("/admin/")
    panel = owner.locator("#owner-shops-section").inner_text()
    assert "差し戻し" in panel and COMMENT in panel
    findings += audit_loaded_page(owner)  # the dashboard with the reviewer's comment
    owner.goto(f"/admin/snippets/shops/shop/edit/{shop_pk}/")
    owner.locator("#id_name").fill(FINAL_NAME)
    _press_workflow_button(owner, "action-submit")
    owner.wait_for_url("**/admin/snippets/shops/shop/")
    assert "承認申請しました" in owner.locator(".messages").inner_text()
    owner.goto("/admin/")
    assert "承認待ち" in owner.locator("#owner-shops-section").inner_text()
    _assert_public_shows_nothing_of(public, shop_pk, FIRST_NAME, FINAL_NAME)

    # 5. The secretariat compares and approves from its dashboard: published.
    revision = Shop.objects.get(pk=shop_pk).latest_revision_id
    staff.goto(f"/admin/snippets/shops/shop/history/{shop_pk}/revisions/compare/"
               f"earliest...{revision}/")
    assert FINAL_NAME in staff.locator("main").inner_text()
    findings += audit_loaded_page(staff)
    _dashboard_action(staff, FINAL_NAME, "承認")
    staff.wait_for_load_state("networkidle")
    for _attempt in range(20):
        response = public.goto(f"/shops/{shop_pk}/")
        if response.status == 200:
            break
        public.wait_for_timeout(250)
    assert response.status == 200
    assert FINAL_NAME in public.locator("h1").inner_text()
    public.goto(f"/shops/?keyword={FINAL_NAME}")
    assert public.locator(f'main a[href="/shops/{shop_pk}/"]').count() >= 1
    assert public.get_by_role("link", name=FINAL_NAME, exact=True).count() >= 1
    assert FIRST_NAME not in public.locator("main").inner_text()

    owner.goto("/admin/")
    assert "公開中" in owner.locator("#owner-shops-section").inner_text()
    findings += audit_loaded_page(owner)
    for context in (owner_context, staff_context, public_context):
        context.close()
    assert not findings, format_findings(findings, base_url=demo_site.url)
