"""English names of the masters (issue 19): filled by masters_load, romanised for
municipalities, shown on the English side and never on the Japanese one."""

import pytest

from directory.masters.models import Facility, Genre, Municipality, Programme
from directory.masters.romaji import municipality_name_en, romanise

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name, kana, english", [
    ("大阪市", "おおさかし", "Osaka City"),
    ("大東市", "だいとうし", "Daito City"),
    ("摂津市", "せっつし", "Settsu City"),
    ("四條畷市", "しじょうなわてし", "Shijonawate City"),
    ("箕面市", "みのおし", "Minoh City"),
    ("島本町", "しまもとちょう", "Shimamoto Town"),
    ("千早赤阪村", "ちはやあかさかむら", "Chihayaakasaka Village"),
    ("天王寺区", "てんのうじく", "Tennoji Ward"),
])
def test_municipalities_are_romanised_as_they_spell_themselves(name, kana, english):
    assert municipality_name_en(name, kana) == english


def test_romanise_handles_small_kana():
    assert romanise("きょうと") == "Kyoto"
    assert romanise("はっちょう") == "Hatcho"


def test_masters_load_fills_every_english_name(masters):
    assert not Municipality.objects.filter(name_en="").exists()
    assert not Genre.objects.filter(name_en="").exists()
    assert not Facility.objects.filter(name_en="").exists()
    assert Facility.objects.get(code="nursing-room").name_en == "Nursing room"
    assert Programme.objects.get(code="maido").name_en.startswith("Maido Kodomo Card")


def test_an_edited_english_name_is_kept(masters):
    from directory.masters.services import masters_load

    Genre.objects.filter(code="restaurant").update(name_en="Places to eat")
    masters_load()
    assert Genre.objects.get(code="restaurant").name_en == "Places to eat"


def test_the_shop_search_shows_english_names_only_in_english(client, masters):
    japanese = client.get("/shops/").content.decode()
    assert "大阪市" in japanese and "Osaka City" not in japanese
    client.post("/i18n/setlang/", {"language": "en", "next": "/shops/"})
    english = client.get("/shops/").content.decode()
    assert '<html lang="en">' in english
    assert "Osaka City" in english and "Nursing room" in english and "Restaurants" in english
    assert ">大阪市<" not in english
