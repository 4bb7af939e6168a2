"""The shop owner's admin: a dashboard with only their shops and events and their
status (公開中 / 下書きあり / 承認待ち / 差し戻し with the comment / 非公開), a menu
with only shops and events, and no way into pages, translations or reports."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from directory.shops.models import Shop
from tests.directory.shops.owner_helpers import (
    edit_url,
    post_edit,
    workflow_action_url,
)
from tests.factories import ShopBenefitFactory, owner_with_shop

pytestmark = pytest.mark.django_db


def _dashboard(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def _status_of(html, title):
    """The status code shown in the row of `title` on the dashboard."""
    row = re.search(re.escape(title) + r".*?data-status=\"([a-z_]+)\"", html, re.S)
    assert row, title
    return row.group(1)


def _menu_names(html):
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S).group(1)
    module = next(module for module in json.loads(props)["modules"]
                  if module["_type"] == "wagtail.sidebar.MainMenuModule")
    return [item["_args"][0]["name"] for item in module["_args"][0]]


@pytest.fixture
def owner_client(published_shop):
    client = Client()
    client.force_login(published_shop[0].user)
    return client


def test_dashboard_lists_only_their_shops_with_each_status(
    owner_client, published_shop, secretariat
):
    owner, live = published_shop
    # Another owner's shop never appears.
    other_owner, other = owner_with_shop(name="よその店")
    # Four more shops of this owner, one per status.
    draft = Shop.objects.create(**_copy(live, name="下書きの店"))
    waiting = Shop.objects.create(**_copy(live, name="審査中の店"))
    returned = Shop.objects.create(**_copy(live, name="差し戻しの店"))
    new = Shop.objects.create(**_copy(live, name="未公開の店", live=False))
    for shop in (draft, waiting, returned, new):
        shop.owner_shops.create(owner=owner)
        ShopBenefitFactory(shop=shop)
        if shop is not new:
            shop.save_revision().publish()
    post_edit(owner_client, edit_url(draft.pk), name="下書きの店 改")
    post_edit(owner_client, edit_url(waiting.pk), name="審査中の店 改", action="submit")
    post_edit(owner_client, edit_url(returned.pk), name="差し戻しの店 改", action="submit")
    reviewer = Client()
    reviewer.force_login(secretariat)
    returned.refresh_from_db()
    reviewer.post(workflow_action_url(returned, "reject"),
                  {"comment": "営業時間を入れてください。"})

    html = _dashboard(owner_client)
    assert "よその店" not in html
    assert _status_of(html, "ひまわり食堂") == "live"
    assert _status_of(html, "下書きの店 改") == "draft"
    assert _status_of(html, "審査中の店 改") == "in_moderation"
    assert _status_of(html, "差し戻しの店 改") == "needs_changes"
    assert _status_of(html, "未公開の店") == "not_live"
    for label in ("公開中", "下書きあり", "承認待ち", "差し戻し", "非公開"):
        assert label in html, label
    assert "営業時間を入れてください。" in html
    # Wagtail's panels about pages and the site are not shown to owners.
    assert "ページを検索" not in html and "Search all pages" not in html
    assert 'id="objects-in-workflow-section"' not in html and 'id="awaiting-review-section"' not in html
    assert "よその店" not in html and other_owner.name not in html
    del other


def _copy(shop, **changes):
    fields = {name: getattr(shop, name) for name in (
        "postcode", "municipality", "address", "latitude", "longitude", "phone")}
    fields.update({"live": True, **changes})
    return fields


def test_owner_menu_shows_only_shops_and_events(owner_client):
    names = _menu_names(_dashboard(owner_client))
    assert names == ["shops", "events"]


def test_secretariat_keeps_wagtails_dashboard_and_menu(secretariat):
    client = Client()
    client.force_login(secretariat)
    html = _dashboard(client)
    names = _menu_names(html)
    assert "shops" in names and "reports" in names
    assert 'id="owner-shops-section"' not in html


@pytest.mark.parametrize("url", [
    "/admin/localize/reports/translations/",
    "/admin/reports/workflow/",
    "/admin/reports/site-history/",
    "/admin/pages/",
    "/admin/users/",
    "/admin/groups/",
    "/admin/workflows/list/",
    "/admin/snippets/members/member/",
    "/admin/snippets/shops/owner/",
    "/admin/snippets/faminavi/article/",
    "/admin/shops/failed-tasks/",
])
def test_owner_cannot_open_screens_outside_their_role(owner_client, url):
    response = owner_client.get(url)
    assert response.status_code in (302, 403, 404), (url, response.status_code)


def test_owner_page_chooser_offers_no_pages(owner_client):
    response = owner_client.get(reverse("wagtailadmin_choose_page"))
    assert response.status_code == 200
    html = json.loads(response.content)["html"]
    assert "ホーム" not in html


def test_owner_events_are_on_the_dashboard(owner_client, published_shop):
    from tests.factories import EventFactory

    _owner, shop = published_shop
    EventFactory(title="親子クッキング教室", shop=shop, live=False)
    EventFactory(title="よそのイベント", live=True)
    html = _dashboard(owner_client)
    assert "親子クッキング教室" in html and "よそのイベント" not in html
    assert _status_of(html, "親子クッキング教室") == "not_live"
