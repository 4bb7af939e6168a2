"""The map position picker under the latitude/longitude fields of the admin shop form
(directory/shops/position_picker.py; the click is tested in tests/e2e/test_position_picker.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.directory.shops.owner_helpers import SHOP_NS
from tests.factories import OwnerFactory, owner_with_shop

pytestmark = pytest.mark.django_db


def _picker(html):
    match = re.search(r"<figure[^>]*data-position-picker[^>]*>", html)
    assert match, "no position picker on the page"
    return match.group(0)


def test_the_add_page_has_the_picker_wired_to_the_latitude_and_longitude_fields(
    masters, settings
):
    settings.PORTAL = {**settings.PORTAL, "MAP_TILE_URL": "https://tiles.example.jp/{z}/{x}/{y}.png"}
    client = Client()
    client.force_login(OwnerFactory().user)
    response = client.get(reverse(f"{SHOP_NS}:add"))
    assert response.status_code == 200
    html = response.content.decode()

    picker = _picker(html)
    assert 'data-latitude-id="id_latitude"' in picker
    assert 'data-longitude-id="id_longitude"' in picker
    assert 'data-tile-url="https://tiles.example.jp/{z}/{x}/{y}.png"' in picker
    # The ids point at the real inputs, which stay the typed (keyboard) path.
    assert re.search(r'<input[^>]*name="latitude"[^>]*id="id_latitude"', html)
    assert re.search(r'<input[^>]*name="longitude"[^>]*id="id_longitude"', html)
    # Hidden until the script shows it; the script and Leaflet are on the page.
    assert " hidden" in picker
    assert "shops/admin/position-picker.js" in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "地図をクリックするかピンを動かすと" in html


def test_the_edit_page_has_the_picker_too(masters):
    owner, shop = owner_with_shop()
    client = Client()
    client.force_login(owner.user)
    html = client.get(reverse(f"{SHOP_NS}:edit", args=[shop.pk])).content.decode()
    picker = _picker(html)
    assert 'data-latitude-id="id_latitude"' in picker
    assert 'data-longitude-id="id_longitude"' in picker
