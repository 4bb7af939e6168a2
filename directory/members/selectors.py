"""Reads for the member side (HackSoft style: selectors only read).

`member_for_user` is the one audited way a view reaches a member: always the
signed-in user's own record, never one named in the URL.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from directory.masters.models import EligibilityRule, Programme
from directory.members.models import Favourite, Member
from directory.shops.models import Shop, ShopBenefit


def member_for_user(user) -> Member:
    """The signed-in user's member record with their children; 404 when there is none."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404("No member")
    member = (
        Member.objects.select_related("user")
        .prefetch_related("children")
        .filter(user=user)
        .first()
    )
    if member is None:
        raise Http404("No member")
    return member


def member_with_children(*, member_id) -> Member | None:
    """A member (by primary key) with their children, for verifying a card token; or None.

    A deactivated account counts as gone.
    """
    try:
        member_id = int(member_id)
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < member_id < 2**63:
        return None
    return (
        Member.objects.select_related("user")
        .prefetch_related("children")
        .filter(pk=member_id, user__is_active=True)
        .first()
    )


def programmes_with_rules() -> list[Programme]:
    """Every programme with its enabled eligibility rules in `enabled_rules` (2 queries)."""
    return list(
        Programme.objects.prefetch_related(
            Prefetch(
                "eligibility_rules",
                queryset=EligibilityRule.objects.filter(enabled=True).order_by("pk"),
                to_attr="enabled_rules",
            )
        )
    )


def favourite_shop_ids(member: Member) -> set[int]:
    """Primary keys of the member's favourite shops (live or not), in one query."""
    return set(Favourite.objects.filter(member=member).values_list("shop_id", flat=True))


def favourite_list(member: Member) -> QuerySet[Favourite]:
    """The member's favourites of published shops, newest first, with what the list shows.

    A fixed number of queries whatever the length: the favourites with shop and
    municipality in one, the benefits with their programme in another.
    """
    return (
        Favourite.objects.filter(member=member, shop__live=True)
        .select_related("shop", "shop__municipality")
        .prefetch_related(
            Prefetch(
                "shop__benefits",
                queryset=ShopBenefit.objects.select_related("programme").order_by(
                    "programme__sort_order", "programme__legacy_group", "sort_order", "pk"
                ),
            )
        )
        .order_by("-created_at", "-pk")
    )


def live_shop(*, shop_id: int) -> Shop:
    """A published shop by primary key; 404 for an unknown or unpublished one."""
    shop = Shop.objects.public().filter(pk=shop_id).only("pk", "name", "live").first()
    if shop is None:
        raise Http404("No shop")
    return shop


def is_favourite(member: Member, shop: Shop) -> bool:
    return Favourite.objects.filter(member=member, shop=shop).exists()


def favourite_state_for(user, shop) -> bool | None:
    """Whether ``user``'s member record has ``shop`` as a favourite; None when the user
    is anonymous or has no member record (staff), so no toggle is offered."""
    if user is None or not user.is_authenticated:
        return None
    member_id = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    if member_id is None:
        return None
    return Favourite.objects.filter(member_id=member_id, shop=shop).exists()
