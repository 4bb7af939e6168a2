"""The public shop search through the HTTP interface: keyword folding, every
filter, near me, bad parameters, live-only listing, shareable URLs, the map
data, empty-result suggestions and bounded query counts.

Runs on SQLite (default) and PostgreSQL (DATABASE_URL=postgres://…), where
one- and two-character keywords take the gram index of migration 0004.
"""

import json
import re
from html import unescape

import pytest

from directory.masters.models import Area, BenefitType, Facility, Genre, Municipality, Programme
from directory.shops import selectors
from tests.factories import ShopBenefitFactory, ShopFactory

pytestmark = pytest.mark.django_db

# The test origin: Osaka Prefectural Government (大阪府庁).
ORIGIN = (34.6863, 135.5200)
# Degrees of latitude per km (the search's own approximation).
KM = 1 / 111.195


def shop(name, *, genres=(), facilities=(), benefit_types=(), programmes=("maido",),
         lat_km=0.0, lng=None, **fields):
    """A published shop `lat_km` north of ORIGIN, with the given masters (by code)."""
    fields.setdefault("latitude", ORIGIN[0] + lat_km * KM)
    fields.setdefault("longitude", ORIGIN[1] if lng is None else lng)
    created = ShopFactory(name=name, **fields)
    for code in programmes:
        ShopBenefitFactory(shop=created, programme=Programme.objects.get(code=code),
                           title=f"{name}の特典")
    created.genres.set(Genre.objects.filter(code__in=genres))
    created.facilities.set(Facility.objects.filter(code__in=facilities))
    created.benefit_types.set(BenefitType.objects.filter(code__in=benefit_types))
    created.save()  # search_text with the benefit
    return created


def listed(response) -> list[str]:
    """Shop names in result order (the card links)."""
    html = response.content.decode()
    return [unescape(name) for name in re.findall(r'class="p-card__link" href="/shops/\d+/">([^<]+)</a>', html)]


def get(client, **params):
    response = client.get("/shops/", params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


# --- keyword ------------------------------------------------------------------------------


@pytest.fixture
def cafes(osaka_city):
    return [
        shop("カフェ・ミミ", name_kana="かふぇみみ"),
        shop("ブックカフェ本の虫"),
        shop("ｶﾌｪ ﾗﾃ"),
        shop("かふぇ日和"),
        shop("喫茶ひだまり"),
        shop("本屋さん"),
    ]


@pytest.mark.parametrize("variants", [
    ("ｶﾌｪ", "かふぇ", "カフェ"),  # three or more characters (pg_trgm on PostgreSQL)
    ("ｶﾌ", "かふ", "カフ"),  # two characters (the bigram index on PostgreSQL)
    ("ﾌ", "ふ", "フ"),  # one character
])
def test_hiragana_katakana_and_half_width_find_the_same_shops(client, cafes, variants):
    results = [sorted(listed(get(client, keyword=variant))) for variant in variants]
    assert results[0] == ["かふぇ日和", "カフェ・ミミ", "ブックカフェ本の虫", "ｶﾌｪ ﾗﾃ"]
    assert all(result == results[0] for result in results)


def test_short_keywords_match_exactly(client, cafes):
    assert listed(get(client, keyword="本屋")) == ["本屋さん"]
    assert sorted(listed(get(client, keyword="本"))) == ["ブックカフェ本の虫", "本屋さん"]
    assert listed(get(client, keyword="ぞう")) == []
    # terms are ANDed, whatever their length
    assert listed(get(client, keyword="カフェ 虫")) == ["ブックカフェ本の虫"]
    assert listed(get(client, keyword="ひ だ")) == ["喫茶ひだまり"]


def test_keyword_matches_address_and_benefit(client, cafes, sakai_city):
    shop("堺の店", municipality=sakai_city, address="堺区南瓦町3-1")
    assert listed(get(client, keyword="南瓦町")) == ["堺の店"]
    assert listed(get(client, keyword="堺市 堺区")) == ["堺の店"]
    assert listed(get(client, keyword="喫茶ひだまりの特典")) == ["喫茶ひだまり"]


# --- near me --------------------------------------------------------------------------------


def test_near_me_orders_by_distance_and_shows_it(client, osaka_city):
    # Created far first, so the default (newest first) order would be the reverse.
    shop("3km先の店", lat_km=3.0)
    shop("300m先の店", lat_km=0.3)
    shop("6km先の店", lat_km=6.0)
    shop("位置不明の店", latitude=None, longitude=None)
    response = get(client, lat=ORIGIN[0], lng=ORIGIN[1])
    assert listed(response) == ["300m先の店", "3km先の店"]  # radius 5 km by default
    html = response.content.decode()
    assert "現在地から約300m" in html
    assert "現在地から約3.0km" in html
    assert html.index("約300m") < html.index("約3.0km")
    assert "5km以内・近い順" in html
    wider = get(client, lat=ORIGIN[0], lng=ORIGIN[1], radius="10")
    assert listed(wider) == ["300m先の店", "3km先の店", "6km先の店"]
    assert "約6.0km" in wider.content.decode()
    assert listed(get(client, lat=ORIGIN[0], lng=ORIGIN[1], radius="1")) == ["300m先の店"]


def test_near_me_is_exact_across_pages_and_widening(client, osaka_city, monkeypatch):
    # 45 shops on a spiral from 50 m to 4.5 km: each page must hold exactly the
    # next shops by distance, whether the circle was grown or read at once.
    import math

    for index in range(45):
        distance_km = 0.05 + index * 0.1
        angle = index * 2.4
        shop(f"らせん{index:02d}", lat_km=distance_km * math.cos(angle),
             lng=ORIGIN[1] + distance_km * math.sin(angle) * KM / math.cos(math.radians(ORIGIN[0])))
    expected = [f"らせん{index:02d}" for index in range(45)]
    for read_all in (0, 1000):  # grow from the smallest circle / read everything at once
        monkeypatch.setattr(selectors, "NEAR_ME_READ_ALL", read_all)
        pages = [listed(get(client, lat=ORIGIN[0], lng=ORIGIN[1], page=page))
                 for page in (1, 2, 3)]
        assert pages[0] + pages[1] + pages[2] == expected
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 10)  # "more than the cap": grow
    pages = [listed(get(client, lat=ORIGIN[0], lng=ORIGIN[1], page=page)) for page in (1,)]
    assert pages[0] == expected[:10]


