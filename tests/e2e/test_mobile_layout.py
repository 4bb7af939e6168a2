"""Browser tests of the public side on a phone (issue 19): the header's disclosure
menu, the page's own heading on the first screen, and no control covered by
another element (the assistant opens from the footer and the menu, never from a
floating button), at 320, 390 and 1280 CSS px."""

import pytest
from django.core.cache import cache

from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
PHONE = {"width": 390, "height": 844}
SMALL = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}

# Every focusable element whose centre (of its first line box) is painted by
# something else: another element lies on top of it. Elements hidden from
# everyone (display:none, visibility:hidden, zero size, inside a closed
# <details> or dialog) are not reachable and are skipped.
COVERED_JS = """() => {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  const covered = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('dialog:not([open]), [hidden], template')) continue;
    const details = el.closest('details:not([open])');
    if (details && el.parentElement !== details) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const label = el.id ? document.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
    // Where the page first shows it, and scrolled to the top, middle and bottom of
    // the screen (a fixed button covers whatever scrolls under it).
    for (const block of [null, 'start', 'center', 'end']) {
      if (block) el.scrollIntoView({block: block, inline: 'nearest'});
      const box = el.getClientRects()[0];
      if (!box || box.width < 2 || box.height < 2) break;
      const x = box.left + box.width / 2, y = box.top + box.height / 2;
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const hit = document.elementFromPoint(x, y);
      if (!hit) continue;
      if (el.contains(hit) || (label && label.contains(hit)) || el.closest('label')?.contains(hit)) continue;
      covered.push({
        element: el.outerHTML.slice(0, 120),
        by: hit.outerHTML.slice(0, 120),
        block: block,
      });
      break;
    }
  }
  window.scrollTo(0, 0);
  return covered;
}"""

FIRST_SCREEN_JS = """() => {
  const heading = document.querySelector('main h1');
  if (!heading) return {error: 'no h1'};
  const rect = heading.getBoundingClientRect();
  // The first content after the heading: the next element in the page with a box.
  let next = null;
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_ELEMENT);
  let seen = false;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node === heading) { seen = true; continue; }
    if (!seen || heading.contains(node)) continue;
    const box = node.getBoundingClientRect();
    if (box.height > 0 && box.top >= rect.bottom - 1 && node.textContent.trim()) { next = box; break; }
  }
  return {headingBottom: rect.bottom, nextTop: next ? next.top : null,
          height: window.innerHeight, scrollY: window.scrollY};
}"""


@pytest.fixture
def card_member(masters):
    from tests.factories import MemberFactory

    cache.clear()  # the login's per-IP limit: the browser is always 127.0.0.1
    member = MemberFactory(family_name="堺", given_name="花子", user__email="mobile@example.jp")
    yield member
    cache.clear()


def _login(page, email):
    page.goto("/accounts/login/")
    form = page.locator("main form.p-form")
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _public_paths(demo_site):
    from directory.shops.models import Shop

    shop = Shop.objects.filter(live=True).order_by("pk").first()
    return ["/", "/shops/", shop.get_absolute_url(), "/events/", "/faminavi/",
            "/accounts/signup/", "/accounts/login/", "/for-shops/", "/assistant/"]


@pytest.mark.parametrize("viewport", [SMALL, PHONE, DESKTOP], ids=["320", "390", "1280"])
def test_no_control_is_covered_and_the_heading_is_on_the_first_screen(
        demo_site, card_member, browser, live_server, viewport):
    context = browser.new_context(base_url=demo_site.url, locale="ja-JP",
                                  timezone_id="Asia/Tokyo", viewport=viewport)
    context.route(lambda url: not url.startswith(demo_site.url), lambda route: route.abort())
    page = context.new_page()
    try:
        paths = _public_paths(demo_site)
        for path in paths:
            page.goto(path)
            assert page.evaluate(COVERED_JS) == [], path
            first = page.evaluate(FIRST_SCREEN_JS)
            assert "error" not in first, (path, first)
            assert first["headingBottom"] <= first["height"], (path, first)
            assert first["nextTop"] is not None and first["nextTop"] < first["height"] - 24, (
                path, first)
        _login(page, card_member.user.email)
        for path in ["/card/", "/accounts/mypage/"]:
            page.goto(path)
            assert page.evaluate(COVERED_JS) == [], path
            first = page.evaluate(FIRST_SCREEN_JS)
            assert first["headingBottom"] <= first["height"], (path, first)
            assert first["nextTop"] is not None and first["nextTop"] < first["height"] - 24, (
                path, first)
    finally:
        context.close()


def test_the_menu_button_discloses_the_navigation_and_language_switch(demo_site, browser):
    context = browser.new_context(base_url=demo_site.url, locale="ja-JP", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto("/")
        button = page.locator("[data-menu] > summary")
        assert button.inner_text().strip() == "メニュー"
        assert button.get_attribute("aria-expanded") == "false"
        nav = page.get_by_role("navigation", name="メインメニュー")
        assert not nav.is_visible()
        assert not page.locator(".p-lang").is_visible()
        # The header is one row: the hero heading starts high on the screen.
        assert page.locator(".p-header").bounding_box()["height"] < 100

        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        assert nav.is_visible()
        assert page.locator(".p-lang").is_visible()
        assert nav.get_by_role("link", name="協賛店をさがす").is_visible()
        page.keyboard.press("Tab")
        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.matches('[data-menu] > summary')")

        # The assistant opens from the menu, in its dialog, and gives focus back.
        button.click()
        nav.get_by_role("link", name="質問アシスタント").click()
        dialog = page.locator("[data-assistant-dialog]")
        assert dialog.is_visible()
        page.keyboard.press("Escape")
        assert not dialog.is_visible()
        # ...and from the footer, in the page's flow (not fixed over it).
        footer_button = page.locator("footer [data-assistant-open]")
        assert page.evaluate(
            "getComputedStyle(document.querySelector('[data-assistant-open]')).position"
        ) == "static"
        footer_button.click()
        assert dialog.is_visible()
        page.keyboard.press("Escape")

        # The admin is linked from the footer only.
        assert page.locator('header a[href^="/admin"], main a[href^="/admin"]').count() == 0
        assert page.locator('footer a[href^="/admin"]').count() >= 1
    finally:
        context.close()


def test_the_menu_works_without_javascript_and_is_a_bar_on_wide_screens(demo_site, browser):
    context = browser.new_context(base_url=demo_site.url, locale="ja-JP", viewport=PHONE,
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        nav = page.get_by_role("navigation", name="メインメニュー")
        assert not nav.is_visible()
        page.locator("[data-menu] > summary").click()
        assert nav.is_visible()
        nav.get_by_role("link", name="協賛店をさがす").click()
        page.wait_for_url("**/shops/")
        # Without JavaScript the assistant is a link to its own page.
        assert page.locator("footer [data-assistant-link]").get_attribute("href") == "/assistant/"
    finally:
        context.close()
    context = browser.new_context(base_url=demo_site.url, locale="ja-JP", viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto("/")
        assert page.get_by_role("navigation", name="メインメニュー").is_visible()
        assert not page.locator("[data-menu] > summary").is_visible()
        assert page.locator(".p-lang").is_visible()
    finally:
        context.close()
