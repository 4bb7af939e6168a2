"""Browser tests of the digital card (/card/): the clock keeps ticking with reduced
motion (and the sheen stops), the card reflows at 320 CSS px with its QR code in
view, and at 200 % zoom (a 1280 px window zoomed: 640 CSS px, device scale 2) it is
still usable: no horizontal scroll, QR code and member number visible, the
"Get a new code" link works."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, E2E_MARKS

pytestmark = E2E_MARKS

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's

NO_HORIZONTAL_SCROLL_JS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
})"""


@pytest.fixture
def card_member(masters):
    """A member married 30 days ago: eligible for a card."""
    from directory.members.eligibility import member_eligibility
    from tests.factories import MemberFactory

    cache.clear()  # the login's per-IP limit: the browser is always 127.0.0.1
    member = MemberFactory(family_name="堺", given_name="花子")
    assert any(result.eligible for result in member_eligibility(
        member, today=timezone.localdate())), (
        "the masters' rules give no card to a member married 30 days ago"
    )
    yield member
    cache.clear()


def _login(page, email):
    page.goto("/accounts/login/")
    form = page.locator("main form.p-form")
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _qr_in_view(page, width):
    qr = page.locator("[data-card-qr] svg").first
    qr.scroll_into_view_if_needed()
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    # Whole, inside the viewport's width, and big enough to be scanned.
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert box["width"] >= 120, box


def _no_horizontal_scroll(page):
    measured = page.evaluate(NO_HORIZONTAL_SCROLL_JS)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured


def test_with_reduced_motion_the_clock_still_ticks_and_the_sheen_stops(card_member, page):
    page.emulate_media(reduced_motion="reduce")
    _login(page, card_member.user.email)
    page.goto("/card/")
    clock = page.locator("[data-card-clock]").first
    before = clock.inner_text()
    # The text changes within about a second and a half (it ticks every second).
    page.wait_for_function(
        "(text) => document.querySelector('[data-card-clock]').textContent !== text",
        arg=before, timeout=1500,
    )
    assert clock.inner_text() != before
    sheen = page.evaluate("""() => getComputedStyle(
        document.querySelector('.p-member-card__header'), '::after').animationName""")
    assert sheen == "none", sheen


def test_without_reduced_motion_the_sheen_moves(card_member, page):
    """The other side of the test above: the animation it expects to stop exists."""
    page.emulate_media(reduced_motion="no-preference")
    _login(page, card_member.user.email)
    page.goto("/card/")
    sheen = page.evaluate("""() => getComputedStyle(
        document.querySelector('.p-member-card__header'), '::after').animationName""")
    assert sheen not in ("", "none"), sheen


def test_at_320_px_no_horizontal_scroll_and_the_qr_code_is_visible(card_member, page):
    _login(page, card_member.user.email)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/card/")
    _no_horizontal_scroll(page)
    _qr_in_view(page, 320)
    assert card_member.member_number in page.locator("main").inner_text()


def test_at_200_percent_zoom_the_card_is_usable(card_member, browser, live_server):
    base = live_server.url.rstrip("/")
    context = browser.new_context(
        base_url=base, locale="ja-JP", timezone_id="Asia/Tokyo",
        viewport={"width": 640, "height": 400}, device_scale_factor=2,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.route(lambda url: not url.startswith(base), lambda route: route.abort())
    try:
        page = context.new_page()
        _login(page, card_member.user.email)
        page.goto("/card/")
        _no_horizontal_scroll(page)
        _qr_in_view(page, 640)
        number = page.get_by_test_id("member-number") if page.get_by_test_id(
            "member-number").count() else page.get_by_text(card_member.member_number).first
        number.scroll_into_view_if_needed()
        assert number.is_visible()
        # Keyboard alone reaches "Get a new code", and it gives a fresh page.
        refresh = page.locator("[data-card-refresh]")
        for _ in range(40):
            page.keyboard.press("Tab")
            if refresh.evaluate("(element) => element === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reached the 'Get a new code' link")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/card/")
        _qr_in_view(page, 640)
    finally:
        context.close()
