"""The site's public face: base layout, home page, standard pages, errors and language."""

import datetime
import re
from urllib.parse import urljoin

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.views.defaults import server_error
from wagtail.models import Page

from cms_pages.models import HomePage, StandardPage
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


def test_home_page_renders_in_japanese(client, masters):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert h1_count(html) == 1
    assert "子育て家庭と結婚を応援するお店が、府内にたくさんあります。</h1>" in html
    assert "大阪府子育て・結婚応援パスポート" in html  # the site name in the header


def test_base_layout_landmarks_and_skip_link(client, masters):
    html = client.get("/").content.decode()
    assert html.index('class="p-skip-link" href="#main"') < html.index("<header")
    assert "本文へスキップ" in html
    assert '<main id="main"' in html
    assert re.search(r'<nav class="p-nav" aria-label="[^"]+">', html)
    assert "<footer" in html
    for href, text in [("/", "ホーム"), ("/shops/", "協賛店をさがす"), ("/events/", "イベント"),
                       ("/faminavi/", "ふぁみなび"), ("/admin/login/", "事務局・協賛店の方")]:
        assert f'href="{href}"' in html
        assert text in html
    assert 'href="#"' not in html


def test_home_page_entry_points_and_programmes(client, masters):
    html = client.get("/").content.decode()
    # members: the shop search and the programmes; shops: the page for them. The
    # admin is linked from the footer only (issue 19), not from the page or the header.
    assert 'action="/shops/"' in html
    assert '<label class="p-form__label" for="home-keyword">' in html
    assert 'name="keyword"' in html
    assert 'href="/for-shops/"' in html
    main = html[html.index("<main"):html.index("</main>")]
    header = html[html.index("<header"):html.index("</header>")]
    assert 'href="/admin' not in main and 'href="/admin' not in header
    footer = html[html.index("<footer"):html.index("</footer>")]
    assert 'href="/admin/login/"' in footer
    assert "まいど子でもカード" in html and "縁ジョイパス" in html
    assert "18歳未満のお子さまがいるご家庭を応援するカードです。" in html
    assert 'href="/shops/?programme=maido"' in html


def test_home_page_lists_upcoming_events(client, osaka_city):
    today = timezone.localdate()
    event = EventFactory(title="春の親子まつり", starts_on=today + datetime.timedelta(days=1),
                         ends_on=today + datetime.timedelta(days=2))
    html = client.get("/").content.decode()
    assert "春の親子まつり" in html
    assert f'href="/events/{event.pk}/"' in html


def test_home_page_without_events_says_so(client, masters):
    html = client.get("/").content.decode()
    assert "現在、予定されているイベントはありません。" in html


def test_home_page_falls_back_to_the_site_name(client, masters):
    HomePage.objects.filter(slug="home").update(hero_title="")
    html = client.get("/").content.decode()
    assert h1_count(html) == 1
    assert "大阪府子育て・結婚応援パスポート</h1>" in html


def test_home_page_query_count(client, masters, django_assert_max_num_queries):
    # Site and page routing, view restrictions, programmes, news, programme pages,
    # the news index, featured shops and events, upcoming events, one query for
    # the site settings with the header/footer links, and one for the page's
    # translations (hreflang links, cms_pages/i18n.py).
    client.get("/")  # Wagtail caches the site root paths on the first request
    with django_assert_max_num_queries(17):
        client.get("/")


def test_standard_page(client, masters):
    home = Page.objects.get(slug="home")
    page = StandardPage(title="このサイトについて", slug="about", body=[
        ("heading", {"text": "運営", "level": "h2"}),
        ("paragraph", "<p>大阪府が運営しています。</p>"),
    ])
    home.add_child(instance=page)
    page.save_revision().publish()
    response = client.get("/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert h1_count(html) == 1
    assert "このサイトについて</h1>" in html
    assert "運営</h2>" in html
    assert "<p>大阪府が運営しています。</p>" in html
    assert '<html lang="ja">' in html


def test_404_page_is_japanese_with_a_link_home(client, masters):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "ページが見つかりません" in html
    assert h1_count(html) == 1
    assert '<a href="/">' in html
    assert '<html lang="ja">' in html


def test_500_page_renders_without_context_or_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="ja">' in html
    assert "エラーが発生しました" in html
    assert h1_count(html) == 1
    assert 'href="/"' in html


def test_language_switch_form_without_javascript(client, masters):
    html = client.get("/shops/?keyword=x").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'method="post"' in html
    assert '<input type="hidden" name="next" value="/shops/?keyword=x">' in html
    assert 'name="language" value="en"' in html
    assert 'lang="en"' in html and "English" in html


def test_switching_to_english_and_back(client, masters):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/shops/"})
    assert response.status_code == 302
    assert response["Location"] == "/shops/"
    html = client.get("/shops/").content.decode()
    assert '<html lang="en">' in html
    assert "Find sponsor shops" in html
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    html = client.get("/shops/").content.decode()
    assert '<html lang="ja">' in html
    assert "協賛店をさがす" in html


STATIC_REFERENCE = re.compile(r'(?:href|src)="(/static/[^"?#]+)')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml",
                ".png": "image/png", ".webmanifest": "application/manifest+json",
                ".json": "application/json", ".woff2": "font/woff2", ".ico": "image/"}


def _fetch_static(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    wanted = next((kind for suffix, kind in STATIC_TYPES.items() if path.endswith(suffix)), "")
    assert response["Content-Type"].startswith(wanted), (path, response["Content-Type"])
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("path", ["/", "/shops/", "/events/"])
def test_every_asset_a_page_links_is_served_by_the_app(settings, masters, path):
    """Each stylesheet, script, icon and image a page refers to answers 200 with its
    type through the app (WhiteNoise, finding files in the apps' static/ folders as
    under `make run`), and so does everything the stylesheets load."""
    from django.test import Client

    # Not in the test settings: WhiteNoise would scan every static file for each client.
    settings.WHITENOISE_USE_FINDERS = True
    client = Client()  # its middleware is built now, with the setting above
    html = client.get(path).content.decode()
    assets = set(STATIC_REFERENCE.findall(html))
    assert any(asset.endswith(".css") for asset in assets), assets
    assert any("icon" in asset for asset in assets), assets
    for asset in sorted(assets):
        body = _fetch_static(client, asset)
        if asset.endswith(".css"):
            for reference in CSS_URL.findall(body.decode()):
                if reference.startswith("data:"):
                    continue
                _fetch_static(client, urljoin(asset, reference))


def test_japanese_is_served_even_to_an_english_browser_until_the_visitor_switches(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ja"' in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en"' in client.get("/").content.decode()
