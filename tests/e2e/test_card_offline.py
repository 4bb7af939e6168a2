"""Browser tests of the card offline (issue 19): kept by the service worker from the
FIRST visit; opened offline three hours later it says 「オフライン表示（最終更新 …）」,
its clock shows the device's time, and its QR code is the day code, which the
clerk's verify page accepts; the next day the copy says its code no longer works
and offers the member number instead."""

import datetime
import time
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from tests.e2e.conftest import E2E_MARKS
from tests.e2e.test_pwa_offline import CARD_CACHES, poll

pytestmark = E2E_MARKS

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def member(masters):
    from tests.factories import MemberFactory

    cache.clear()
    yield MemberFactory(user__email="offline-card@example.jp")
    cache.clear()


def _login(page, email):
    page.goto("/accounts/login/")
    form = page.locator("main form.p-form")
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _session_cookie(browser_context, base_url, user):
    """Signed in without visiting any page first (the login form's page would
    already install the worker): the card is then really the first page seen."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    browser_context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }])


def test_the_card_offline_three_hours_later_tells_the_truth(
        member, page, browser_context, base_url):
    from directory.members import cards

    _session_cookie(browser_context, base_url, member.user)
    page.goto("/card/")
    # The first visit: the worker was not controlling the page yet, and still keeps it.
    assert page.evaluate("navigator.serviceWorker.controller") is None
    # (the worker installs its shell first: slow on a busy test machine)
    poll(page, "(async () => (await (" + CARD_CACHES + ")()).hits === 1)()", timeout=60)
    assert not page.locator("[data-card-offline-notice]").is_visible()
    assert page.locator("[data-card-live]").first.is_visible()

    real_now = datetime.datetime.now(TOKYO)
    later = real_now + datetime.timedelta(hours=3)
    same_day = later.date() == real_now.date()
    page.clock.install(time=later)
    browser_context.set_offline(True)
    page.goto("/card/")

    notice = page.locator("[data-card-offline-notice]")
    assert notice.is_visible()
    text = notice.inner_text()
    assert text.startswith("オフライン表示（最終更新 ") and text.endswith("）"), text
    assert real_now.strftime("%Y/%m/%d") in text
    # The clock is the device's (three hours on), not the time the copy was made.
    shown = page.locator("[data-card-clock]").first.get_attribute("datetime")
    shown_at = datetime.datetime.fromisoformat(shown.replace("Z", "+00:00"))
    assert abs((shown_at - later).total_seconds()) < 60, (shown, later)
    assert later.strftime("%H:%M") in page.locator("[data-card-clock]").first.inner_text()
    assert member.member_number in page.locator("main").inner_text()
    assert not page.locator("[data-card-live]").first.is_visible()

    if same_day:
        day = page.locator("[data-card-day]").first
        assert day.is_visible()
        assert "オフライン用のコード" in day.inner_text()
        token = parse_qs(urlsplit(day.get_attribute("data-verify-url")).query)["t"][0]
        # The clerk checks it three hours later: valid, and said to be the offline code.
        verification = cards.card_token_verify(token, now=time.time() + 3 * 3600)
        assert verification.is_valid and verification.day_code
        assert not page.locator("[data-card-day-expired]").first.is_visible()

    # The next morning the copy no longer offers a code that would be refused.
    tomorrow = datetime.datetime.combine(real_now.date() + datetime.timedelta(days=1),
                                         datetime.time(9, 0), tzinfo=TOKYO)
    page.clock.set_system_time(tomorrow)
    page.reload()
    assert page.locator("[data-card-offline-notice]").is_visible()
    assert not page.locator("[data-card-day]").first.is_visible()
    expired = page.locator("[data-card-day-expired]").first
    assert expired.is_visible()
    assert "会員番号" in expired.inner_text()
    assert member.member_number in page.locator("main").inner_text()
    browser_context.set_offline(False)


def test_the_day_code_verifies_on_the_clerks_page(member, page, browser_context):
    """The clerk's phone opens the offline code's URL: valid, and labelled as the
    offline code, with no personal data."""
    _login(page, member.user.email)
    page.goto("/card/")
    url = page.locator("[data-card-day]").first.get_attribute("data-verify-url")
    browser_context.clear_cookies()
    page.goto(urlsplit(url).path + "?" + urlsplit(url).query)
    result = page.locator(".p-verify")
    assert "有効" in result.inner_text()
    assert "オフライン用コード" in result.inner_text()
    assert member.member_number not in page.content()