def test_near_me_with_keyword_and_filters(client, osaka_city):
    shop("近くのカフェ", lat_km=0.5, genres=["cafe"])
    shop("遠くのカフェ", lat_km=2.0, genres=["cafe"])
    shop("近くの本屋", lat_km=0.2, genres=["daily-goods"])
    assert listed(get(client, lat=ORIGIN[0], lng=ORIGIN[1], keyword="カフェ")) == [
        "近くのカフェ", "遠くのカフェ"]
    assert listed(get(client, lat=ORIGIN[0], lng=ORIGIN[1], genre="cafe", radius="1")) == [
        "近くのカフェ"]


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def catalogue(osaka_city, sakai_city):
    toyonaka = Municipality.objects.get(code="272035")
    return {
        "a": shop("店A", genres=["cafe"], facilities=["nursing-room", "diaper-table"],
                  benefit_types=["discount"], programmes=["maido", "enjoy"],
                  nationwide_mutual_use=True),
        "b": shop("店B", genres=["restaurant"], facilities=["nursing-room"],
                  benefit_types=["gift"], programmes=["maido"], municipality=sakai_city),
        "c": shop("店C", genres=["kids-goods"], facilities=["diaper-table", "kids-space"],
                  benefit_types=["discount"], programmes=["enjoy"], municipality=toyonaka),
        "d": shop("店D", genres=["cafe", "kids-goods"], facilities=[],
                  benefit_types=["points"], programmes=["maido"], municipality=sakai_city),
    }


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["店A", "店B", "店C", "店D"]),
    ({"programme": "enjoy"}, ["店A", "店C"]),
    ({"programme": "maido"}, ["店A", "店B", "店D"]),
    ({"genre": "cafe"}, ["店A", "店D"]),
    ({"genre": ["cafe", "restaurant"]}, ["店A", "店B", "店D"]),  # any of the genres
    ({"benefit_type": "discount"}, ["店A", "店C"]),
    ({"facility": "nursing-room"}, ["店A", "店B"]),
    ({"facility": ["nursing-room", "diaper-table"]}, ["店A"]),  # every facility
    ({"facility": ["diaper-table", "kids-space"]}, ["店C"]),
    ({"area": "sakai-city"}, ["店B", "店D"]),
    ({"area": "toyono"}, ["店C"]),
    ({"municipality": "271403"}, ["店B", "店D"]),
    ({"area": "sakai-city", "municipality": "271403"}, ["店B", "店D"]),
    ({"nationwide": "1"}, ["店A"]),
    ({"genre": "kids-goods", "area": "sakai-city", "benefit_type": "points"}, ["店D"]),
    ({"genre": "cafe", "programme": "enjoy", "facility": "diaper-table"}, ["店A"]),
])
def test_each_filter_narrows(client, catalogue, params, expected):
    assert sorted(listed(get(client, **params))) == expected


