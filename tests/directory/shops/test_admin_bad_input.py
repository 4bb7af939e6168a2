"""Bad input in the back-office shop form gets a clear Japanese message and
nothing is saved half-way (no shop, no benefit, no revision)."""

import pytest
from django.urls import reverse
from wagtail.models import Revision

from directory.accounts import roles
from directory.masters.models import Programme
from directory.shops.models import Shop, ShopBenefit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = "wagtailsnippets_shops_shop:add"


def _form(osaka_city, **overrides):
    data = {
        "name": "カフェ・テスト",
        "name_kana": "かふぇてすと",
        "postcode": "540-8570",
        "municipality": str(osaka_city.pk),
        "address": "中央区大手前2丁目",
        "latitude": "34.6863",
        "longitude": "135.52",
        "phone": "06-6941-0351",
        "benefits-TOTAL_FORMS": "1",
        "benefits-INITIAL_FORMS": "0",
        "benefits-MIN_NUM_FORMS": "1",
        "benefits-MAX_NUM_FORMS": "2",
        "benefits-0-programme": str(Programme.objects.get(code="maido").pk),
        "benefits-0-title": "5%引き",
        "benefits-0-detail": "",
        "benefits-0-ORDER": "1",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def secretariat_client(client, masters):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    return client


def test_valid_form_creates_the_shop(secretariat_client, osaka_city):
    response = secretariat_client.post(reverse(ADD_URL), _form(osaka_city))
    assert response.status_code == 302, response.content.decode()[:2000]
    shop = Shop.objects.get(name="カフェ・テスト")
    assert shop.benefits.count() == 1
    assert "かふぇ" in shop.search_text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "91", "緯度"),
        ("longitude", "-181", "経度"),
        ("postcode", "5408570", "郵便番号"),
        ("phone", "abc", "電話番号"),
        ("municipality", "999999", "選択"),
    ],
)
def test_bad_input_is_refused_in_japanese_and_nothing_is_saved(
    secretariat_client, osaka_city, field, value, message
):
    shops, benefits, revisions = Shop.objects.count(), ShopBenefit.objects.count(), Revision.objects.count()
    response = secretariat_client.post(reverse(ADD_URL), _form(osaka_city, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Shop.objects.count(), ShopBenefit.objects.count(), Revision.objects.count()) == (
        shops, benefits, revisions)
