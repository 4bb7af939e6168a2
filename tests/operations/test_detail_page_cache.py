"""Detail pages of shops, events and ふぁみなび are kept longer by nginx (X-Accel-Expires)
only when publishing refreshes them, and publishing, unpublishing or deleting one sends
the refresh GET for its page to nginx's refresh listener (a local fake here: nginx is
outside the test process; tests/operations/test_scaleout.py runs the real one)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from wagtail.models import Site

from tests.factories import ArticleFactory, EventFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refresh_listener(settings):
    """A fake nginx refresh listener recording (path, Host, Cookie) of every GET."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append((self.path, self.headers["Host"], self.headers["Cookie"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {"nginx0": {
        "BACKEND": "config.frontend_cache.NginxRefreshBackend",
        "LOCATION": f"http://127.0.0.1:{server.server_address[1]}"}}
    settings.PUBLIC_DETAIL_CACHE_SECONDS = 600
    yield seen
    server.shutdown()
    server.server_close()


def _site_host():
    site = Site.objects.get(is_default_site=True)
    return site.hostname + ("" if site.port in (80, 443) else f":{site.port}")


@pytest.mark.parametrize("factory", [ShopFactory, EventFactory, ArticleFactory])
def test_anonymous_detail_page_is_kept_longer_when_publishing_refreshes_it(
        client, masters, refresh_listener, factory):
    item = factory()
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Accel-Expires"] == "600"


def test_signed_in_and_unrefreshed_detail_pages_keep_the_default(client, masters, settings):
    shop = ShopFactory()
    settings.PUBLIC_DETAIL_CACHE_SECONDS = 600
    settings.WAGTAILFRONTENDCACHE = {}
    assert "X-Accel-Expires" not in client.get(shop.get_absolute_url())
    settings.WAGTAILFRONTENDCACHE = {"nginx0": {
        "BACKEND": "config.frontend_cache.NginxRefreshBackend",
        "LOCATION": "http://127.0.0.1:9"}}
    client.force_login(UserFactory())
    assert "X-Accel-Expires" not in client.get(shop.get_absolute_url())


@pytest.mark.parametrize(("factory", "listing"), [
    (ShopFactory, "/shops/"), (EventFactory, "/events/"), (ArticleFactory, "/faminavi/")])
def test_publish_unpublish_and_delete_refresh_the_pages_showing_it(
        masters, refresh_listener, django_capture_on_commit_callbacks, factory, listing):
    """Its own page, the list it is in and the home page (issue 20: lists and home are
    kept until changed too)."""
    item = factory()
    path = item.get_absolute_url()
    # One GET per page and language copy: no cookie (Japanese), then the English cookie.
    expected = [(page, _site_host(), cookie) for page in (path, listing, "/")
                for cookie in (None, "django_language=en")]
    with django_capture_on_commit_callbacks(execute=True):
        item.save_revision().publish()
    assert refresh_listener == expected

    with django_capture_on_commit_callbacks(execute=True):
        item.unpublish()
    assert refresh_listener[6:] == expected

    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert refresh_listener[12:] == expected


def test_nothing_is_sent_without_a_refresh_listener(masters, settings,
                                                    django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = {}
    shop = ShopFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        shop.save_revision().publish()
    assert not any("refresh" in repr(callback) for callback in callbacks)


def test_warm_up_fetches_home_lists_and_the_most_viewed_shops(masters, refresh_listener):
    """Issue 20: after a deploy or a full purge, `manage.py cache_warm` fetches the most
    visited pages through the refresh listener (so nginx stores them) — the fixed pages,
    then shops by their views of the last 30 days; unpublished shops are left out."""
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from cms_pages.assistant.models import ShopView
    from config.cache_warm import FIXED_PATHS, warm_paths

    popular, second, old, hidden = ShopFactory(), ShopFactory(), ShopFactory(), ShopFactory()
    today = timezone.localdate()
    ShopView.objects.create(day=today, shop=popular, count=50)
    ShopView.objects.create(day=today - datetime.timedelta(days=3), shop=second, count=20)
    ShopView.objects.create(day=today, shop=second, count=5)
    ShopView.objects.create(day=today - datetime.timedelta(days=40), shop=old, count=500)
    ShopView.objects.create(day=today, shop=hidden, count=900)
    hidden.live = False
    hidden.save()
    expected = [*FIXED_PATHS, popular.get_absolute_url(), second.get_absolute_url()]
    assert warm_paths() == expected
    assert warm_paths(limit=len(FIXED_PATHS) + 1) == expected[:-1]
    call_command("cache_warm", "--now")
    fetched = [path for path, _host, cookie in refresh_listener if cookie is None]
    assert fetched == expected
    assert len(refresh_listener) == 2 * len(expected)  # each language copy
