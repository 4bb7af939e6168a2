"""Browser fixtures for `make e2e`: Debian's Chromium driven by Playwright, a live server.

Every e2e module carries ``pytestmark = E2E_MARKS``: the ``e2e`` marker (the normal
suite runs ``-m "not e2e"``) and a transactional database with *serialized
rollback*. The live server needs a transactional database, which is flushed after
each test; the serialized rollback puts back what the migrations created (the
Wagtail home page and Site, the role groups), so "/" keeps rendering the home page.

No browser is ever downloaded: Playwright launches /usr/bin/chromium
(override with E2E_CHROMIUM).
"""

import io
import os
from dataclasses import dataclass

import pytest
from django.core.management import call_command

E2E_MARKS = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
DEFAULT_TIMEOUT_MS = 20_000

# The back-office accounts `manage.py seed_demo` creates (directory/demo.py).
DEMO_PASSWORD = "demo-password-2026"
SECRETARIAT_EMAIL = "admin@example.jp"
MUNICIPAL_EMAIL = "city@example.jp"
SHOP_OWNER_EMAIL = "shop@example.jp"
AUDITOR_EMAIL = "auditor@example.jp"
DEMO_SHOPS = 40


@pytest.fixture(scope="session", autouse=True)
def _migration_data_restored_after_e2e(django_db_setup, django_db_blocker):
    """Put the migration-created rows back after the last e2e test's flush.

    With --reuse-db (the default in pyproject) a PostgreSQL test database outlives
    the run; left flushed, the next run (e2e or the normal suite) would find no
    home page, Site or role groups.
    """
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _content_types_cached_for_rollback(request):
    """Fill Django's ContentType cache before the flush that ends each test.

    The serialized rollback restores apps in INSTALLED_APPS order, so Wagtail's
    workflow tasks come back before django_content_type does, and Task.__init__
    asks for its content type. With a cold cache (roles_sync clears it) that
    inserts a row with a new id, and the restore then fails on a duplicate; a warm
    cache keeps the ids the restore is about to write.
    """
    yield
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    if not ContentType.objects.exists():
        return  # already flushed: warming now would insert rows with new ids
    models = apps.get_models()
    ContentType.objects.get_for_models(*models)
    ContentType.objects.get_for_models(*models, for_concrete_models=False)


@pytest.fixture
def browser(request, transactional_db, live_server):
    """Chromium for one test.

    Function-scoped on purpose: Playwright's sync API keeps an asyncio loop running
    in the test thread while it is started, and Django then hands out a *different*
    connection object (asgiref keys thread-critical locals by the running loop). The
    database fixture must therefore be set up before Playwright starts and flushed
    after it stops, or the serialized rollback and the flush miss their connection;
    depending on ``transactional_db`` gives that order. ORM calls made while the
    browser runs are synchronous anyway, so Django's async guard is lifted meanwhile.
    """
    from playwright.sync_api import sync_playwright

    if "demo_site" in request.fixturenames:
        request.getfixturevalue("demo_site")  # load the data first, whatever the argument order
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`make apt`)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_context(browser, live_server):
    """A fresh context (cookies, storage) per test, in Japanese, on the live server.

    Requests to any other origin (map tiles, fonts…) are aborted so the tests are
    hermetic and never wait on the network.
    """
    base = live_server.url.rstrip("/")
    context = browser.new_context(
        base_url=base,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport=DESKTOP_VIEWPORT,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.route(lambda url: not url.startswith(base), lambda route: route.abort())
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


@pytest.fixture
def base_url(live_server):
    return live_server.url.rstrip("/")


def _login_admin(page, email, password=DEMO_PASSWORD):
    """Sign in through Wagtail's admin login form (the e-mail goes in "username")."""
    page.goto("/admin/login/")
    page.locator('form.login-form input[name="username"]').fill(email)
    page.locator('form.login-form input[name="password"]').fill(password)
    page.locator('form.login-form button[type="submit"]').click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)


@pytest.fixture
def login_admin():
    """``login_admin(page, email, password=DEMO_PASSWORD)``."""
    return _login_admin


@dataclass(frozen=True)
class DemoSite:
    url: str
    # A shop each role may edit in the admin (for URLs such as /admin/snippets/shops/shop/edit/<pk>/).
    any_shop_pk: int
    owner_shop_pk: int


@pytest.fixture
def demo_site(live_server, transactional_db):
    """Masters, role groups and the demo data behind the live server."""
    from wagtail.models import Site

    from directory.accounts.roles import roles_sync
    from directory.masters.services import masters_load
    from directory.shops.models import OwnerShop, Shop

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    assert site is not None and site.root_page.specific_class.__name__ == "HomePage", (
        "The home page and Site from cms_pages' data migration are missing: "
        "e2e tests must use E2E_MARKS (serialized_rollback=True)."
    )
    masters_load()
    roles_sync()
    call_command("seed_demo", shops=DEMO_SHOPS, stdout=io.StringIO())
    owner_link = (
        OwnerShop.objects.filter(owner__user__email=SHOP_OWNER_EMAIL).order_by("pk").first()
    )
    assert owner_link is not None, f"the demo data links no shop to {SHOP_OWNER_EMAIL}"
    return DemoSite(
        url=live_server.url.rstrip("/"),
        any_shop_pk=Shop.objects.order_by("pk").values_list("pk", flat=True).first(),
        owner_shop_pk=owner_link.shop_id,
    )
