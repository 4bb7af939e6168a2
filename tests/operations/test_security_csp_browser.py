# ruff: noqa: F811 - pytest fixtures imported from tests/e2e/conftest.py are parameters here
"""In Debian's Chromium: the CSP blocks nothing on the public pages and in the Wagtail
admin (its scoped policy), and a secretariat member enrols a TOTP authenticator through
the real pages. Run by `make e2e` (marker e2e)."""

from staffauth import totp
from tests.e2e.conftest import (  # noqa: F401 - fixtures
    DEMO_PASSWORD,
    E2E_MARKS,
    SECRETARIAT_EMAIL,
    _content_types_cached_for_rollback,
    _migration_data_restored_after_e2e,
    browser,
    browser_context,
    demo_site,
    page,
)

pytestmark = E2E_MARKS

PUBLIC = ["/", "/shops/", "/shops/?q=%E3%82%AB%E3%83%95%E3%82%A7", "/events/", "/faminavi/",
          "/accounts/login/", "/no-such-page/"]
ADMIN = ["/admin/", "/admin/pages/", "/admin/snippets/shops/shop/",
         "/admin/snippets/shops/shop/add/", "/admin/snippets/shops/shop/edit/{shop}/",
         "/admin/images/", "/admin/documents/", "/admin/account/"]


def _watch(page):
    problems = []
    page.on("console", lambda message: problems.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return problems


def test_no_csp_violation_on_public_pages(page, demo_site):
    problems = _watch(page)
    for url in PUBLIC + [f"/shops/{demo_site.any_shop_pk}/"]:
        page.goto(url, wait_until="networkidle")
    assert problems == []


def test_staff_enrol_totp_and_admin_has_no_csp_violation(page, demo_site, settings):
    from directory.accounts.models import User
    from staffauth.services import enrolment_link_send

    settings.STAFF_TWO_FACTOR_REQUIRED = True
    problems = _watch(page)
    link = enrolment_link_send(User.objects.get(email=SECRETARIAT_EMAIL))
    # The link mailed by the secretariat: sign in first, then the enrolment page.
    page.goto(link.removeprefix(settings.WAGTAILADMIN_BASE_URL.rstrip("/")))
    page.locator('form.login-form input[name="username"]').fill(SECRETARIAT_EMAIL)
    page.locator('form.login-form input[name="password"]').fill(DEMO_PASSWORD)
    page.locator('form.login-form button[type="submit"]').click()
    page.wait_for_url(lambda url: "/admin/2fa/enrol/" in url)
    assert page.locator('img[src^="data:image/svg+xml"]').count() == 1
    secret = page.locator("[data-staffauth-secret]").first.inner_text().replace(" ", "")
    page.locator('input[name="code"]').fill(totp.totp(secret))
    page.locator('form.login-form button[type="submit"]').click()
    page.locator("[data-staffauth-recovery-codes] li").first.wait_for()
    assert page.locator("[data-staffauth-recovery-codes] li").count() == 10
    page.locator("#main a.button").click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/admin"))
    for url in ADMIN:
        page.goto(url.format(shop=demo_site.any_shop_pk), wait_until="networkidle")
        assert "/admin/2fa/" not in page.url and "/admin/login/" not in page.url, url
    assert problems == []
