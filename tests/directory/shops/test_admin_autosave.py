"""Autosave never stores a draft that empties a required field (the shop would be
called 「Shop object (22)」 in the header and the history); the owner's own
「下書き保存」 still may, as Wagtail allows incomplete drafts."""

import pytest

from tests.directory.shops.owner_helpers import edit_url, get_edit_form

pytestmark = pytest.mark.django_db


def test_autosave_with_an_emptied_name_is_refused_with_a_japanese_message(client,
                                                                         published_shop):
    owner, shop = published_shop
    client.force_login(owner.user)
    url = edit_url(shop.pk)
    data = get_edit_form(client, url)
    data["name"] = ""
    response = client.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["error_code"] == "validation_error"
    assert "必須項目" in body["error_message"] and "自動保存しませんでした" in body["error_message"]
    shop.refresh_from_db()
    assert shop.latest_revision.object_str == "ひまわり食堂"


def test_autosave_with_the_required_fields_filled_is_stored(client, published_shop):
    owner, shop = published_shop
    client.force_login(owner.user)
    url = edit_url(shop.pk)
    data = get_edit_form(client, url)
    data["name"] = "ひまわり食堂 本店"
    response = client.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["success"] is True
    shop.refresh_from_db()
    assert shop.latest_revision.object_str == "ひまわり食堂 本店"


def test_the_save_draft_button_still_saves_an_incomplete_draft(client, published_shop):
    owner, shop = published_shop
    client.force_login(owner.user)
    url = edit_url(shop.pk)
    data = get_edit_form(client, url)
    data["phone"] = ""
    data["opening_hours"] = "10:00〜18:00"
    assert client.post(url, data).status_code == 302
