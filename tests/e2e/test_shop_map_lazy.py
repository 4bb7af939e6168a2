"""/shops/ on a phone (issue 19): Leaflet and the map tiles are loaded only when the
visitor opens the map view, so the list costs no map work on the main thread."""


from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS


def test_the_map_loads_only_when_opened(demo_site, browser):
    context = browser.new_context(base_url=demo_site.url, locale="ja-JP",
                                  viewport={"width": 390, "height": 844})
    requested = []
    context.route(lambda url: not url.startswith(demo_site.url),
                  lambda route: (requested.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto("/shops/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof window.L") == "undefined"
        assert not any("leaflet" in url for url in requested), requested
        assert not any("cyberjapandata" in url for url in requested)
        figure = page.locator("[data-shop-map]")
        assert figure.is_hidden()

        button = page.get_by_role("button", name="地図で見る")
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        page.locator(".leaflet-container").wait_for()
        assert figure.is_visible()
        assert button.get_attribute("aria-expanded") == "true"
        assert any("vendor/leaflet/leaflet" in url for url in requested)
        # The tiles come from 地理院タイル, credited as its terms ask.
        page.locator(".leaflet-tile").first.wait_for(state="attached")
        assert any("cyberjapandata.gsi.go.jp/xyz/std/" in url for url in requested)
        attribution = page.locator(".leaflet-control-attribution a", has_text="地理院タイル")
        assert attribution.get_attribute("href") == "https://maps.gsi.go.jp/development/ichiran.html"

        button.click()
        assert figure.is_hidden()
        assert button.get_attribute("aria-expanded") == "false"
    finally:
        context.close()
