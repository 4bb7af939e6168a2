"""The site settings and the pages linked from every page are read once per process
(cms_pages/selectors.py `site_cache`), and every change shows on the next page view."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from cms_pages.models import PortalSettings
from cms_pages.selectors import site_cache
from tests.cms_pages.conftest import demo_page

pytestmark = pytest.mark.django_db


def _settings_queries(client, path="/events/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    reads = [q["sql"] for q in queries if 'FROM "cms_pages_portalsettings"' in q["sql"]]
    return response, len(reads)


def test_settings_are_read_once_then_served_from_the_process(client, home):
    _, first = _settings_queries(client)
    _, second = _settings_queries(client)
    assert (first, second) == (1, 0)


def test_a_settings_change_shows_on_the_next_view(client, home):
    _settings_queries(client)
    portal_settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    portal_settings.site_name = "キャッシュ確認ポータル"
    portal_settings.save()
    response, reads = _settings_queries(client)
    assert reads == 1
    assert "キャッシュ確認ポータル" in response.content.decode()


def test_unpublishing_a_linked_page_drops_its_link_at_once(client, home):
    faq = demo_page("faq")
    portal_settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    portal_settings.faq_page = faq
    portal_settings.save()
    response, _ = _settings_queries(client)
    assert f'href="{faq.url}"' in response.content.decode()

    faq.unpublish()
    response, reads = _settings_queries(client)
    assert reads == 1
    assert f'href="{faq.url}"' not in response.content.decode()

    faq.save_revision().publish()
    response, _ = _settings_queries(client)
    assert f'href="{faq.url}"' in response.content.decode()


def test_another_process_change_is_seen_through_the_shared_version(client, home):
    """A write that sends no signal (or one made by another process) is seen once the
    shared version is dropped, as `site_cache.clear()` does in that process."""
    _settings_queries(client)
    PortalSettings.objects.update(site_name="別プロセスで変更")
    response, reads = _settings_queries(client)
    assert reads == 0 and "別プロセスで変更" not in response.content.decode()
    cache.delete(site_cache.version_key)
    response, reads = _settings_queries(client)
    assert reads == 1 and "別プロセスで変更" in response.content.decode()