def test_chain_search_lists_the_head_and_its_published_branches(client, osaka_city):
    head = shop("チェーン本部", is_chain_head=True)
    shop("チェーン支店1", parent=head)
    shop("チェーン支店2", parent=head)
    shop("休止中の支店", parent=head, live=False)
    shop("無関係の店")
    response = get(client, chain=head.pk)
    assert sorted(listed(response)) == ["チェーン支店1", "チェーン支店2", "チェーン本部"]
    html = response.content.decode()
    assert "チェーン「チェーン本部」の店舗を表示しています。" in html
    assert f'name="chain" value="{head.pk}"' in html  # kept by the next search


# --- only live shops ---------------------------------------------------------------------


def test_only_live_shops_appear_in_any_search(client, osaka_city):
    shop("公開中のカフェ", genres=["cafe"], facilities=["nursing-room"], lat_km=0.1)
    shop("下書きのカフェ", genres=["cafe"], facilities=["nursing-room"], lat_km=0.1, live=False)
    for params in ({}, {"keyword": "カフェ"}, {"keyword": "カ"}, {"genre": "cafe"},
                   {"facility": "nursing-room"}, {"lat": ORIGIN[0], "lng": ORIGIN[1]},
                   {"municipality": "271004"}):
        response = get(client, **params)
        assert listed(response) == ["公開中のカフェ"], params
        assert "下書きのカフェ" not in response.content.decode()


# --- bad parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(("params", "message"), [
    ({"lat": "999", "lng": "135.5"}, "90 以下"),
    ({"lat": "-91", "lng": "135.5"}, "-90 以上"),
    ({"lat": "34.7", "lng": "abc"}, "数値を入力してください"),
    ({"lat": "nan", "lng": "135.5"}, "数値を入力してください"),
    ({"lat": "inf", "lng": "135.5"}, "数値を入力してください"),
    ({"lat": "1e999", "lng": "135.5"}, "数値を入力してください"),
    ({"lat": "34.7"}, "緯度と経度は、両方を指定する"),
    ({"lng": "135.5"}, "緯度と経度は、両方を指定する"),
    ({"lat": "34.7", "lng": "135.5", "radius": "10000"}, "50 以下"),
    ({"lat": "34.7", "lng": "135.5", "radius": "0"}, "0.1 以上"),
    ({"lat": "34.7", "lng": "135.5", "radius": "-5"}, "0.1 以上"),
    ({"keyword": "あ" * 10_000}, "キーワードは100文字以内で入力してください"),
    ({"keyword": "カフェ\x00"}, "キーワードに使えない文字が含まれています"),
    ({"area": "atlantis"}, "正しく選択してください"),
    ({"municipality": "999999"}, "正しく選択してください"),
    ({"programme": "nope"}, "正しく選択してください"),
    ({"genre": ["cafe", "nope"]}, "正しく選択してください"),
    ({"genre": "parenting"}, "正しく選択してください"),  # a ふぁみなび-only genre
    ({"facility": "jacuzzi"}, "正しく選択してください"),
    ({"benefit_type": "free-lunch"}, "正しく選択してください"),
    ({"area": "sakai-city", "municipality": "271004"}, "大阪市は堺市地域にはありません"),
    ({"chain": "abc"}, "整数を入力してください"),
    ({"chain": "0"}, "1 以上"),
    ({"chain": "99999999999999999999999"}, "以下"),
    ({"chain": "987654"}, "指定されたチェーンは掲載されていません"),
])
def test_bad_parameters_answer_400_in_japanese(client, catalogue, params, message):
    response = client.get("/shops/", params)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "検索条件をご確認ください" in html
    assert message in html, html[html.find("p-form__error-summary"):][:1500]
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert 'class="p-card"' not in html


@pytest.mark.parametrize("page", ["-1", "0", "abc", "1.5", "99999999999999999999", "2"])
def test_bad_page_numbers_show_the_nearest_page(client, catalogue, page):
    response = get(client, page=page)
    assert len(listed(response)) == 4


def test_unknown_parameters_are_ignored(client, catalogue):
    assert len(listed(get(client, utm_source="newsletter", sort="weird"))) == 4


