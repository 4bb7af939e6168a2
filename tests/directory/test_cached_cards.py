"""List cards (shop results, events, ふぁみなび) rendered once per version of what they show
(directory/fragments.py, issue 20): a warm page reads no benefits, genres, facilities or
areas, and a change — publishing (a new updated_at), a master renamed, another
language — shows at once."""

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.masters.models import Genre
from tests.factories import ArticleFactory, EventFactory, ShopBenefitFactory, ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _tables(captured) -> str:
    return " ".join(query["sql"] for query in captured)


def _cards(response) -> list[str]:
    return re.findall(r'<li class="p-card".*?\n</li>', response.content.decode(), re.S)


def test_shop_cards_are_read_from_the_cache_until_the_shop_changes(client, masters):
    shops = [ShopFactory(name=f"カード店{index}") for index in range(3)]
    for shop in shops:
        ShopBenefitFactory(shop=shop, title=f"特典{shop.pk}")
        shop.genres.add(Genre.objects.filter(for_shops=True).first())
        shop.save()  # a ParentalManyToManyField is written with the shop
    first = client.get("/shops/")
    assert len(_cards(first)) == 3
    with CaptureQueriesContext(connection) as warm:
        second = client.get("/shops/")
    assert _cards(second) == _cards(first)
    assert "shops_shopbenefit" not in _tables(warm) and "shops_shop_genres" not in _tables(warm)

    # Publishing saves the shop (a new updated_at): its card is rendered again.
    shop = shops[0]
    shop.benefits.update(title="新しい特典")
    shop.name = "改装したカード店"
    shop.save()
    with CaptureQueriesContext(connection) as changed:
        third = client.get("/shops/")
    body = unescape(third.content.decode())
    assert "改装したカード店" in body and "新しい特典" in body
    assert "shops_shopbenefit" in _tables(changed)

    # A master's new name is on every card at once (the masters' version is in the key).
    genre = Genre.objects.filter(for_shops=True).first()
    genre.name = "新しいジャンル名"
    genre.save()
    assert unescape(client.get("/shops/").content.decode()).count("新しいジャンル名") >= 3


def test_distance_is_part_of_a_near_me_card(client, masters):
    ShopFactory(name="近くの店")
    near = client.get("/shops/", {"lat": "34.6863", "lng": "135.5200", "radius": "5"})
    plain = client.get("/shops/")
    assert "from your position" in near.content.decode() or "現在地から" in near.content.decode()
    assert all("p-card__distance" not in card for card in _cards(plain))


def test_event_and_article_cards_follow_their_version_and_language(client, masters):
    event = EventFactory(title="夏祭り")
    article = ArticleFactory(title="手当のご案内")
    assert "夏祭り" in client.get("/events/").content.decode()
    assert "手当のご案内" in client.get("/faminavi/").content.decode()
    with CaptureQueriesContext(connection) as warm:
        client.get("/faminavi/")
    assert "faminavi_article_areas" not in _tables(warm)
    event.title = "秋祭り"
    event.save()
    article.title = "手当と相談窓口"
    article.save()
    assert "秋祭り" in client.get("/events/").content.decode()
    assert "手当と相談窓口" in client.get("/faminavi/").content.decode()
    # Visitors whose language switch says English get English cards (the language is
    # in the key): the same shop's card differs between the two languages.
    shop = ShopFactory(name="言語の店", nationwide_mutual_use=True)
    ShopBenefitFactory(shop=shop)
    shop.facilities.add(shop.facilities.model.objects.first())
    shop.save()
    japanese = _cards(client.get("/shops/"))
    client.cookies["django_language"] = "en"
    english = _cards(client.get("/shops/"))
    assert len(japanese) == len(english) == 1 and japanese != english
