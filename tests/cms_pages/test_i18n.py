"""English pages with wagtail-localize: /en/ URLs, the Japanese fallback, hreflang
links, the language switch keeping the page, and the translation screens for the
secretariat (cms_pages/i18n.py)."""

import re

import pytest
from wagtail.models import GroupPagePermission, Locale, Page, WorkflowPage

from cms_pages.models import StandardPage
from tests.translation import english, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(home):
    page = StandardPage(title="このサイトについて", slug="about", intro="大阪府が運営しています。",
                        body=[("paragraph", "<p>子育てを応援します。</p>")])
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def english_about(home, about):
    translate(home, {"大阪府子育て・結婚応援パスポート": "Osaka passport"})
    return translate(about, {
        "このサイトについて": "About this site",
        "大阪府が運営しています。": "Run by Osaka Prefecture.",
        "子育てを応援します。": "We support families.",
    })


def alternates(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))


def test_english_locale_exists():
    assert Locale.objects.filter(language_code="en").exists()
    assert Locale.objects.filter(language_code="ja").exists()


def test_translated_page_is_served_in_english_under_en(client, masters, english_about):
    assert english_about.locale.language_code == "en"
    assert english_about.live
    assert english_about.url == "/en/about/"

    response = client.get("/en/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "About this site</h1>" in html
    assert "We support families." in html
    assert "子育てを応援します" not in html
    assert "shown in Japanese" not in html
    assert '<link rel="canonical" href="http://testserver/en/about/">' in html

    # The Japanese page keeps its address and content.
    html = client.get("/about/").content.decode()
    assert '<html lang="ja">' in html
    assert "このサイトについて</h1>" in html


def test_hreflang_links_on_both_languages(client, masters, english_about):
    expected = {
        "ja": "http://testserver/about/",
        "en": "http://testserver/en/about/",
        "x-default": "http://testserver/about/",
    }
    assert alternates(client.get("/about/").content.decode()) == expected
    assert alternates(client.get("/en/about/").content.decode()) == expected


def test_no_hreflang_links_for_a_page_in_japanese_only(client, masters, about):
    assert alternates(client.get("/about/").content.decode()) == {}


def test_untranslated_page_falls_back_to_japanese(client, masters, english_about):
    # The privacy policy (demo tree) has no English version.
    response = client.get("/en/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html  # the interface is English…
    assert '<div class="p-container" lang="ja">' in html  # …the content Japanese
    assert "プライバシーポリシー</h1>" in html
    assert "shown in Japanese" in html
    assert '<link rel="canonical" href="http://testserver/privacy/">' in html


def test_fallback_without_any_english_page(client, masters, about):
    for path, title in (("/en/", "<h2"), ("/en/about/", "このサイトについて</h1>")):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert title in html
        assert '<html lang="en">' in html
        assert '<div class="p-container" lang="ja">' in html


def test_draft_translation_is_not_served(client, masters, home, about):
    translate(home, {})
    draft = translate(about, {"このサイトについて": "About this site"}, publish=False)
    assert not draft.live
    html = client.get("/en/about/").content.decode()
    assert "このサイトについて</h1>" in html
    assert "About this site" not in html


def test_missing_pages_are_still_404(client, masters, english_about):
    assert client.get("/en/no-such-page/").status_code == 404
    assert client.get("/no-such-page/").status_code == 404


def test_anonymous_english_pages_set_no_cookie(client, masters, english_about):
    for path in ("/en/", "/en/about/", "/en/privacy/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, path


# --- The language switch --------------------------------------------------------------


def switch(client, language, next_url):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url},
                           HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302
    return response["Location"]


def test_switch_goes_to_the_translated_page(client, masters, english_about):
    assert switch(client, "en", "/about/") == "/en/about/"
    assert switch(client, "ja", "/en/about/") == "/about/"
    assert switch(client, "en", "/about/?page=2") == "/en/about/?page=2"


def test_switch_on_an_untranslated_page_stays_on_the_japanese_page(client, masters,
                                                                   english_about):
    assert switch(client, "en", "/privacy/") == "/privacy/"
    html = client.get("/privacy/").content.decode()
    assert '<html lang="en">' in html
    assert '<div class="p-container" lang="ja">' in html
    assert switch(client, "ja", "/en/privacy/") == "/privacy/"


def test_switch_keeps_other_pages_and_the_cookie_language(client, masters, english_about):
    assert switch(client, "en", "/shops/") == "/shops/"
    assert '<html lang="en">' in client.get("/shops/").content.decode()
    # A Japanese page with an English version, seen with English chosen: a link to it.
    html = client.get("/about/").content.decode()
    assert 'href="/en/about/"' in html
    assert switch(client, "ja", "/shops/") == "/shops/"
    assert '<html lang="ja">' in client.get("/shops/").content.decode()


def test_english_url_is_english_whatever_the_cookie(client, masters, english_about):
    switch(client, "ja", "/")
    assert '<html lang="en">' in client.get("/en/about/").content.decode()


def test_switch_refuses_other_sites_as_next(client, masters, english_about):
    # Django's fallback, the home page, in English.
    assert switch(client, "en", "https://evil.example/about/") == "/en/"


# --- Translation in the admin -----------------------------------------------------------


def test_secretariat_translates_through_the_admin(client, masters, secretariat, home, about):
    client.force_login(secretariat)
    url = f"/admin/localize/submit/page/{home.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"locales": [english().pk]})
    assert response.status_code == 302
    english_home = home.get_translation(english())
    # The English tree gets the Japanese home's permissions and workflow.
    assert set(GroupPagePermission.objects.filter(page=english_home)
               .values_list("group_id", "permission_id")) == set(
        GroupPagePermission.objects.filter(page=home).values_list("group_id", "permission_id"))
    assert WorkflowPage.objects.filter(page=english_home).exists()

    response = client.post(f"/admin/localize/submit/page/{about.pk}/",
                           {"locales": [english().pk]})
    assert response.status_code == 302
    english_about = about.get_translation(english())
    # The translation editor opens for the new page.
    response = client.get(f"/admin/pages/{english_about.pk}/edit/")
    assert response.status_code == 200
    assert "wagtail_localize" in response.content.decode() or "translation" in (
        response.content.decode().lower())


def test_editor_cannot_submit_translations(client, masters, editor, home):
    client.force_login(editor)
    assert client.get(f"/admin/localize/submit/page/{home.pk}/").status_code in (302, 403)
    assert not Page.objects.filter(locale=english()).exists()


def test_header_links_go_to_english_pages_in_english(client, masters, english_about):
    news = Page.objects.get(depth=3, slug="news").specific
    translate(news, {"ニュース": "News"})
    html = client.get("/en/about/").content.decode()
    assert '<a class="p-header__brand-link" href="/en/">' in html
    assert '<a class="p-nav__link" href="/en/news/">News</a>' in html
    # Untranslated linked pages keep their Japanese page.
    assert 'href="/faq/"' in html
    # In Japanese, the Japanese pages.
    html = client.get("/about/").content.decode()
    assert '<a class="p-header__brand-link" href="/">' in html
    assert 'href="/news/"' in html and 'href="/en/news/"' not in html


def test_sitemap_lists_english_pages(client, masters, english_about):
    html = client.get("/sitemap-pages.xml").content.decode()
    assert "<loc>http://testserver/about/</loc>" in html
    assert "<loc>http://testserver/en/about/</loc>" in html
    assert "<loc>http://testserver/en/</loc>" in html
