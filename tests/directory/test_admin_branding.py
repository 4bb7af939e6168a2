"""The back office carries the programme's look through Wagtail's documented branding
blocks: the sign-in page is titled for 事務局・自治体・協賛店, with the programme's mark,
favicon and colours, and no Wagtail name or logo."""

import pytest
from django.urls import reverse

from directory.accounts import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_the_programmes(client):
    page = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "管理画面へのログイン" in page
    assert "事務局・自治体・協賛店の方へ" in page
    assert "大阪府子育て・結婚応援パスポート" in page
    assert "Wagtail" not in page.split("<body", 1)[1].split("<script", 1)[0]
    assert "icons/favicon.svg" in page and "icons/logo.svg" in page
    assert "css/admin.css" in page


def test_admin_pages_carry_the_programmes_name_colours_and_mark(client, masters):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "大阪府子育て・結婚応援パスポート 管理画面" in title and "Wagtail" not in title
    assert "icons/logo.svg" in page and "icons/favicon.svg" in page
    # Wagtail hard-codes its dashboard search button in English; ours is Japanese.
    assert 'value="Search"' not in page and 'value="検索"' in page
    assert "大阪府子育て・結婚応援パスポート 管理画面</h1>" in page


def test_admin_colours_are_the_public_sites_blue(client):
    from django.contrib.staticfiles import finders

    with open(finders.find("css/admin.css"), encoding="utf-8") as file:
        css = file.read()
    assert "--w-color-primary-hue: 233" in css and "--w-color-secondary-hue: 233" in css


def test_compare_view_marks_changes_with_text_not_colour_alone(client):
    """The stylesheet loaded on every admin page gives each insertion and deletion of
    the compare view a spoken label and a non-colour cue."""
    from django.contrib.staticfiles import finders

    with open(finders.find("css/admin.css"), encoding="utf-8") as file:
        css = file.read()
    assert 'content: "［追加：";' in css and 'content: "［削除：";' in css
    assert "text-decoration: line-through" in css and "text-decoration: underline" in css
