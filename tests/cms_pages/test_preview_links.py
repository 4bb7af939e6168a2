"""Shareable preview links: made in the admin, showing the latest draft to
anyone with the link, marked noindex, expiring with a clear message."""

import re
import time
from unittest import mock

import pytest
from django.urls import reverse

from cms_pages import preview_links
from cms_pages.models import NewsPage
from tests.cms_pages.conftest import demo_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_news(news_index):
    page = NewsPage(title="公開前のお知らせ", slug="not-yet", intro="まだ秘密です。", live=False)
    news_index.add_child(instance=page)
    page.save_revision()
    return page


def preview_path(page):
    return reverse("cms_pages:shared_preview", args=[preview_links.preview_link_token(page)])


def test_the_link_shows_the_latest_draft_with_a_banner_and_noindex(client, masters, draft_news):
    assert client.get("/news/not-yet/").status_code == 404  # not public
    response = client.get(preview_path(draft_news))
    assert response.status_code == 200
    html = response.content.decode()
    assert "公開前のお知らせ</h1>" in html
    assert "<strong>未公開のプレビュー</strong>" in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_the_link_follows_later_edits(client, masters, draft_news):
    path = preview_path(draft_news)
    draft_news.title = "直したお知らせ"
    draft_news.save_revision()
    assert "直したお知らせ</h1>" in client.get(path).content.decode()


def test_a_live_page_shows_its_unpublished_changes(client, masters):
    page = demo_page("privacy")
    page.title = "プライバシーポリシー（改定案）"
    page.save_revision()
    html = client.get(preview_path(page)).content.decode()
    assert "プライバシーポリシー（改定案）</h1>" in html
    assert "プライバシーポリシー（改定案）" not in client.get("/privacy/").content.decode()


def test_the_contact_form_previews(client, masters):
    html = client.get(preview_path(demo_page("contact"))).content.decode()
    assert 'name="email"' in html


def test_an_expired_link_answers_410_in_japanese(client, masters, draft_news):
    eight_days_ago = time.time() - 8 * 24 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        token = preview_links.preview_link_token(draft_news)
    response = client.get(reverse("cms_pages:shared_preview", args=[token]))
    assert response.status_code == 410
    html = response.content.decode()
    assert "このプレビューのリンクは有効期限が切れています</h1>" in html
    assert "7日間使えます" in html
    assert "公開前のお知らせ" not in html
    assert response["X-Robots-Tag"].startswith("noindex")


def test_the_lifetime_is_a_setting(client, masters, draft_news, settings):
    settings.PORTAL = {**settings.PORTAL, "PREVIEW_LINK_DAYS": 1}
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=two_days_ago):
        token = preview_links.preview_link_token(draft_news)
    assert client.get(reverse("cms_pages:shared_preview", args=[token])).status_code == 410


def test_a_tampered_or_unknown_link_is_not_found(client, masters, draft_news):
    token = preview_links.preview_link_token(draft_news)
    assert client.get(reverse("cms_pages:shared_preview", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("cms_pages:shared_preview", args=["nonsense"])).status_code == 404
    draft_news.delete()
    assert client.get(reverse("cms_pages:shared_preview", args=[token])).status_code == 404


def test_expiry_date_of_a_token(draft_news):
    token = preview_links.preview_link_token(draft_news)
    expires = preview_links.preview_link_expires_at(token)
    issued = preview_links.preview_link_expires_at(token) - preview_links.preview_link_max_age()
    assert abs(issued.timestamp() - time.time()) < 5
    assert expires > issued
    with pytest.raises(preview_links.PreviewLinkInvalid):
        preview_links.preview_link_expires_at("bad")


def test_editors_get_a_link_from_the_admin(client, editor, draft_news, masters):
    client.force_login(editor)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[draft_news.pk])).content.decode()
    link_page = reverse("cms_pages_preview_link", args=[draft_news.pk])
    assert link_page in edit  # in the page header's actions menu
    response = client.get(link_page)
    assert response.status_code == 200
    html = response.content.decode()
    url = re.search(r'id="preview-link-url" readonly value="([^"]+)"', html).group(1)
    assert "7日後に使えなくなります" in html
    client.logout()
    assert "公開前のお知らせ</h1>" in client.get(url).content.decode()


def test_users_who_cannot_edit_get_no_link(client, draft_news):
    client.force_login(UserFactory(groups=["協賛店オーナー"]))
    response = client.get(reverse("cms_pages_preview_link", args=[draft_news.pk]))
    assert response.status_code in (302, 403)
    client.logout()
    response = client.get(reverse("cms_pages_preview_link", args=[draft_news.pk]))
    assert response.status_code == 302  # to the admin login
