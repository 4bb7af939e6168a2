"""One create form makes one record, and the secretariat's shop list shows what it
needs to spot duplicates (status, last change, owner), with filters on them."""

import html as html_lib
import re

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from directory.shops.models import Shop
from tests.directory.shops.owner_helpers import new_shop_form
from tests.factories import OwnerFactory, ShopFactory, owner_with_shop

pytestmark = pytest.mark.django_db

SHOP_NS = "wagtailsnippets_shops_shop"


def _form_action(client, url) -> str:
    page = client.get(url).content.decode()
    form = re.search(r'<form[^>]*id="w-editor-form"[^>]*>', page, re.S).group(0)
    return html_lib.unescape(re.search(r'action="([^"]*)"', form).group(1))


def test_autosave_and_submit_of_one_form_make_one_shop(client, osaka_city):
    owner = OwnerFactory()
    client.force_login(owner.user)
    action = _form_action(client, reverse(f"{SHOP_NS}:add"))
    assert "creation=" in action
    data = new_shop_form(osaka_city)
    # The autosave fires while the owner is still on the create page…
    autosaved = client.post(action, data, HTTP_ACCEPT="application/json")
    assert autosaved.status_code == 200 and autosaved.json()["success"] is True
    shop = Shop.objects.get()
    assert autosaved.json()["url"] == reverse(f"{SHOP_NS}:edit", args=[shop.pk])
    # …and 「協賛店承認に提出する」 posts the same form to the same create URL.
    submitted = client.post(action, {**data, "action-submit": "1"})
    assert submitted.status_code == 302
    assert Shop.objects.count() == 1
    assert WorkflowState.objects.active().for_instance(shop).get().status == "in_progress"
    assert shop.owner_shops.get().owner == owner


def test_two_autosaves_of_one_form_make_one_shop(client, osaka_city):
    owner = OwnerFactory()
    client.force_login(owner.user)
    action = _form_action(client, reverse(f"{SHOP_NS}:add"))
    first = client.post(action, new_shop_form(osaka_city), HTTP_ACCEPT="application/json")
    second = client.post(action, new_shop_form(osaka_city, name="カフェ・しんき本店"),
                         HTTP_ACCEPT="application/json")
    assert first.json()["pk"] == second.json()["pk"]
    shop = Shop.objects.get()
    assert shop.latest_revision.object_str == "カフェ・しんき本店"


def test_each_new_form_makes_its_own_shop(client, osaka_city):
    owner = OwnerFactory()
    client.force_login(owner.user)
    for name in ("一号店", "二号店"):
        action = _form_action(client, reverse(f"{SHOP_NS}:add"))
        assert client.post(action, new_shop_form(osaka_city, name=name)).status_code == 302
    assert sorted(Shop.objects.values_list("name", flat=True)) == ["一号店", "二号店"]


def test_another_users_form_token_is_refused(client, osaka_city):
    first, second = OwnerFactory(), OwnerFactory()
    client.force_login(first.user)
    action = _form_action(client, reverse(f"{SHOP_NS}:add"))
    client.post(action, new_shop_form(osaka_city), HTTP_ACCEPT="application/json")
    shop = Shop.objects.get()
    client.force_login(second.user)
    response = client.post(action, new_shop_form(osaka_city, name="乗っ取り"))
    assert response.status_code == 404
    assert Shop.objects.count() == 1
    shop.refresh_from_db()
    assert shop.latest_revision.object_str == "カフェ・しんき"


@pytest.fixture
def shop_list(masters, secretariat):
    owner, waiting = owner_with_shop(name="承認待ちの店", live=False)
    owner.name = "山田花子"
    owner.save()
    waiting.save_revision(user=owner.user)
    waiting.get_workflow().start(waiting, owner.user)
    ShopFactory(name="公開中の店")
    return waiting


def test_secretariat_list_shows_status_owner_and_last_change(client, secretariat, shop_list):
    client.force_login(secretariat)
    page = client.get(reverse(f"{SHOP_NS}:list")).content.decode()
    assert "承認待ち" in page and "公開中" in page and "山田花子" in page
    assert "最終更新" in page


@pytest.mark.parametrize(("params", "shown", "hidden"), [
    ({"status": "in_moderation"}, "承認待ちの店", "公開中の店"),
    ({"status": "live"}, "公開中の店", "承認待ちの店"),
    ({"owner": "山田"}, "承認待ちの店", "公開中の店"),
])
def test_secretariat_list_filters_by_status_and_owner(client, secretariat, shop_list, params,
                                                     shown, hidden):
    client.force_login(secretariat)
    page = client.get(reverse(f"{SHOP_NS}:list_results"), params).content.decode()
    assert shown in page and hidden not in page


def test_secretariat_list_filters_by_last_change(client, secretariat, shop_list):
    client.force_login(secretariat)
    Shop.objects.filter(name="公開中の店").update(updated_at="2020-01-01T00:00:00+09:00")
    page = client.get(reverse(f"{SHOP_NS}:list_results"),
                      {"updated_at_from": "2019-12-31", "updated_at_to": "2020-01-02"}
                      ).content.decode()
    assert "公開中の店" in page and "承認待ちの店" not in page


def test_shop_list_menu_item_is_not_the_public_sites_label(client, secretariat):
    import json

    client.force_login(secretariat)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>', page, re.S)
    menu = json.dumps(json.loads(props.group(1)), ensure_ascii=False)
    assert "協賛店の方へ" not in menu
    assert '"協賛店"' in menu and '"協賛店一覧"' in menu
