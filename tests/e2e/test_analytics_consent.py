"""Analytics only with consent, in a real browser.

With GA4 and GTM IDs set, a visitor who has not chosen sees the consent banner
and the browser sends no request to an analytics host; after "同意する" the tag
script elements are in the page and the browser tries to load them (the test
browser blocks other origins, so the requests are recorded, not completed);
"同意しない" from the footer's settings page removes them again.
"""

from accessibility.sweep import check_page, format_findings
from tests.e2e.conftest import E2E_MARKS

pytestmark = E2E_MARKS

GA4 = "G-E2ETEST01"
GTM = "GTM-E2ETST1"
ANALYTICS_HOSTS = ("googletagmanager.com", "google-analytics.com")


def _analytics_ids_set():
    from wagtail.models import Site

    from cms_pages.models import PortalSettings

    settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    settings.ga4_measurement_id = GA4
    settings.gtm_container_id = GTM
    settings.save()


def test_no_analytics_request_before_consent_then_tags_after(demo_site, page, base_url):
    _analytics_ids_set()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    # No choice yet: the banner, and no request to an analytics host on any page.
    for path in ("/", "/shops/", "/news/", "/faq/"):
        page.goto(path)
        banner = page.get_by_role("region", name="アクセス解析への同意のお願い")
        assert banner.is_visible(), path
    assert not [url for url in requested if any(host in url for host in ANALYTICS_HOSTS)]
    assert page.locator("script[data-analytics]").count() == 0

    # The banner itself passes the accessibility checks (WCAG 2.2 AA, 320 px reflow).
    findings = check_page(page, "/", base_url=base_url)
    assert not findings, format_findings(findings, base_url=base_url)

    # Two buttons of equal weight; "agree" posts the form and comes back to the page.
    agree = banner.get_by_role("button", name="同意する")
    decline = banner.get_by_role("button", name="同意しない")
    assert agree.get_attribute("class") == decline.get_attribute("class")
    page.goto("/faq/")
    page.get_by_role("button", name="同意する").click()
    page.wait_for_url(f"{base_url}/faq/")
    assert page.get_by_role("region", name="アクセス解析への同意のお願い").count() == 0
    assert page.locator(
        f'script[data-analytics="ga4"][src="https://www.googletagmanager.com/gtag/js?id={GA4}"]'
    ).count() == 1
    assert page.locator('script[data-analytics="gtm"]').count() == 1
    page.wait_for_timeout(300)
    attempted = [url for url in requested if "googletagmanager.com" in url]
    assert any(f"gtag/js?id={GA4}" in url for url in attempted), attempted
    assert any(f"gtm.js?id={GTM}" in url for url in attempted), attempted

    # Change of mind from the footer link: nothing is loaded any more.
    page.get_by_role("link", name="アクセス解析の設定").click()
    page.wait_for_url(f"{base_url}/consent/")
    assert "アクセス解析に同意しています。" in page.content()
    page.get_by_role("button", name="同意しない").click()
    page.wait_for_url(f"{base_url}/consent/?saved=1")
    assert page.get_by_role("status").inner_text() == "設定を保存しました。"
    requested.clear()
    page.goto("/")
    assert page.locator("script[data-analytics]").count() == 0
    assert not [url for url in requested if any(host in url for host in ANALYTICS_HOSTS)]


def test_without_ids_there_is_no_banner_and_no_request(demo_site, page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/")
    assert page.get_by_role("region", name="アクセス解析への同意のお願い").count() == 0
    assert not [url for url in requested if any(host in url for host in ANALYTICS_HOSTS)]
