"""Account deletion: password required; the user and everything personal goes."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from directory.accounts.models import EmailChangeRequest, SignupRequest, User
from directory.members.models import Child, Favourite, Member
from notifications.models import PushSubscription
from tests.directory.accounts.conftest import PASSWORD
from tests.factories import MemberFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_member(member):
    Child.objects.create(member=member, birth_date=datetime.date(2020, 1, 1))
    Favourite.objects.create(member=member, shop=ShopFactory())
    PushSubscription.objects.create(member=member, endpoint="https://push.example/1",
                                    p256dh="k", auth="a", device_label="iPhone")
    SignupRequest.objects.create(email=member.user.email, token_hash="a" * 64)
    EmailChangeRequest.objects.create(user=member.user, new_email="x@example.jp",
                                      token_hash="b" * 64)
    return member


def test_the_page_explains_what_is_deleted(member_client, member):
    response = member_client.get(reverse("accounts:account_delete"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert member.member_number in html
    assert 'autocomplete="current-password"' in html
    assert reverse("accounts:data_export") in html


def test_a_wrong_password_deletes_nothing(member_client, rich_member):
    response = member_client.post(reverse("accounts:account_delete"),
                                  {"current_password": "wrong"})

    assert response.status_code == 200
    assert "パスワードが正しくありません" in response.content.decode()
    assert Member.objects.filter(pk=rich_member.pk).exists()
    assert Child.objects.exists() and Favourite.objects.exists()


def test_the_right_password_deletes_everything_personal(member_client, rich_member):
    other = MemberFactory()
    PushSubscription.objects.create(member=other, endpoint="https://push.example/2",
                                    p256dh="k", auth="a")

    response = member_client.post(reverse("accounts:account_delete"),
                                  {"current_password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account_deleted")
    assert not User.objects.filter(pk=rich_member.user_id).exists()
    assert not Member.objects.filter(pk=rich_member.pk).exists()
    assert not Child.objects.exists()
    assert not Favourite.objects.exists()
    assert list(PushSubscription.objects.values_list("member", flat=True)) == [other.pk]
    assert not SignupRequest.objects.exists()
    assert not EmailChangeRequest.objects.exists()
    assert Member.objects.filter(pk=other.pk).exists()
    assert SESSION_KEY not in member_client.session
    page = member_client.get(response["Location"])
    assert "退会しました" in page.content.decode()


def test_a_back_office_account_is_not_deleted_from_the_member_side(client, masters):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    page = client.get(reverse("accounts:account_delete"))
    response = client.post(reverse("accounts:account_delete"), {"current_password": PASSWORD})

    assert "事務局にご依頼ください" in page.content.decode()
    assert response.status_code == 403
    assert User.objects.filter(pk=staff.pk).exists()
