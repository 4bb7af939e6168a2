"""Issue 19: the terms both sign-up forms ask to agree to are CMS pages that can be
read (created as drafts for the secretariat by migration 0012), and every page has
a meta description: the page's own search description, else the site's default."""

import re

import pytest

pytestmark = pytest.mark.django_db


def meta_description(html: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert len(found) == 1, found
    return found[0]


def test_the_terms_pages_exist_and_are_linked_from_the_footer(client, masters):
    for path, title in (("/terms/", "利用規約"), ("/shop-terms/", "協賛店の規約")):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "<h1" in html and title in html
        assert "案です" in html  # a draft for the secretariat to approve
    footer = client.get("/").content.decode().split("<footer", 1)[1]
    assert 'href="/terms/"' in footer and 'href="/shop-terms/"' in footer


def test_the_member_sign_up_form_links_the_terms_and_the_privacy_policy(client, masters):
    html = client.get("/accounts/signup/").content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    assert 'href="/terms/"' in main
    assert 'href="/privacy/"' in main


def test_the_sponsor_shop_sign_up_form_links_the_shop_terms(client, masters):
    html = client.get("/for-shops/").content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    assert 'href="/shop-terms/"' in main
    assert 'href="/privacy/"' in main


def test_an_outside_terms_url_setting_still_wins(client, masters, settings):
    settings.PORTAL = {**settings.PORTAL, "TERMS_URL": "https://example.jp/terms"}
    html = client.get("/accounts/signup/").content.decode()
    assert 'href="https://example.jp/terms"' in html


def test_every_page_has_a_meta_description(client, masters):
    default = meta_description(client.get("/shops/").content.decode())
    assert "協賛店" in default
    for path in ("/", "/events/", "/faminavi/", "/accounts/login/", "/accounts/signup/",
                 "/for-shops/", "/news/", "/faq/", "/privacy/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert meta_description(response.content.decode()), path


def test_a_page_search_description_is_used(client, masters):
    html = client.get("/terms/").content.decode()
    assert meta_description(html) == "会員登録とカードの利用についての規約です。"
    from wagtail.models import Page

    home = Page.objects.get(depth=2, slug="home").specific
    home.search_description = "大阪府の子育て家庭と新婚家庭を応援する協賛店さがし"
    home.save_revision().publish()
    from django.core.cache import cache

    cache.clear()
    assert meta_description(client.get("/").content.decode()) == home.search_description


def test_the_push_device_name_input_is_styled(client, masters):
    html = client.get("/notifications/").content.decode()
    assert '<input class="p-form__control" id="push-device-label"' in html
    assert '<label class="p-form__label" for="push-device-label">' in html
