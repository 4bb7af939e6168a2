"""Writes for favourites (HackSoft-style services).

Kept apart from directory/members/services.py (sign-up and profile writes) only
because the two were written at the same time; they may be merged.
"""

from django.db import IntegrityError, transaction

from directory.members.models import Favourite, Member
from directory.shops.models import Shop


@transaction.atomic
def favourite_set(*, member: Member, shop: Shop, favourite: bool) -> bool:
    """Make `shop` a favourite of `member` or not; idempotent. Returns the new state."""
    if favourite:
        try:
            with transaction.atomic():
                Favourite.objects.get_or_create(member=member, shop=shop)
        except IntegrityError:  # a concurrent request added it first
            pass
    else:
        Favourite.objects.filter(member=member, shop=shop).delete()
    return favourite


@transaction.atomic
def favourite_toggle(*, member: Member, shop: Shop) -> bool:
    """Flip the favourite state of `shop` for `member`. Returns the new state."""
    deleted, _ = Favourite.objects.filter(member=member, shop=shop).delete()
    if deleted:
        return False
    return favourite_set(member=member, shop=shop, favourite=True)
