"""Parsers for the values found in Japanese CSV exports. Each raises ValueError
with a Japanese message saying what was wrong; the importer reports it with the
file and line."""

import datetime
import re
import unicodedata

ERAS = {
    # name: (first year in the Gregorian calendar, first day of the era)
    "令和": (2019, datetime.date(2019, 5, 1)),
    "平成": (1989, datetime.date(1989, 1, 8)),
    "昭和": (1926, datetime.date(1926, 12, 25)),
    "大正": (1912, datetime.date(1912, 7, 30)),
    "明治": (1868, datetime.date(1868, 1, 25)),
}
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}
_ERA_DATE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\.?\s*(?P<year>元|\d{1,2})\s*[年./-]\s*"
    r"(?P<month>\d{1,2})\s*[月./-]\s*(?P<day>\d{1,2})\s*日?$"
)
_WESTERN_DATE = re.compile(
    r"^(?P<year>\d{4})\s*[年./-]\s*(?P<month>\d{1,2})\s*[月./-]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")

# Japan's extreme points, with a margin: 20°N (沖ノ鳥島) – 46°N, 122°E – 154°E.
JAPAN_LATITUDE = (20.0, 46.0)
JAPAN_LONGITUDE = (122.0, 154.0)
# Osaka Prefecture's bounding box, with a margin (the inspection report).
OSAKA_LATITUDE = (34.2, 35.1)
OSAKA_LONGITUDE = (135.0, 135.8)


def clean(value: str | None) -> str:
    """NFKC (full-width digits and letters, half-width kana) and trimmed."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", value).strip()


def text(value: str | None) -> str:
    """Free text: trimmed, line ends unified, otherwise kept as written."""
    if value is None:
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def date_parse(value: str | None) -> datetime.date | None:
    """2024-05-31, 2024/5/31, 2024年5月31日, 20240531, 令和6年5月31日, R6.5.31, 平成元年…"""
    value = clean(value)
    if not value:
        return None
    match = _ERA_DATE.match(value)
    if match:
        era = ERA_LETTERS.get(match["era"], match["era"])
        first_year, first_day = ERAS[era]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        if era_year < 1:
            raise ValueError(f"和暦の年が正しくありません: {value}")
        year = first_year + era_year - 1
        result = _date(year, match["month"], match["day"], value)
        if result < first_day:
            raise ValueError(f"{era}の始まりより前の日付です: {value}")
        return result
    match = _WESTERN_DATE.match(value) or _COMPACT_DATE.match(value)
    if match:
        return _date(int(match["year"]), match["month"], match["day"], value)
    raise ValueError(f"日付として読めません: {value}")


def _date(year: int, month: str, day: str, original: str) -> datetime.date:
    try:
        return datetime.date(year, int(month), int(day))
    except ValueError as error:
        raise ValueError(f"存在しない日付です: {original}") from error


def integer(value: str | None) -> int | None:
    value = clean(value).replace(",", "")
    if not value:
        return None
    try:
        number = int(value)
    except ValueError as error:
        raise ValueError(f"整数ではありません: {value}") from error
    if number < 0:
        raise ValueError(f"負の数は使えません: {value}")
    return number


def decimal(value: str | None) -> float | None:
    value = clean(value)
    if not value:
        return None
    try:
        return float(value)
    except ValueError as error:
        raise ValueError(f"数値ではありません: {value}") from error


def flag(value: str | None) -> bool:
    value = clean(value).lower()
    if value in ("", "0", "false", "f", "no", "n", "off", "いいえ", "無", "なし"):
        return False
    if value in ("1", "true", "t", "yes", "y", "on", "はい", "有", "あり"):
        return True
    raise ValueError(f"0 か 1 ではありません: {value}")


def postcode(value: str | None) -> str:
    """5408570, 540-8570, 〒540‐8570 → 540-8570 (other shapes are left for the validator)."""
    value = clean(value).replace("〒", "").strip()
    digits = re.sub(r"[-‐−ー－\s]", "", value)
    if re.fullmatch(r"\d{7}", digits):
        return f"{digits[:3]}-{digits[3:]}"
    return value


def phone(value: str | None) -> str:
    value = clean(value)
    return re.sub(r"[‐−ー－()（）\s]", lambda m: "-" if m.group() in "‐−ー－" else "", value)


def coordinates(latitude: str | None, longitude: str | None
                ) -> tuple[float | None, float | None, str]:
    """(latitude, longitude, warning). Swapped values are put right; a position
    outside Japan, half a position or 0/0 is dropped with a warning (the shop is
    kept without a map pin, to be placed again in the back office)."""
    lat, lng = decimal(latitude), decimal(longitude)
    if lat is None and lng is None:
        return None, None, ""
    if lat is None or lng is None:
        return None, None, "緯度・経度の片方しかないため、位置を空にしました"
    if _in_japan(lat, lng):
        return lat, lng, ""
    if _in_japan(lng, lat):
        return lng, lat, "緯度と経度が逆だったため入れ替えました"
    return None, None, f"位置が日本国外です（{lat}, {lng}）。位置を空にしました"


def _in_japan(lat: float, lng: float) -> bool:
    return (JAPAN_LATITUDE[0] <= lat <= JAPAN_LATITUDE[1]
            and JAPAN_LONGITUDE[0] <= lng <= JAPAN_LONGITUDE[1])


def in_osaka(lat: float | None, lng: float | None) -> bool:
    return (lat is not None and lng is not None
            and OSAKA_LATITUDE[0] <= lat <= OSAKA_LATITUDE[1]
            and OSAKA_LONGITUDE[0] <= lng <= OSAKA_LONGITUDE[1])