# --- shareable URLs ------------------------------------------------------------------------


def test_the_form_renders_the_chosen_values_again(client, catalogue):
    params = {
        "keyword": "店", "area": "sakai-city", "municipality": "271403", "programme": "maido",
        "genre": ["cafe", "kids-goods"], "benefit_type": "points",
        "facility": ["nursing-room"], "nationwide": "1",
        "lat": "34.686", "lng": "135.52", "radius": "20",
    }
    html = client.get("/shops/", params).content.decode()
    assert 'name="keyword" value="店"' in html
    assert re.search(r'<option value="sakai-city" selected>', html)
    assert re.search(r'<option value="271403" selected>', html)
    assert re.search(r'<option value="maido" selected>', html)
    assert re.search(r'<option value="points" selected>', html)
    assert re.search(r'<option value="20" selected>', html)
    for code in ("cafe", "kids-goods"):
        assert re.search(rf'name="genre" value="{code}"[^>]*checked', html)
    assert not re.search(r'name="genre" value="restaurant"[^>]*checked', html)
    assert re.search(r'name="facility" value="nursing-room"[^>]*checked', html)
    assert re.search(r'name="nationwide"[^>]*checked', html)
    assert 'type="hidden" name="lat" value="34.686"' in html
    assert 'type="hidden" name="lng" value="135.52"' in html
    assert "<details class=\"p-search__more\" open>" in html  # the chosen detail filters show
    assert "現在地の条件を外す" in html


def test_defaults_without_parameters(client, catalogue):
    html = client.get("/shops/").content.decode()
    assert re.search(r'<option value="5" selected>5km</option>', html)  # the default radius
    assert '<details class="p-search__more">' in html  # closed
    # no position: the near-me block waits for the script (hidden and not submitted)
    assert re.search(r'<fieldset class="p-near" data-near-me-fieldset hidden disabled>', html)
    assert re.search(r"<button[^>]*hidden data-near-me-button", html)
    assert "現在地から探す" in html


def test_pagination_links_keep_every_condition(client, osaka_city):
    for index in range(25):
        shop(f"カフェ{index}", genres=["cafe", "restaurant"], lat_km=index * 0.01)
    params = {"keyword": "カフェ", "genre": ["cafe", "restaurant"],
              "lat": str(ORIGIN[0]), "lng": str(ORIGIN[1])}
    html = client.get("/shops/", params).content.decode()
    links = re.findall(r'href="(\?[^"]*page=2[^"]*)"', html)
    assert links
    next_url = unescape(links[0])
    for fragment in ("keyword=%E3%82%AB%E3%83%95%E3%82%A7", "genre=cafe", "genre=restaurant",
                     "lat=34.6863", "lng=135.52", "page=2"):
        assert fragment in next_url
    second = client.get("/shops/" + next_url)
    assert len(listed(second)) == 5
    assert listed(second)[0] == "カフェ20"  # still nearest first


# --- results: count, map, list -------------------------------------------------------------


def test_each_result_has_name_address_benefits_and_facilities(client, catalogue):
    html = get(client, keyword="店A").content.decode()
    assert f'<a class="p-card__link" href="/shops/{catalogue["a"].pk}/">店A</a>' in html
    assert "大阪市 中央区大手前2丁目" in html
    assert "店Aの特典" in html
    assert "設備・サービス：授乳スペース、おむつ替え台" in html
    assert "1件" in html


def test_map_data_names_every_pin_and_is_hidden_without_script(client, catalogue):
    html = get(client).content.decode()
    assert re.search(r'<figure id="shop-map-points-figure" class="p-map-figure" hidden data-shop-map', html)
    # Leaflet only when the map view is opened (issue 19): not in the page's head,
    # but named on the figure for shop-map.js to load on "Show on a map".
    head = html[:html.index("</head>")]
    assert "leaflet.js" not in head and "leaflet.css" not in head
    assert re.search(r'data-map-lazy data-leaflet-js="[^"]*vendor/leaflet/leaflet[.a-z0-9]*js"', html)
    assert re.search(r'<button [^>]*aria-expanded="false" aria-controls="shop-map-points-figure" data-map-open>地図で見る</button>', html)
    assert 'data-tile-url="https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"' in html
    # 地理院タイル's terms: the source named and linked to their tile list.
    assert "https://maps.gsi.go.jp/development/ichiran.html" in html
    assert "地理院タイル" in html
    assert "一覧と同じお店" in html  # the caption points keyboard users to the list
    points = json.loads(re.search(
        r'<script id="shop-map-points" type="application/json">(.*?)</script>', html, re.S
    ).group(1))
    assert sorted(point["name"] for point in points) == ["店A", "店B", "店C", "店D"]
    assert all(point["url"].startswith("/shops/") and point["lat"] for point in points)
    assert "vendor/leaflet/leaflet.js" in html and "js/shop-map.js" in html


