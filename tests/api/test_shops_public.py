"""Public shop reads: the web search's filters and results; detail; the legacy list."""

import pytest
from bs4 import BeautifulSoup

from directory.masters.models import BenefitType, Facility, Genre, Programme
from tests.factories import ShopBenefitFactory, ShopFactory


@pytest.fixture
def shops(masters):
    cafe = Genre.objects.filter(for_shops=True).first()
    nursing = Facility.objects.first()
    maido = Programme.objects.get(code="maido")
    enjoy = Programme.objects.get(code="enjoy")
    head = ShopFactory(name="チェーン本部", is_chain_head=True, legacy_id=101)
    ShopBenefitFactory(shop=head, programme=maido)
    branch = ShopFactory(name="カフェ 支店", parent=head, legacy_id=102, comment="駅前")
    ShopBenefitFactory(shop=branch, programme=maido, title="ドリンク無料")
    ShopBenefitFactory(shop=branch, programme=enjoy, title="記念品")
    branch.genres.add(cafe)
    branch.facilities.add(nursing)
    discount = BenefitType.objects.get(code="discount")
    branch.benefit_types.add(discount)
    branch.save()  # a ParentalManyToManyField is written on save
    gift = BenefitType.objects.get(code="gift")
    other = ShopFactory(name="遠くの店", latitude=34.30, longitude=135.30)
    ShopBenefitFactory(shop=other, programme=enjoy)
    other.benefit_types.add(gift)
    other.save()
    ShopFactory(name="非公開の店", live=False)
    return {"head": head, "branch": branch, "other": other, "cafe": cafe,
            "nursing": nursing, "discount": discount}


def web_ids(client, params):
    html = client.get("/shops/", params).content.decode()
    links = BeautifulSoup(html, "html.parser").select("a[href^='/shops/']")
    ids = []
    for link in links:
        parts = link["href"].strip("/").split("/")
        if len(parts) == 2 and parts[1].isdigit() and int(parts[1]) not in ids:
            ids.append(int(parts[1]))
    return ids


@pytest.mark.parametrize("params", [
    {},
    {"keyword": "かふぇ"},
    {"programme": "enjoy"},
    {"genre": "__cafe__"},
    {"facility": "__nursing__"},
    {"benefit_type": "__discount__"},
    {"benefit_type": "gift", "programme": "enjoy"},
    {"benefit_type": "points"},
    {"municipality": "271004"},
    {"area": "osaka-city"},
    {"lat": "34.6863", "lng": "135.52", "radius": "1"},
    {"chain": "__head__"},
])
def test_the_api_finds_what_the_web_search_finds(api, client, shops, params):
    params = {key: (shops["cafe"].code if value == "__cafe__"
                    else shops["nursing"].code if value == "__nursing__"
                    else shops["discount"].code if value == "__discount__"
                    else str(shops["head"].pk) if value == "__head__" else value)
              for key, value in params.items()}
    data = api.get("/api/v1/shops", params).json()
    api_ids = [row["id"] for row in data["results"]]
    assert set(api_ids) == set(web_ids(client, params))
    assert data["count"] == len(api_ids)
    if "benefit_type" in params:  # the filter narrows (and finds the shops tagged with it)
        tagged = {"__discount__": {shops["branch"].pk}, "gift": {shops["other"].pk},
                  "points": set()}
        key = "__discount__" if params["benefit_type"] == shops["discount"].code else (
            params["benefit_type"])
        assert set(api_ids) == tagged[key]


def test_near_me_gives_distances_nearest_first(api, shops):
    data = api.get("/api/v1/shops", {"lat": "34.6863", "lng": "135.52", "radius": "50"}).json()
    distances = [row["distance_km"] for row in data["results"]]
    assert distances == sorted(distances) and distances[0] < 0.1
    assert api.get("/api/v1/shops").json()["results"][0]["distance_km"] is None


def test_shop_detail(api, shops):
    branch = shops["branch"]
    data = api.get(f"/api/v1/shops/{branch.pk}").json()
    assert data["name"] == "カフェ 支店"
    assert {b["programme"]["legacy_group"] for b in data["benefits"]} == {1, 2}
    assert data["is_chain"] is True and data["chain_head_id"] == shops["head"].pk
    assert data["chain"]["head"] == {"id": shops["head"].pk, "name": "チェーン本部"}
    assert data["web_url"] == f"/shops/{branch.pk}/"


def test_shop_list_query_count_does_not_grow_with_the_page(api, shops):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(15):
        ShopBenefitFactory()
    api.get("/api/v1/shops")  # builds this process's masters (directory/masters/cache.py)
    counts = []
    for size in (5, 100):
        with CaptureQueriesContext(connection) as captured:
            response = api.get("/api/v1/shops", {"page_size": size})
        counts.append(len(captured))
    assert len(response.json()["results"]) >= 18
    # The ids, the page, benefits, genres, facilities (+ SET LOCAL and the transaction
    # on PostgreSQL; the form's masters are cached): the same whatever the page size.
    assert counts[0] == counts[1] <= 9, counts
    assert not [q for q in captured.captured_queries if q["sql"].startswith('SELECT "masters_')]


def test_legacy_list_keeps_the_old_format(api, shops):
    rows = api.get("/api/legacy/shops", {"GROUP": 1}).json()
    assert [row["SHOPID"] for row in rows] == [101, 102]
    head, branch = rows
    assert set(branch) == {"SHOPID", "SHOPNAME", "JUSHO", "TEL", "YUBINNO", "TOKUTENTITLE",
                           "TOKUTENDETAIL", "COMMENT", "IDO", "KEDO", "CHAINFLG"}
    assert branch["TOKUTENTITLE"] == "ドリンク無料"
    assert branch["CHAINFLG"] == 1 and head["CHAINFLG"] == 1
    assert branch["COMMENT"] == "駅前"
    assert branch["JUSHO"].startswith("大阪市 ")
    assert branch["IDO"] == 34.6863 and branch["KEDO"] == 135.52
    marriage = api.get("/api/legacy/shops", {"GROUP": 2}).json()
    assert [row["SHOPNAME"] for row in marriage] == ["カフェ 支店", "遠くの店"]
    assert marriage[0]["TOKUTENTITLE"] == "記念品"
    assert marriage[1]["SHOPID"] == shops["other"].pk  # no legacy id: the new one
    assert marriage[1]["CHAINFLG"] == 0
    assert api.get("/api/legacy/shops", {"GROUP": 2, "START": 1}).json()[0]["SHOPNAME"] == \
        "遠くの店"
    assert api.get("/api/legacy/shops", {"GROUP": 2, "START": 5}).json() == []


@pytest.mark.parametrize("params, field", [
    ({}, "GROUP"), ({"GROUP": "3"}, "GROUP"), ({"GROUP": "x"}, "GROUP"),
    ({"GROUP": "1", "START": "-1"}, "START"), ({"GROUP": "1", "LIMIT": "5"}, "LIMIT"),
])
def test_legacy_list_bad_parameters(api, shops, params, field):
    response = api.get("/api/legacy/shops", params)
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}
