"""A search on a phone lands on its results (issue 19): after 「現在地から探す」 the
page opens at the results heading, focused; a plain search does the same without
JavaScript (the form's action carries the #results-heading fragment)."""

from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS

PHONE = {"width": 390, "height": 844}
IN_VIEW_JS = """() => {
  const box = document.getElementById('results-heading').getBoundingClientRect();
  return box.top >= -1 && box.bottom <= window.innerHeight;
}"""


def _wait_in_view(page):
    """The page scrolls smoothly (portal.css, unless reduced motion): give it time."""
    for _ in range(40):
        if page.evaluate(IN_VIEW_JS):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the results heading did not come into view")


def test_near_me_lands_on_the_results_heading(demo_site, browser):
    context = browser.new_context(
        base_url=demo_site.url, locale="ja-JP", viewport=PHONE,
        geolocation={"latitude": 34.6937, "longitude": 135.5023}, permissions=["geolocation"])
    context.route(lambda url: not url.startswith(demo_site.url), lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto("/shops/")
        with page.expect_navigation():
            page.get_by_role("button", name="現在地から探す").click()
        assert page.url.endswith("#results-heading"), page.url
        assert "lat=" in page.url
        _wait_in_view(page)
        assert page.evaluate("document.activeElement.id") == "results-heading"
    finally:
        context.close()


def test_a_search_lands_on_the_results_without_javascript(demo_site, browser):
    context = browser.new_context(base_url=demo_site.url, locale="ja-JP", viewport=PHONE,
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/shops/")
        page.locator("main form[role=search] button[type=submit]").first.click()
        page.wait_for_url("**/shops/?**#results-heading")
        _wait_in_view(page)
    finally:
        context.close()
