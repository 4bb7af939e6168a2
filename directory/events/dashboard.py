"""The municipal staff's dashboard: their municipality's events and ふぁみなび
articles with their status (承認待ち / 差し戻し with the reason / 下書き / 公開中),
instead of Wagtail's page panels, which show them nothing of theirs."""

from __future__ import annotations

from collections import Counter

from django.urls import reverse
from wagtail.admin.ui.components import Component

from directory.access import articles_for_user, events_for_user, sees_everything
from directory.events.models import Event
from directory.shops.owner_admin import DASHBOARD_LIMIT, listing_rows
from directory.shops.workflow import STATUS_LABELS

EVENT_NS = "wagtailsnippets_events_event"
ARTICLE_NS = "wagtailsnippets_faminavi_article"


def is_municipal_staff_only(user) -> bool:
    """Staff tied to a municipality who do not see every event (not the secretariat)."""
    return (user.is_authenticated and user.is_active and not user.is_superuser
            and bool(user.municipality_id) and not sees_everything(user, Event))


# Rows that need the author first: sent back, not yet submitted, drafts, waiting, published.
STATUS_ORDER = ["needs_changes", "not_live", "draft", "in_moderation", "live"]


def _section(queryset, namespace: str) -> dict:
    queryset = queryset.select_related("latest_revision").order_by("-updated_at", "-pk")
    rows = listing_rows(queryset[:DASHBOARD_LIMIT], namespace, public=True)
    rows.sort(key=lambda row: STATUS_ORDER.index(row["status"].code))
    counts = Counter(row["status"].code for row in rows)
    return {
        "rows": rows,
        "total": queryset.count(),
        "counts": [(STATUS_LABELS[code], counts[code]) for code in STATUS_ORDER if counts[code]],
        "add_url": reverse(f"{namespace}:add"),
        "list_url": reverse(f"{namespace}:list"),
    }


class MunicipalListingsPanel(Component):
    name = "municipal_listings"
    template_name = "events/admin/municipal_listings_panel.html"
    order = 50

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update({
            "municipality": self.user.municipality,
            "events": _section(events_for_user(self.user), EVENT_NS),
            "articles": _section(articles_for_user(self.user), ARTICLE_NS),
            "limit": DASHBOARD_LIMIT,
        })
        return context
