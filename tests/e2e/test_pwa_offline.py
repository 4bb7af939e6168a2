"""Browser test of the installable app: the service worker installs, the member's
card opens offline after one online visit, other pages show the offline page, and
after logout the card is gone from the caches (so nobody else sees it)."""

import pytest

from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory

CARD_CACHES = """async () => {
  const names = (await caches.keys()).filter((name) => name.startsWith("portal-card-"));
  let hits = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    if (await cache.match("/card/")) { hits += 1; }
  }
  return { names, hits };
}"""


@pytest.fixture
def member(masters):
    from tests.factories import MemberFactory

    return MemberFactory(user__email="pwa-e2e@example.jp")


def log_in(page, email):
    page.goto("/accounts/login/")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main button[type="submit"]').click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def poll(page, expression, timeout=20.0):
    """Wait until `expression` is truthy in the page (page.wait_for_function would
    evaluate it with eval, which the site's CSP forbids)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {timeout} s: {expression}")


def wait_for_worker(page):
    poll(page, "navigator.serviceWorker.controller !== null")


def test_the_card_opens_offline_and_is_gone_after_logout(member, page, browser_context):
    log_in(page, member.user.email)
    page.goto("/card/")
    wait_for_worker(page)
    page.goto("/card/")  # now through the worker, which keeps it for this member
    assert member.member_number in page.locator("main").inner_text()
    caches = page.evaluate(CARD_CACHES)
    assert len(caches["names"]) == 1 and caches["hits"] == 1, caches
    page.goto("/")  # another page of the same member keeps the card

    browser_context.set_offline(True)
    page.goto("/card/")
    assert member.member_number in page.locator("main").inner_text()
    page.goto("/events/?offline-test=1")
    assert page.locator("h1").inner_text() == "オフラインです"
    assert page.locator("[data-offline-page]").is_visible()

    browser_context.set_offline(False)
    page.goto("/accounts/mypage/")
    page.locator("form.p-logout button").click()
    page.wait_for_url("**/accounts/logged-out/")
    caches = page.evaluate(CARD_CACHES)
    assert caches == {"names": [], "hits": 0}, caches

    browser_context.set_offline(True)
    page.goto("/card/")
    assert member.member_number not in page.content()
    assert page.locator("h1").inner_text() == "オフラインです"
    browser_context.set_offline(False)


def test_the_worker_keeps_no_card_for_another_viewer(member, page, browser_context):
    from tests.factories import MemberFactory

    other = MemberFactory(user__email="pwa-e2e-other@example.jp")
    log_in(page, member.user.email)
    page.goto("/card/")
    wait_for_worker(page)
    page.goto("/card/")
    assert len(page.evaluate(CARD_CACHES)["names"]) == 1

    # The session ends without the logout button (e.g. it expired); the next person
    # logs in on the same browser: the first member's card must not survive.
    browser_context.clear_cookies()
    page.goto("/")
    assert page.evaluate(CARD_CACHES) == {"names": [], "hits": 0}
    log_in(page, other.user.email)
    browser_context.set_offline(True)
    page.goto("/card/")
    assert member.member_number not in page.content()
    browser_context.set_offline(False)


def test_the_notifications_page_shows_the_subscribe_button_and_the_ios_guide(
        member, page):
    log_in(page, member.user.email)
    page.goto("/notifications/")
    wait_for_worker(page)
    assert page.locator("[data-push-subscribe]").is_visible()  # Chromium has Web Push
    assert page.locator("[data-ios-guide] summary").is_visible()
    # No permission prompt without a press: the page asked nothing by itself.
    assert page.evaluate("Notification.permission") == "default"


def test_a_new_version_announces_itself_and_takes_over_on_consent(masters, page, settings):
    from notifications.pwa import service_worker_version

    page.goto("/offline/")
    wait_for_worker(page)
    old = service_worker_version()
    old_names = page.evaluate("caches.keys()")
    assert f"portal-shell-{old}" in old_names

    settings.PWA_VERSION = "next-deployment"  # a deployment changed the worker
    service_worker_version.cache_clear()
    try:
        new = service_worker_version()
        assert new != old
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        banner = page.locator("[data-pwa-update]")
        banner.wait_for(state="visible")
        assert "新しいバージョン" in banner.inner_text()
        # Installed, but nothing changes until the user agrees: activating would have
        # deleted the old version's caches.
        names = page.evaluate("caches.keys()")
        assert f"portal-shell-{new}" in names and f"portal-shell-{old}" in names, names
        with page.expect_navigation():
            banner.get_by_role("button", name="更新する").click()
        poll(page, "navigator.serviceWorker.controller !== null && "
                   "navigator.serviceWorker.controller.state === 'activated'")
        names = page.evaluate("caches.keys()")
        assert f"portal-shell-{new}" in names and f"portal-shell-{old}" not in names, names
    finally:
        service_worker_version.cache_clear()
