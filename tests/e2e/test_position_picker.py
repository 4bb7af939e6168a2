"""Browser test of the map position picker in the admin shop form: a click on the map
fills in latitude and longitude (directory/shops/static/shops/admin/position-picker.js).

The tile URL is a blank image (a data: URL, allowed by the CSP's img-src), so the map
needs no network.
"""

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, E2E_MARKS

pytestmark = E2E_MARKS

BLANK_TILE = (
    "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
)


@pytest.fixture
def blank_tiles(settings):
    settings.PORTAL = {**settings.PORTAL, "MAP_TILE_URL": BLANK_TILE}


def test_a_click_on_the_map_fills_in_latitude_and_longitude(
    blank_tiles, masters, page, login_admin
):
    from directory.accounts.roles import roles_sync
    from tests.factories import OwnerFactory

    roles_sync()
    owner = OwnerFactory()
    owner.user.set_password(DEMO_PASSWORD)
    owner.user.save()
    login_admin(page, owner.user.email)

    page.goto("/admin/snippets/shops/shop/add/")
    latitude = page.locator("#id_latitude")
    longitude = page.locator("#id_longitude")
    assert latitude.input_value() == "" and longitude.input_value() == ""

    picker = page.locator("figure[data-position-picker]")
    picker.wait_for(state="visible")  # shown by the script (hidden without JavaScript)
    canvas = picker.locator("[data-position-picker-canvas]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, box
    # Left of the centre: the default view is Osaka (34.6863, 135.5200) at zoom 10.
    canvas.click(position={"x": box["width"] / 2 - 50, "y": box["height"] / 2})

    page.wait_for_function(
        "() => document.getElementById('id_latitude').value !== ''"
        " && document.getElementById('id_longitude').value !== ''"
    )
    lat, lng = float(latitude.input_value()), float(longitude.input_value())
    assert abs(lat - 34.6863) < 0.05, lat
    assert 135.3 < lng < 135.52, lng  # west of the centre, a few km away
    assert page.locator(".leaflet-marker-icon").count() == 1

    # Typing moves the pin and keeps the typed values.
    latitude.fill("34.700000")
    longitude.fill("135.500000")
    longitude.dispatch_event("change")
    assert (latitude.input_value(), longitude.input_value()) == ("34.700000", "135.500000")
