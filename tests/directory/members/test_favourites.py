"""Favourite shops, through the HTTP interface."""

import re

import pytest
from django.http import Http404
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from directory.members.models import Favourite
from directory.members.selectors import favourite_shop_ids, member_for_user
from tests.factories import (
    FavouriteFactory,
    MemberFactory,
    ShopBenefitFactory,
    ShopFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def toggle_url(shop_id):
    return f"/favourites/{shop_id}/toggle/"


@pytest.fixture
def member(masters):
    return MemberFactory()


@pytest.fixture
def shop(masters):
    return ShopFactory(name="カフェ・ミミ")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


def test_anonymous_is_sent_to_login(client, shop):
    response = client.post(toggle_url(shop.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Favourite.objects.exists()
    response = client.get("/favourites/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/favourites/"


def test_add_and_remove_without_javascript(signed_in, member, shop):
    response = signed_in.post(toggle_url(shop.pk), {"action": "add", "next": "/favourites/"})
    assert response.status_code == 302
    assert response["Location"] == "/favourites/"
    assert favourite_shop_ids(member) == {shop.pk}
    # Adding twice (a double click) keeps one favourite.
    signed_in.post(toggle_url(shop.pk), {"action": "add"})
    assert Favourite.objects.filter(member=member).count() == 1

    response = signed_in.post(toggle_url(shop.pk), {"action": "remove"})
    assert response["Location"] == f"/shops/{shop.pk}/"
    assert favourite_shop_ids(member) == set()
    signed_in.post(toggle_url(shop.pk), {"action": "remove"})
    assert favourite_shop_ids(member) == set()


def test_toggle_without_action_flips(signed_in, member, shop):
    signed_in.post(toggle_url(shop.pk))
    assert favourite_shop_ids(member) == {shop.pk}
    signed_in.post(toggle_url(shop.pk))
    assert favourite_shop_ids(member) == set()


def test_unknown_action_is_404(signed_in, member, shop):
    assert signed_in.post(toggle_url(shop.pk), {"action": "steal"}).status_code == 404
    assert not Favourite.objects.exists()


@pytest.mark.parametrize("next_url", [
    "https://evil.example/",
    "//evil.example/x",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
    "\\\\evil.example",
    "",
])
def test_unsafe_next_goes_to_the_shop(signed_in, shop, next_url):
    response = signed_in.post(toggle_url(shop.pk), {"action": "add", "next": next_url})
    assert response["Location"] == f"/shops/{shop.pk}/"


def test_safe_next_with_query_string(signed_in, shop):
    response = signed_in.post(toggle_url(shop.pk), {"action": "add", "next": "/shops/?keyword=a&page=2"})
    assert response["Location"] == "/shops/?keyword=a&page=2"


def test_json_answer_for_scripts(signed_in, shop):
    response = signed_in.post(toggle_url(shop.pk), {"action": "add"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"shop": shop.pk, "is_favourite": True}


def test_get_is_not_allowed(signed_in, shop):
    assert signed_in.get(toggle_url(shop.pk)).status_code == 405
    assert not Favourite.objects.exists()


def test_csrf_is_required(member, shop):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.post(toggle_url(shop.pk), {"action": "add"}).status_code == 403
    assert not Favourite.objects.exists()


def test_missing_or_unpublished_shop_is_404(signed_in, member, masters):
    draft = ShopFactory(live=False)
    assert signed_in.post(toggle_url(draft.pk), {"action": "add"}).status_code == 404
    assert signed_in.post(toggle_url(999_999), {"action": "add"}).status_code == 404
    assert not Favourite.objects.exists()


def test_only_ones_own_favourites_change(signed_in, member, shop, masters):
    other = MemberFactory()
    FavouriteFactory(member=other, shop=shop)
    other_shop = ShopFactory()
    FavouriteFactory(member=other, shop=other_shop)

    signed_in.post(toggle_url(shop.pk), {"action": "add"})
    signed_in.post(toggle_url(shop.pk), {"action": "remove"})
    signed_in.post(toggle_url(other_shop.pk), {"action": "remove"})
    signed_in.post(toggle_url(other_shop.pk))  # toggles *my* state: adds mine

    assert Favourite.objects.filter(member=other).count() == 2
    assert favourite_shop_ids(other) == {shop.pk, other_shop.pk}
    assert favourite_shop_ids(member) == {other_shop.pk}


def test_list_shows_only_my_live_favourites(signed_in, member, masters):
    mine = ShopFactory(name="私のお店")
    hidden = ShopFactory(name="非公開のお店", live=False)
    theirs = ShopFactory(name="他人のお店")
    FavouriteFactory(member=member, shop=mine)
    FavouriteFactory(member=member, shop=hidden)
    FavouriteFactory(member=MemberFactory(), shop=theirs)

    response = signed_in.get("/favourites/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "私のお店" in html
    assert "非公開のお店" not in html
    assert "他人のお店" not in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert f'action="/favourites/{mine.pk}/toggle/"' in html
    assert 'name="action" value="remove"' in html
    assert 'name="next" value="/favourites/"' in html


def test_empty_list(signed_in):
    response = signed_in.get("/favourites/")
    assert response.status_code == 200
    assert 'href="/shops/"' in response.content.decode()


def test_list_queries_are_bounded(signed_in, member, masters, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            favourite_shop = ShopFactory()
            ShopBenefitFactory(shop=favourite_shop)
            FavouriteFactory(member=member, shop=favourite_shop)

    add(2)
    with django_assert_max_num_queries(12) as few:
        assert signed_in.get("/favourites/").status_code == 200
    add(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = signed_in.get("/favourites/")
    assert response.status_code == 200
    assert response.context["paginator"].count == 27


def test_selectors(masters):
    with pytest.raises(Http404):
        member_for_user(UserFactory())
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        member_for_user(AnonymousUser())
    member = MemberFactory()
    assert member_for_user(member.user) == member
    assert favourite_shop_ids(member) == set()


def test_favourite_button_include(member, shop):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get(f"/shops/{shop.pk}/")
    request.user = AnonymousUser()
    html = render_to_string("members/includes/favourite_button.html",
                            {"shop": shop, "is_favourite": False}, request=request)
    assert "/accounts/login/?next=/shops/" in html
    assert "<form" not in html

    request.user = member.user
    html = render_to_string("members/includes/favourite_button.html",
                            {"shop": shop, "is_favourite": False}, request=request)
    assert f'action="/favourites/{shop.pk}/toggle/"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'value="add"' in html
    assert f'name="next" value="/shops/{shop.pk}/"' in html
    html = render_to_string("members/includes/favourite_button.html",
                            {"shop": shop, "is_favourite": True}, request=request)
    assert 'value="remove"' in html


def test_shop_detail_offers_the_toggle_to_members_only(client, member, shop):
    detail = f"/shops/{shop.pk}/"
    html = client.get(detail).content.decode()
    assert f"/accounts/login/?next={detail}" in html
    assert toggle_url(shop.pk) not in html

    client.force_login(member.user)
    html = client.get(detail).content.decode()
    assert f'action="{toggle_url(shop.pk)}"' in html
    assert 'value="add"' in html
    client.post(toggle_url(shop.pk), {"action": "add"})
    html = client.get(detail).content.decode()
    assert 'value="remove"' in html

    # Staff without a member record (a shop owner in the admin) get no toggle.
    client.force_login(UserFactory())
    html = client.get(detail).content.decode()
    assert toggle_url(shop.pk) not in html
    assert "/accounts/login/?next=" not in html
