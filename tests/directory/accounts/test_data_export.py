"""The "download my data" JSON: one's own data only, as an attachment."""

import datetime
import json

import pytest
from django.urls import reverse

from directory.masters.models import Genre
from directory.members.models import Child, Favourite
from notifications.models import PushSubscription
from tests.factories import MemberFactory, ShopFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/mypage/data.json"


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/mypage/data.json"


def test_the_download_holds_the_profile_children_favourites_and_devices(member_client, member):
    assert reverse("accounts:data_export") == URL
    member.preferred_genres.set([Genre.objects.get(code="cafe")])
    Child.objects.create(member=member, birth_date=datetime.date(2021, 6, 1), nickname="たろう")
    shop = ShopFactory(name="みんなの食堂")
    Favourite.objects.create(member=member, shop=shop)
    PushSubscription.objects.create(member=member, endpoint="https://push.example/mine",
                                    p256dh="k", auth="a", device_label="Pixel 8")
    other = MemberFactory(family_name="別人")
    Child.objects.create(member=other, birth_date=datetime.date(2010, 1, 1))
    PushSubscription.objects.create(member=other, endpoint="https://push.example/other",
                                    p256dh="k", auth="a", device_label="Other phone")

    response = member_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="')
    data = json.loads(response.content.decode("utf-8"))
    assert data["account"]["email"] == member.user.email
    assert data["member"]["member_number"] == member.member_number
    assert data["member"]["municipality"] == {"code": "271004", "name": "大阪市"}
    assert data["member"]["preferred_genres"] == [{"code": "cafe", "name": "カフェ・喫茶"}]
    assert data["children"] == [{"birth_date": "2021-06-01", "nickname": "たろう"}]
    assert [f["shop_name"] for f in data["favourites"]] == ["みんなの食堂"]
    assert [s["device_label"] for s in data["push_subscriptions"]] == ["Pixel 8"]
    body = response.content.decode("utf-8")
    assert "別人" not in body and "Other phone" not in body and "2010-01-01" not in body
    assert "endpoint" not in body and "p256dh" not in body
