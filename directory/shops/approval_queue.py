"""The secretariat's approval queue on the admin dashboard: every shop and event
waiting for approval, oldest first, with how long it has waited and whether it is a
new application or changes to a published listing (Wagtail's own "Awaiting your
review" panel shows neither the kind nor, for snippets, a compare link)."""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from directory.access import events_for_user, shops_for_user
from directory.shops.workflow import kind_of, waiting_task_states

QUEUE_LIMIT = 100

KIND_LABELS = {"shop": _("Sponsor shop"), "event": _("Shop event")}
VIEWSETS = {"shop": "wagtailsnippets_shops_shop", "event": "wagtailsnippets_events_event"}


def can_approve(user) -> bool:
    return user.is_active and (user.has_perm("shops.publish_shop")
                               or user.has_perm("events.publish_event"))


def _visible(user, kind: str, obj) -> bool:
    """Only what the user may approve: shops with publish_shop, events with
    publish_event and within their scope (municipal staff: their municipality)."""
    if kind == "shop":
        return user.has_perm("shops.publish_shop") and shops_for_user(user).filter(
            pk=obj.pk).exists()
    return user.has_perm("events.publish_event") and events_for_user(user).filter(
        pk=obj.pk).exists()


def approval_queue_rows(user, *, now=None, limit: int = QUEUE_LIMIT) -> list[dict]:
    """Waiting submissions the user may approve, oldest first: title, kind, new or
    edit, submitter, how long it has waited."""
    now = now or timezone.now()
    rows = []
    for task_state in waiting_task_states():
        if len(rows) >= limit:
            break
        obj = task_state.workflow_state.content_object
        kind = kind_of(obj) if obj is not None else None
        if kind is None or not _visible(user, kind, obj):
            continue
        namespace = VIEWSETS[kind]
        title = task_state.revision.object_str if task_state.revision_id else str(obj)
        is_new = not obj.live
        requested_by = task_state.workflow_state.requested_by
        rows.append({
            "title": title or str(obj),
            "kind": kind,
            "kind_label": KIND_LABELS[kind],
            "is_new": is_new,
            "submitted_by": (requested_by.get_full_name() or requested_by.get_username())
            if requested_by else "",
            "started_at": task_state.started_at,
            "waiting_days": max((now - task_state.started_at).days, 0),
            "edit_url": reverse(f"{namespace}:edit", args=[quote(obj.pk)]),
            "compare_url": reverse(f"{namespace}:revisions_compare", args=[
                quote(obj.pk), "earliest" if is_new else "live", task_state.revision_id,
            ]) if task_state.revision_id else "",
        })
    return rows


class ApprovalQueuePanel(Component):
    name = "approval_queue"
    template_name = "shops/admin/approval_queue_panel.html"
    order = 40  # above Wagtail's own panels

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["rows"] = approval_queue_rows(self.user)
        return context


UNPLACED_LIMIT = 20


class SecretariatOverviewPanel(Component):
    """What needs the secretariat, in numbers, above the queue: submissions waiting and
    the oldest one's age, shops without a map position (which never appear on the map
    or in near-me search), and background tasks that failed (mails not sent…)."""

    name = "secretariat_overview"
    template_name = "shops/admin/secretariat_overview_panel.html"
    order = 30

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        from django_q.models import Failure

        from directory.shops.admin_views import FAILURE_PERMISSION

        context = super().get_context_data(parent_context)
        now = timezone.now()
        rows = approval_queue_rows(self.user, now=now)
        unplaced = (shops_for_user(self.user)
                    .filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
                    .select_related("municipality").order_by("-updated_at", "-pk"))
        may_see_failures = self.user.has_perm(FAILURE_PERMISSION)
        context.update({
            "waiting_shops": sum(1 for row in rows if row["kind"] == "shop"),
            "waiting_events": sum(1 for row in rows if row["kind"] == "event"),
            "oldest_days": max((row["waiting_days"] for row in rows), default=None),
            "unplaced_count": unplaced.count(),
            "unplaced": [{"shop": shop, "edit_url": reverse(
                "wagtailsnippets_shops_shop:edit", args=[quote(shop.pk)])}
                for shop in unplaced[:UNPLACED_LIMIT]],
            "failures": Failure.objects.count() if may_see_failures else None,
            "failures_url": reverse("shops_failed_tasks") if may_see_failures else "",
        })
        return context
