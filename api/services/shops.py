"""Shop-side writes of the API: applications (仮登録), drafts (一時保存), submission,
approval, and the secretariat's direct update — all on Wagtail's revisions and
the "協賛店承認" workflow (api/services/snippets.py), never a copy table.

(These belong in directory/shops once its shop-side services settle; they only
call Wagtail and the shop models, so moving them is a rename.)
"""

from __future__ import annotations

from django.db import transaction
from wagtail.models import WorkflowState

from api.services.snippets import snippet_create, snippet_edit, snippet_moderate, snippet_submit
from directory import access
from directory.shops.models import OwnerShop, Shop, ShopBenefit

SCALAR_FIELDS = ("name", "name_kana", "postcode", "municipality", "address", "building",
                 "latitude", "longitude", "phone", "opening_hours", "regular_holidays", "url",
                 "comment", "nationwide_mutual_use", "is_chain_head", "parent")


def shop_apply(shop: Shop, data: dict) -> Shop:
    """Put validated values on `shop` in memory (relations deferred by modelcluster).

    Benefits keep their rows per programme (a changed text is an update, not a
    delete and insert), so revisions compare cleanly in the admin.
    """
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(shop, name, data[name])
    for name in ("genres", "benefit_types", "facilities"):
        if name in data:
            getattr(shop, name).set(data[name])
    if "benefits" in data:
        existing = {benefit.programme_id: benefit for benefit in shop.benefits.all()}
        benefits = []
        for index, item in enumerate(data["benefits"]):
            benefit = existing.get(item["programme"].pk) or ShopBenefit(programme=item["programme"])
            benefit.title = item["title"]
            benefit.detail = item.get("detail", "")
            benefit.applies_to_branches = item.get("applies_to_branches", False)
            benefit.sort_order = index
            benefits.append(benefit)
        shop.benefits = benefits
    return shop


@transaction.atomic
def shop_application_create(*, user, data: dict, submit: bool = False) -> Shop:
    """協賛店仮登録: a new, unpublished shop saved as a draft revision; a shop owner
    becomes its owner. With `submit`, it goes to the approval workflow at once."""
    shop = shop_apply(Shop(), data)
    snippet_create(user=user, instance=shop, publish=False)
    owner = getattr(user, "shop_owner", None)
    if owner is not None:
        OwnerShop.objects.get_or_create(owner=owner, shop=shop)
    if submit:
        snippet_submit(user=user, instance=Shop.objects.get(pk=shop.pk))
    return Shop.objects.get(pk=shop.pk)


@transaction.atomic
def shop_draft_save(*, user, shop: Shop, data: dict, submit: bool = False) -> Shop:
    """協賛店一時保存: the changes as a new draft revision; the published listing is
    unchanged until the secretariat approves."""
    draft = shop_apply(shop.get_latest_revision_as_object(), data)
    snippet_edit(user=user, instance=draft, publish=False)
    shop = Shop.objects.get(pk=shop.pk)
    if submit:
        snippet_submit(user=user, instance=shop)
    return shop


@transaction.atomic
def shop_update_publish(*, user, shop: Shop, data: dict) -> Shop:
    """協賛店登録・更新 by the secretariat: save and publish at once (Wagtail cancels a
    workflow in progress on publish, as in the admin)."""
    draft = shop_apply(shop.get_latest_revision_as_object(), data)
    snippet_edit(user=user, instance=draft, publish=True)
    return Shop.objects.get(pk=shop.pk)


@transaction.atomic
def shop_create_publish(*, user, data: dict) -> Shop:
    """協賛店登録・更新 by the secretariat: a new shop, published at once."""
    shop = shop_apply(Shop(), data)
    snippet_create(user=user, instance=shop, publish=True)
    return Shop.objects.get(pk=shop.pk)


@transaction.atomic
def shop_submit(*, user, shop: Shop) -> WorkflowState:
    return snippet_submit(user=user, instance=shop)


@transaction.atomic
def shop_moderate(*, user, shop: Shop, action: str, comment: str = "") -> Shop:
    """協賛店情報登録・更新認証: approve (publish) or request changes, via the task."""
    snippet_moderate(user=user, instance=shop, action=action, comment=comment)
    return Shop.objects.get(pk=shop.pk)


# --- reads --------------------------------------------------------------------------------


def shop_drafts_for_user(user):
    """協賛店一時保存検索: shops in the user's scope with a draft not yet published
    (new applications and edits of published shops)."""
    from django.db.models import Q

    return (access.shops_for_user(user)
            .filter(Q(live=False) | Q(has_unpublished_changes=True))
            .select_related("municipality", "latest_revision")
            .order_by("-latest_revision__created_at", "-pk"))


def shops_awaiting_approval_for_user(user):
    """協賛店認証待ち検索: shops in the user's scope whose approval is in progress."""
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    in_progress = WorkflowState.objects.filter(
        base_content_type__app_label="shops", base_content_type__model="shop",
        status=WorkflowState.STATUS_IN_PROGRESS,
    ).annotate(shop_pk=Cast("object_id", BigIntegerField())).values("shop_pk")
    return (access.shops_for_user(user)
            .filter(pk__in=in_progress)
            .select_related("municipality", "latest_revision")
            .order_by("latest_revision__created_at", "pk"))
