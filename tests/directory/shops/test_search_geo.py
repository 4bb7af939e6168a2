"""Distances for "near me" (directory.shops.geo), without the database."""

import math

import pytest
from django.utils import translation

from directory.shops.geo import KM_PER_DEGREE, Origin, format_distance


@pytest.fixture(autouse=True)
def japanese():
    with translation.override("ja"):
        yield


@pytest.mark.parametrize(("km", "label"), [
    (0.0, "約10m"),
    (0.004, "約10m"),
    (0.3, "約300m"),
    (0.347, "約350m"),
    (0.994, "約990m"),
    (0.996, "約1.0km"),
    (3.0, "約3.0km"),
    (12.345, "約12.3km"),
])
def test_format_distance(km, label):
    assert format_distance(km) == label


def test_distance_matches_a_great_circle_at_prefecture_scale():
    origin = Origin(34.6863, 135.5200)  # 大阪府庁
    # 関西国際空港, ~38 km away (haversine 38.2 km)
    lat, lng = 34.4320, 135.2304
    p1, p2 = math.radians(origin.latitude), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lng - origin.longitude)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    haversine = 2 * 6371.0088 * math.asin(math.sqrt(a))
    assert origin.distance_km(lat, lng) == pytest.approx(haversine, rel=0.01)


def test_bounding_box_contains_the_circle():
    origin = Origin(34.7, 135.5, radius_km=5)
    box = origin.bounding_box()
    assert box["latitude__lte"] - origin.latitude == pytest.approx(5 / KM_PER_DEGREE)
    east = origin.longitude + 5 / (KM_PER_DEGREE * math.cos(math.radians(34.7)))
    assert box["longitude__lte"] == pytest.approx(east)
    assert origin.distance_km(origin.latitude, east) == pytest.approx(5)
    assert origin.squared_degrees(5) == pytest.approx((5 / KM_PER_DEGREE) ** 2)


def test_positions_near_a_pole_do_not_divide_by_zero():
    origin = Origin(90.0, 0.0, radius_km=1)
    assert math.isfinite(origin.bounding_box()["longitude__lte"])