def test_names_in_map_data_are_escaped(client, osaka_city):
    shop("</script><script>alert(1)</script>")
    html = get(client).content.decode()
    assert "</script><script>alert(1)" not in html


def test_no_map_without_coordinates(client, osaka_city):
    shop("位置不明の店", latitude=None, longitude=None)
    html = get(client).content.decode()
    assert "位置不明の店" in html
    assert "data-shop-map" not in html
    assert "leaflet.js" not in html


def test_large_results_show_a_capped_count(client, osaka_city, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 30)
    for index in range(45):
        ShopFactory(name=f"パン屋{index}")
    response = get(client, keyword="パン")
    html = response.content.decode()
    assert "30件以上" in html
    assert "最初の30件まで表示します" in html
    assert "2ページ中1ページ目" in html or 'href="?keyword=%E3%83%91%E3%83%B3&amp;page=2"' in html
    last = get(client, keyword="パン", page="99")
    assert len(listed(last)) == 10  # results 21–30 of the first 30


@pytest.mark.parametrize("cap", [1000, 2])  # all matches sorted here / ORDER BY in SQL
def test_results_are_newest_first_either_way(client, osaka_city, monkeypatch, cap):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", cap)
    first, _second, _third = (shop(f"更新順{index}") for index in range(3))
    first.name = "更新順0（更新済み）"
    first.save()  # now the most recently updated
    newest_first = ["更新順0（更新済み）", "更新順2", "更新順1"]
    # with a cap of 2 only the first two of that order are offered
    assert listed(get(client, keyword="更新順")) == newest_first[:cap]


# --- empty results ---------------------------------------------------------------------------


def test_empty_result_suggests_removing_each_condition(client, catalogue):
    response = get(client, keyword="店", genre="restaurant", facility=["nursing-room",
                   "kids-space"], programme="enjoy")
    html = unescape(response.content.decode())
    assert listed(response) == []
    assert "見つかりませんでした" in html
    assert "条件を1つ外してさがす" in html
    assert "設備・サービス「キッズスペース」の条件を外す" in html
    assert "ジャンルの条件を外す" in html
    assert "縁ジョイパスに限らず、すべてのカードでさがす" in html
    assert "キーワード「店」を外す" in html
    # each link drops exactly its condition
    link = re.search(r'<a href="([^"]+)">設備・サービス「キッズスペース」の条件を外す', html).group(1)
    assert "facility=nursing-room" in link and "kids-space" not in link
    assert "genre=restaurant" in link and "programme=enjoy" in link
    assert listed(client.get(link)) == []  # still nothing: 店B is not in 縁ジョイパス
    link = re.search(r'<a href="([^"]+)">縁ジョイパスに限らず', html).group(1)
    assert "facility=kids-space" in link and "programme" not in link
    assert "条件をすべて解除する" in html


def test_empty_result_offers_other_municipalities_of_the_area(client, osaka_city):
    toyonaka = Municipality.objects.get(code="272035")
    ikeda = Municipality.objects.get(code="272043")
    shop("豊中のカフェ", municipality=toyonaka, genres=["cafe"])
    shop("池田のカフェ1", municipality=ikeda, genres=["cafe"])
    shop("池田のカフェ2", municipality=ikeda, genres=["cafe"])
    minoh = Municipality.objects.get(code="272205")
    assert minoh.area == toyonaka.area
    html = get(client, municipality=minoh.code, genre="cafe").content.decode()
    assert "豊能地域のほかの市区町村" in html
    assert re.search(r'href="[^"]*municipality=272043[^"]*">池田市</a>\s*<span[^>]*>2件</span>',
                     html)
    assert re.search(r'href="[^"]*municipality=272035[^"]*">豊中市</a>\s*<span[^>]*>1件</span>',
                     html)
    assert "能勢町" not in html.split("豊能地域のほかの市区町村")[1].split("</ul>")[0]


