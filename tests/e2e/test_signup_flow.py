"""Browser test of member sign-up: request the link → open it from the e-mail → set a
password and the profile → land on "my page" with the member number.

The live server runs in a thread of this process with the locmem e-mail backend and
django-q2 in sync mode, so the e-mail is in ``django.core.mail.outbox``.

``sign_up_member(page)`` is the reusable part: it leaves ``page`` logged in on my
page and returns the member number, for tests that go on to the card.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache

from accessibility.sweep import audit_loaded_page, format_findings
from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS

PASSWORD = "e2e-passphrase-for-hanako"
SIGNUP_LINK = re.compile(r"https?://\S+/accounts/signup/confirm/[A-Za-z0-9_-]+/")


@pytest.fixture(autouse=True)
def _rate_limits_cleared():
    """The browser posts from 127.0.0.1 every time: start each test with fresh counters."""
    cache.clear()
    yield
    cache.clear()


def signup_link_path(email: str) -> str:
    """The path of the sign-up link in the last e-mail to `email` (the e-mail's host is
    the configured BASE_URL, not the live server's, so only the path is used)."""
    messages = [message for message in mail.outbox if email in message.to]
    assert messages, f"no e-mail to {email}; outbox: {[m.to for m in mail.outbox]}"
    match = SIGNUP_LINK.search(messages[-1].body)
    assert match, messages[-1].body
    return urlsplit(match.group(0)).path


def sign_up_member(page, *, email: str = "hanako-e2e@example.jp",
                   password: str = PASSWORD) -> str:
    """Sign up through the public pages; returns the member number, page left on my page."""
    page.goto("/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="会員登録").click()
    page.wait_for_url("**/accounts/signup/")
    assert page.locator("h1").inner_text() == "会員登録"

    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("利用規約と個人情報の取扱いに同意します").check()
    page.get_by_role("button", name="登録メールを送信する").click()
    page.wait_for_url("**/accounts/signup/sent/")
    assert email in page.locator("main").inner_text()
    assert "迷惑メールフォルダ" in page.locator("main").inner_text()

    page.goto(signup_link_path(email))
    page.wait_for_url("**/accounts/signup/complete/")
    assert page.locator("h1").inner_text() == "本登録"
    # This page is reached only through the e-mailed link, so the crawl of the
    # accessibility sweep never sees it: audit it here (axe + reflow at 320 px).
    findings = audit_loaded_page(page)
    assert not findings, format_findings(findings)

    page.get_by_label("パスワード", exact=True).fill(password)
    page.get_by_label("パスワード（確認用）").fill(password)
    page.get_by_label("姓", exact=True).fill("大阪")
    page.get_by_label("名", exact=True).fill("花子")
    page.get_by_label("姓（ふりがな・任意）").fill("おおさか")
    page.get_by_label("お住まいの市区町村").select_option("271004")
    page.get_by_label("お子さま1人目の生年月日").fill("2020-04-01")
    page.get_by_label("カフェ・喫茶").check()
    page.get_by_label("割引").check()
    page.get_by_role("button", name="登録する").click()

    page.wait_for_url("**/accounts/mypage/")
    number = page.get_by_test_id("member-number").inner_text().strip()
    assert re.fullmatch(r"27\d{8}", number), number
    return number


def test_a_family_signs_up_and_sees_its_member_number(masters, page):
    from directory.members.models import Member

    number = sign_up_member(page)

    member = Member.objects.select_related("user").get()
    assert member.member_number == number
    assert member.user.email == "hanako-e2e@example.jp"
    assert [child.birth_date.isoformat() for child in member.children.all()] == ["2020-04-01"]
    main = page.locator("main")
    assert "会員登録が完了しました" in main.inner_text()
    assert main.get_by_role("link", name="カードを表示する").get_attribute("href") == "/card/"
    assert page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="マイページ").is_visible()


def test_bad_input_is_shown_next_to_the_field_and_the_link_stays_usable(masters, page):
    email = "taro-e2e@example.jp"
    page.goto("/accounts/signup/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("利用規約と個人情報の取扱いに同意します").check()
    page.get_by_role("button", name="登録メールを送信する").click()
    page.wait_for_url("**/accounts/signup/sent/")
    page.goto(signup_link_path(email))

    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード（確認用）").fill(PASSWORD)
    page.get_by_label("姓", exact=True).fill("大阪")
    page.get_by_label("名", exact=True).fill("太郎")
    page.get_by_label("お住まいの市区町村").select_option("271004")
    page.get_by_label("お子さま1人目の生年月日").fill("2999-01-01")
    page.get_by_role("button", name="登録する").click()

    summary = page.locator(".p-form__error-summary")
    assert summary.is_visible()
    assert "生年月日に未来の日付は入力できません" in summary.inner_text()
    child = page.get_by_label("お子さま1人目の生年月日")
    assert child.get_attribute("aria-invalid") == "true"
    assert "id_child_1_error" in child.get_attribute("aria-describedby")
    assert page.title().startswith("エラー：")

    # Following the summary's link moves to the field.
    summary.get_by_role("link").click()
    assert page.url.endswith("#id_child_1")

    child.fill("2021-05-05")
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード（確認用）").fill(PASSWORD)
    page.get_by_role("button", name="登録する").click()
    page.wait_for_url("**/accounts/mypage/")
    assert re.fullmatch(r"27\d{8}", page.get_by_test_id("member-number").inner_text().strip())


def test_a_new_member_shows_the_card_and_shop_staff_verify_its_qr_code(masters, page):
    """The whole path of the issue: sign-up → card with a QR code → /card/verify says valid."""
    import io
    from urllib.parse import urlsplit as split

    import zxingcpp
    from PIL import Image

    number = sign_up_member(page, email="card-e2e@example.jp")
    page.get_by_role("link", name="カードを表示する").click()
    page.wait_for_url("**/card/")
    card = page.locator("main")
    assert number in card.inner_text()
    assert "まいど子でもカード" in card.inner_text()

    # Read the QR code as a phone camera would: from the pixels on the screen.
    qr = page.locator("[data-card-qr]").first
    png = qr.screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert decoded, "no QR code could be read from the card"
    verify_url = decoded[0].text
    assert "/card/verify" in verify_url

    # Shop staff open it without logging in: a fresh browser context.
    staff_context = page.context.browser.new_context(base_url=page.url.split("/card/")[0])
    staff_page = staff_context.new_page()
    parts = split(verify_url)
    staff_page.goto(f"{parts.path}?{parts.query}")
    verdict = staff_page.locator("main").inner_text()
    assert "有効" in verdict and "まいど子でもカード" in verdict
    assert number not in verdict and "花子" not in verdict
    staff_context.close()
