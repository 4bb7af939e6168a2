"""Anonymous public pages set no cookie (so nginx's page cache can keep them), and
the two forms every page carries (language switch, analytics consent) refuse
cross-site posts without needing a CSRF token."""

import pytest
from django.test import Client
from wagtail.models import Site

from cms_pages import consent
from cms_pages.models import PortalSettings
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_ids(db):
    portal_settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    portal_settings.ga4_measurement_id = "G-TEST1234"
    portal_settings.save()
    return portal_settings


def test_anonymous_pages_set_no_cookie(client, masters, with_ids):
    shop = ShopFactory(name="カフェ・ミミ")
    for path in ("/", "/shops/", f"/shops/{shop.pk}/", "/events/", "/news/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, (path, list(response.cookies))
        html = response.content.decode()
        assert 'action="/i18n/setlang/"' in html
        assert "csrfmiddlewaretoken" not in html, path


@pytest.mark.parametrize("path, data", [
    ("/consent/", {"consent": "granted", "next": "/"}),
    ("/i18n/setlang/", {"language": "en", "next": "/"}),
])
def test_cross_site_posts_are_refused(masters, with_ids, path, data):
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post(path, data, HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403
    assert not refused.cookies
    refused = browser.post(path, data, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    refused = browser.post(path, data, HTTP_REFERER="https://evil.example/page")
    assert refused.status_code == 403

    accepted = browser.post(path, data, HTTP_ORIGIN="http://testserver")
    assert accepted.status_code == 302
    assert accepted.cookies


def test_consent_from_the_site_itself_is_stored(masters, with_ids):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/consent/", {"consent": "denied", "next": "/"},
                            HTTP_REFERER="http://testserver/shops/")
    assert response.status_code == 302
    assert response.cookies[consent.COOKIE_NAME].value == "denied"