def test_empty_near_me_result_suggests_a_wider_radius(client, osaka_city):
    shop("8km先の店", lat_km=8.0)
    html = unescape(get(client, lat=ORIGIN[0], lng=ORIGIN[1]).content.decode())
    assert "現在地から10km以内に広げる" in html
    link = re.search(r'<a href="([^"]+)">現在地から10km以内に広げる', html).group(1)
    assert listed(client.get(link)) == ["8km先の店"]
    assert "現在地の代わりに、市区町村を選んで" in html


# --- query counts ---------------------------------------------------------------------------


def _rich_shops(count):
    genres = list(Genre.objects.filter(for_shops=True)[:3])
    facilities = list(Facility.objects.all()[:3])
    for index in range(count):
        created = ShopFactory(name=f"協賛店{index}", latitude=ORIGIN[0] + index * 0.0001)
        ShopBenefitFactory(shop=created)
        ShopBenefitFactory(shop=created, programme=Programme.objects.get(code="enjoy"),
                           title="記念品プレゼント")
        created.genres.set(genres)
        created.facilities.set(facilities)
        created.save()


def directory_queries(captured) -> list[str]:
    """The queries of the shop directory itself: shops and masters (and the search's
    SET LOCAL), not the site frame that base.html adds (site settings, menus…)."""
    return [query["sql"] for query in captured
            if re.search(r'"(shops|masters)_', query["sql"]) or query["sql"].startswith("SET ")]


@pytest.mark.parametrize("params", [
    {},
    {"keyword": "協賛店", "programme": "enjoy", "genre": ["cafe", "restaurant"],
     "facility": ["hot-water", "nursing-room"], "area": "osaka-city", "nationwide": ""},
    {"lat": str(ORIGIN[0]), "lng": str(ORIGIN[1]), "keyword": "協賛"},
])
def test_list_query_count_does_not_grow_with_the_page(client, osaka_city, params):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _rich_shops(3)
    client.get("/shops/", params)  # the site frame may create its settings on first use
    cache.clear()  # every card rendered (result cards are cached per shop version)
    with CaptureQueriesContext(connection) as few:
        client.get("/shops/", params)
    _rich_shops(27)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/shops/", params)
    assert len(listed(response)) == 20
    assert len(many) == len(few)
    # masters (5) + count + page + benefits, genres, facilities, plus SET LOCAL on
    # PostgreSQL and, for near me, a few circle widenings
    assert len(directory_queries(many.captured_queries)) <= 14, directory_queries(many.captured_queries)


def test_empty_result_query_count_is_bounded(client, catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/shops/", {
            "keyword": "存在しない", "municipality": "271403", "genre": ["cafe", "restaurant"],
            "facility": ["nursing-room", "kids-space", "hot-water"], "programme": "enjoy",
            "benefit_type": "gift", "nationwide": "1"})
    assert response.status_code == 200
    assert "条件を1つ外してさがす" in response.content.decode()
    # masters, count, page, one grouped count for the area's municipalities
    assert len(directory_queries(captured.captured_queries)) <= 10


def test_detail_query_count_is_bounded(client, catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/shops/{catalogue['a'].pk}/")
    assert response.status_code == 200
    # shop, benefits, genres, facilities, images, chain
    assert len(directory_queries(captured.captured_queries)) <= 8


# --- detail -----------------------------------------------------------------------------------


def test_detail_has_map_facility_icons_and_favourite_slot(client, catalogue):
    html = client.get(f"/shops/{catalogue['a'].pk}/").content.decode()
    assert re.search(r'<figure id="shop-map-points-figure" class="p-map-figure p-map-figure--detail" hidden data-shop-map', html)
    points = json.loads(re.search(
        r'<script id="shop-map-points" type="application/json">(.*?)</script>', html, re.S
    ).group(1))
    assert [point["name"] for point in points] == ["店A"]
    assert "地図のピンは上記の住所の位置です。" in html
    # icons are decorative; the facility's name is the text
    assert re.search(r'<svg class="p-facility__icon"[^>]*aria-hidden="true"', html)
    assert '<span class="p-facility__name">授乳スペース</span>' in html
    assert 'href="tel:0669410351"' in html


def test_detail_without_coordinates_has_no_map(client, osaka_city):
    created = shop("位置不明の店", latitude=None, longitude=None)
    html = client.get(f"/shops/{created.pk}/").content.decode()
    assert "data-shop-map" not in html
    assert "leaflet" not in html


def test_area_choices_follow_the_masters(client, masters):
    html = client.get("/shops/").content.decode()
    for area in Area.objects.all():
        assert f'<option value="{area.code}">{area.name}</option>' in html
