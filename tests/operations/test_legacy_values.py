"""Values as Japanese exports write them (operations/legacy/values.py)."""

import datetime

import pytest

from operations.legacy import values


@pytest.mark.parametrize("text,expected", [
    ("令和6年5月31日", datetime.date(2024, 5, 31)),
    ("令和元年5月1日", datetime.date(2019, 5, 1)),
    ("R6.5.31", datetime.date(2024, 5, 31)),
    ("H31/4/30", datetime.date(2019, 4, 30)),
    ("平成元年1月8日", datetime.date(1989, 1, 8)),
    ("昭和64年1月7日", datetime.date(1989, 1, 7)),
    ("２０２４年５月３１日", datetime.date(2024, 5, 31)),
    ("2024/5/31", datetime.date(2024, 5, 31)),
    ("2024-05-31", datetime.date(2024, 5, 31)),
    ("2024-05-31 10:00:00", datetime.date(2024, 5, 31)),
    ("2024-05-31T10:00:00+09:00", datetime.date(2024, 5, 31)),
    ("20240531", datetime.date(2024, 5, 31)),
    ("", None),
    ("  ", None),
])
def test_dates(text, expected):
    assert values.date_parse(text) == expected


@pytest.mark.parametrize("text,fragment", [
    ("令和6年13月1日", "存在しない"),
    ("2024/2/30", "存在しない"),
    ("令和元年4月30日", "始まりより前"),  # 令和 began on 2019-05-01
    ("平成0年1月1日", "和暦の年"),
    ("5月31日", "読めません"),
    ("明日", "読めません"),
])
def test_bad_dates_say_why(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        values.date_parse(text)


def test_coordinates():
    assert values.coordinates("34.6863", "135.52") == (34.6863, 135.52, "")
    lat, lng, warning = values.coordinates("135.52", "34.6863")
    assert (lat, lng) == (34.6863, 135.52) and "逆" in warning
    assert values.coordinates("0", "0")[:2] == (None, None)
    assert values.coordinates("48.85", "2.35")[2].startswith("位置が日本国外")
    assert values.coordinates("34.6", "")[:2] == (None, None)
    assert values.coordinates("", "") == (None, None, "")
    with pytest.raises(ValueError):
        values.coordinates("北緯34度", "135")


def test_postcode_phone_and_flags():
    assert values.postcode("5408570") == "540-8570"
    assert values.postcode("〒５４０－８５７０") == "540-8570"
    assert values.postcode("54") == "54"  # left for the model's validator to refuse
    assert values.phone("０６－６９４１－０３５１") == "06-6941-0351"
    assert values.flag("1") is True and values.flag("") is False and values.flag("０") is False
    with pytest.raises(ValueError):
        values.flag("2")
    assert values.in_osaka(34.69, 135.50) and not values.in_osaka(35.68, 139.76)
