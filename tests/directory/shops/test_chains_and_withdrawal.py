"""Chains (a head's benefit for all branches, bulk approval of a chain's
submissions), withdrawing a listing (非公開) and restoring it, and the full
history of who changed what — through HTTP where a user acts."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from directory.masters.models import Programme
from directory.shops.models import Shop
from tests.directory.shops.owner_helpers import (
    SHOP_NS,
    edit_url,
    post_edit,
    workflow_action_url,
)
from tests.factories import ShopBenefitFactory, ShopFactory, owner_with_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(secretariat):
    client = Client()
    client.force_login(secretariat)
    return client


# --- chains -------------------------------------------------------------------------------


@pytest.fixture
def chain(masters):
    owner, head = owner_with_shop(name="ひかり薬局 本部", is_chain_head=True)
    ShopBenefitFactory(shop=head, title="全店でポイント2倍", applies_to_branches=True)
    ShopBenefitFactory(shop=head, title="本部だけの特典",
                       programme=Programme.objects.exclude(code="maido").first())
    head.save_revision().publish()
    branches = [ShopFactory(name=f"ひかり薬局 {name}店", parent=head)
                for name in ("梅田", "難波")]
    return owner, head, branches


def test_a_heads_benefit_applies_to_branches_without_their_own(chain):
    _owner, head, (umeda, namba) = chain
    assert [b.title for b in umeda.effective_benefits()] == ["全店でポイント2倍"]
    assert getattr(umeda.effective_benefits()[0], "inherited_from", None) == head
    # A branch's own benefit for the same programme takes precedence.
    ShopBenefitFactory(shop=namba, title="難波店は10%引き")
    assert [b.title for b in namba.effective_benefits()] == ["難波店は10%引き"]
    # The head shows its own benefits (none inherited).
    assert sorted(b.title for b in head.effective_benefits()) == ["全店でポイント2倍",
                                                                  "本部だけの特典"]
    # An unpublished head gives nothing.
    Shop.objects.filter(pk=head.pk).update(live=False)
    umeda.refresh_from_db()
    assert umeda.effective_benefits() == []


def test_chain_head_owner_submits_branches_and_the_secretariat_approves_them_together(
    chain, reviewer
):
    owner, head, branches = chain
    owner_client = Client()
    owner_client.force_login(owner.user)
    for branch in branches:
        branch.save_revision().publish()
        branch.refresh_from_db()
        response = post_edit(owner_client, edit_url(branch.pk), action="submit",
                             opening_hours="9:00〜21:00")
        assert response.status_code == 302, response.content.decode()[:2000]
    listing = reviewer.get(reverse(f"{SHOP_NS}:list")).content.decode()
    assert reverse("shops_chain_approval", args=[head.pk]) in listing

    page = reviewer.get(reverse("shops_chain_approval", args=[head.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "梅田店" in html and "難波店" in html
    from wagtail.models import TaskState

    ids = [str(pk) for pk in TaskState.objects.filter(status="in_progress")
           .values_list("pk", flat=True)]
    response = reviewer.post(reverse("shops_chain_approval", args=[head.pk]),
                             {"task_state": ids})
    assert response.status_code == 302
    for branch in branches:
        branch.refresh_from_db()
        assert branch.opening_hours == "9:00〜21:00" and not branch.workflow_in_progress
        publishes = ModelLogEntry.objects.for_instance(branch).filter(action="wagtail.publish")
        assert publishes.count() == 2  # the fixture's first publication and this approval
    # Posting again approves nothing twice.
    reviewer.post(reverse("shops_chain_approval", args=[head.pk]), {"task_state": ids})
    for branch in branches:
        assert ModelLogEntry.objects.for_instance(branch).filter(
            action="wagtail.publish").count() == 2


def test_owners_cannot_use_chain_approval(chain):
    owner, head, _branches = chain
    client = Client()
    client.force_login(owner.user)
    response = client.get(reverse("shops_chain_approval", args=[head.pk]))
    assert response.status_code in (302, 403)


# --- withdraw (非公開) and restore ------------------------------------------------------------


def test_secretariat_withdraws_a_listing_and_it_is_restored_through_approval(
    client, reviewer, published_shop
):
    owner, shop = published_shop
    detail = reverse("shops:detail", args=[shop.pk])
    assert client.get(detail).status_code == 200

    response = reviewer.post(reverse(f"{SHOP_NS}:unpublish", args=[shop.pk]))
    assert response.status_code == 302
    shop.refresh_from_db()
    assert not shop.live
    assert client.get(detail).status_code == 404
    assert "ひまわり食堂" not in client.get(reverse("shops:list"),
                                       {"keyword": "ひまわり"}).content.decode()

    owner_client = Client()
    owner_client.force_login(owner.user)
    assert "非公開" in owner_client.get(reverse("wagtailadmin_home")).content.decode()
    # The owner restores it by submitting it again; approval publishes it.
    response = post_edit(owner_client, edit_url(shop.pk), action="submit")
    assert response.status_code == 302
    shop.refresh_from_db()
    assert not shop.live and shop.workflow_in_progress
    assert client.get(detail).status_code == 404
    reviewer.post(workflow_action_url(shop, "approve"))
    shop.refresh_from_db()
    assert shop.live
    assert client.get(detail).status_code == 200


def test_owners_cannot_withdraw_or_publish_by_themselves(published_shop):
    owner, shop = published_shop
    client = Client()
    client.force_login(owner.user)
    response = client.post(reverse(f"{SHOP_NS}:unpublish", args=[shop.pk]))
    assert response.status_code in (302, 403)
    shop.refresh_from_db()
    assert shop.live


def test_full_history_records_who_changed_what(reviewer, published_shop):
    owner, shop = published_shop
    owner_client = Client()
    owner_client.force_login(owner.user)
    post_edit(owner_client, edit_url(shop.pk), name="ひまわり食堂 二代目")
    post_edit(owner_client, edit_url(shop.pk), action="submit")
    shop.refresh_from_db()
    reviewer.post(workflow_action_url(shop, "reject"), {"comment": "写真を追加してください。"})
    post_edit(owner_client, edit_url(shop.pk), action="submit")
    shop.refresh_from_db()
    reviewer.post(workflow_action_url(shop, "approve"))
    reviewer.post(reverse(f"{SHOP_NS}:unpublish", args=[shop.pk]))

    actions = list(ModelLogEntry.objects.for_instance(shop).order_by("timestamp", "pk")
                   .values_list("action", "user_id"))
    names = [action for action, _user in actions]
    for expected in ("wagtail.edit", "wagtail.workflow.start", "wagtail.workflow.reject",
                     "wagtail.workflow.resume", "wagtail.workflow.approve", "wagtail.publish",
                     "wagtail.unpublish"):
        assert expected in names, (expected, names)
    users = dict(actions)
    assert users["wagtail.workflow.reject"] == users["wagtail.unpublish"] != owner.user.pk
    assert users["wagtail.workflow.start"] == owner.user.pk

    for client in (owner_client, reviewer):
        history = client.get(reverse(f"{SHOP_NS}:history", args=[shop.pk]))
        assert history.status_code == 200
        workflow_history = client.get(reverse(f"{SHOP_NS}:workflow_history", args=[shop.pk]))
        assert workflow_history.status_code == 200
        assert "写真を追加してください。" in client.get(reverse(
            f"{SHOP_NS}:workflow_history_detail",
            args=[shop.pk, shop.workflow_states.order_by("pk").first().pk],
        )).content.decode()
