"""Template helpers of the shop owner's admin (directory/shops/owner_admin.py)."""

from django import template

from directory.shops.owner_admin import is_shop_owner_only

register = template.Library()


@register.filter
def shop_owner_only(user) -> bool:
    return is_shop_owner_only(user)


@register.filter
def municipal_staff_only(user) -> bool:
    from directory.events.dashboard import is_municipal_staff_only

    return is_municipal_staff_only(user)
