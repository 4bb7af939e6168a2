"""The shop owner's Wagtail admin: a dashboard of their own shops and events with
their status, and nothing else (wagtail_hooks.py wires it in).

A "shop owner only" user is one in the 協賛店オーナー group who cannot see every
shop (not the secretariat, an auditor or a superuser). For them the home page
shows `OwnerListingsPanel` instead of Wagtail's panels (which list pages in
moderation, recent page edits, locked pages and the site summary), the menu
shows only their shops and events, and the page chooser offers no pages.
"""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.ui.components import Component

from directory.access import events_for_user, shops_for_user
from directory.accounts import roles
from directory.shops.workflow import listing_status, unfinished_workflow_states

DASHBOARD_LIMIT = 50


def is_shop_owner_only(user) -> bool:
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    if user.has_perm("shops.access_all_shop") or user.has_perm("events.access_all_event"):
        return False
    cached = getattr(user, "_shop_owner_only", None)
    if cached is None:
        cached = user.groups.filter(name=roles.SHOP_OWNER).exists() and not user.groups.exclude(
            name=roles.SHOP_OWNER).exists()
        user._shop_owner_only = cached
    return cached


def listing_rows(objects, viewset_ns: str, *, public: bool) -> list[dict]:
    objects = list(objects)
    states = unfinished_workflow_states(objects)
    rows = []
    for obj in objects:
        status = listing_status(obj, states.get(obj.pk))
        title = obj.latest_revision.object_str if obj.latest_revision_id else str(obj)
        rows.append({
            "object": obj,
            "title": title or str(obj),
            "status": status,
            "edit_url": reverse(f"{viewset_ns}:edit", args=[obj.pk]),
            "history_url": reverse(f"{viewset_ns}:history", args=[obj.pk]),
            "public_url": obj.get_absolute_url() if public and obj.live else "",
        })
    return rows


class OwnerListingsPanel(Component):
    """Their shops (and a chain head's branches) and their events, with status:
    公開中 / 下書きあり / 承認待ち / 差し戻し (with the reviewer's comment) / 非公開."""

    name = "owner_listings"
    template_name = "shops/admin/owner_listings_panel.html"
    order = 50

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        shops = (shops_for_user(self.user).select_related("latest_revision", "parent")
                 .order_by("-updated_at", "-pk"))
        events = (events_for_user(self.user).select_related("latest_revision")
                  .order_by("-updated_at", "-pk"))
        shop_count = shops.count()
        event_count = events.count()
        context.update({
            "shops": listing_rows(shops[:DASHBOARD_LIMIT], "wagtailsnippets_shops_shop", public=True),
            "shop_count": shop_count,
            "events": listing_rows(events[:DASHBOARD_LIMIT], "wagtailsnippets_events_event",
                            public=True),
            "event_count": event_count,
            "limit": DASHBOARD_LIMIT,
            "add_shop_url": reverse("wagtailsnippets_shops_shop:add"),
            "shop_list_url": reverse("wagtailsnippets_shops_shop:list"),
            "add_event_url": reverse("wagtailsnippets_events_event:add"),
            "event_list_url": reverse("wagtailsnippets_events_event:list"),
        })
        return context
