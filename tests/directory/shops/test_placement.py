"""Every shop has a position before publication: place_shop() puts an unplaced shop at
its municipality's centre (approximate), and the approval task refuses a shop without
a position with a Japanese message."""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from directory.shops.placement import GIVEN, MUNICIPALITY, UNPLACED, place_shop
from tests.directory.shops.owner_helpers import current_task_state
from tests.factories import ShopFactory, owner_with_shop

pytestmark = pytest.mark.django_db

SHOP_NS = "wagtailsnippets_shops_shop"
REFUSAL = "この協賛店には地図上の位置がないため、承認できません。"


def test_a_shop_with_a_position_keeps_it(masters):
    shop = ShopFactory(latitude=34.7, longitude=135.5)
    placement = place_shop(shop)
    assert (placement.latitude, placement.longitude, placement.precision) == (34.7, 135.5, GIVEN)
    assert not placement.approximate


def test_an_unplaced_shop_goes_to_its_municipalitys_centre_marked_approximate(
        masters, osaka_city):
    ShopFactory(municipality=osaka_city, latitude=34.60, longitude=135.40)
    ShopFactory(municipality=osaka_city, latitude=34.70, longitude=135.60)
    shop = ShopFactory(municipality=osaka_city, latitude=None, longitude=None, live=False)
    placement = place_shop(shop, save=True)
    assert placement.precision == MUNICIPALITY and placement.approximate
    shop.refresh_from_db()
    assert (shop.latitude, shop.longitude) == pytest.approx((34.65, 135.50))


def test_a_municipality_without_placed_shops_leaves_it_unplaced(masters, sakai_city):
    shop = ShopFactory(municipality=sakai_city, latitude=None, longitude=None, live=False)
    placement = place_shop(shop)
    assert placement.precision == UNPLACED and shop.latitude is None


@pytest.fixture
def unplaced_submission(masters, secretariat):
    owner, shop = owner_with_shop(name="位置のない店", live=False, latitude=None,
                                  longitude=None)
    from tests.factories import ShopBenefitFactory

    ShopBenefitFactory(shop=shop)
    shop.save_revision(user=owner.user)
    shop.get_workflow().start(shop, owner.user)
    return shop


def test_approval_refuses_a_shop_without_a_position(client, secretariat, unplaced_submission):
    shop = unplaced_submission
    task_state = current_task_state(shop)
    client.force_login(secretariat)
    url = reverse(f"{SHOP_NS}:workflow_action", args=[shop.pk, "approve", task_state.pk])
    # The approve dialogue says why, in Japanese…
    dialogue = client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert REFUSAL in dialogue.json()["html"]
    # …and posting the approval anyway changes nothing.
    client.post(url, {})
    client.post(url, {}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    shop.refresh_from_db()
    assert not shop.live
    assert WorkflowState.objects.active().for_instance(shop).get().status == "in_progress"


def test_approval_goes_through_once_the_shop_has_a_position(client, secretariat, masters):
    owner, shop = owner_with_shop(name="位置のある店", live=False)
    from tests.factories import ShopBenefitFactory

    ShopBenefitFactory(shop=shop)
    shop.save_revision(user=owner.user)
    shop.get_workflow().start(shop, owner.user)
    client.force_login(secretariat)
    url = reverse(f"{SHOP_NS}:workflow_action",
                  args=[shop.pk, "approve", current_task_state(shop).pk])
    client.post(url, {})
    shop.refresh_from_db()
    assert shop.live
