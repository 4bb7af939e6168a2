"""What the shop side adds to Wagtail's workflows (協賛店承認, イベント承認).

Wagtail does the drafts, revisions, locking, compare, approval and publishing.
This module adds only what it does not do:

- `listing_status()`: the status an owner sees on their dashboard (公開中,
  下書きあり, 承認待ち, 差し戻し with the reviewer's comment, 非公開);
- e-mail through django-q2 tasks: to the secretariat on each submission (or a
  daily digest, PORTAL["SUBMISSION_NOTICE"]) and to the applicant on approval
  or on a request for changes, with the comment;
- Wagtail's own synchronous notification mails are switched off for shops and
  events (`quiet_wagtail_notifiers`), so nobody gets each message twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task
from wagtail.models import TaskState, WorkflowState

from directory.accounts import roles
from directory.accounts.services import absolute_url

logger = logging.getLogger(__name__)
TASK_PREFIX = "directory.shops.tasks."

IMMEDIATE = "immediate"
DAILY = "daily"


def _models():
    from directory.events.models import Event
    from directory.shops.models import Shop

    return {Shop: "shop", Event: "event"}


def kind_of(obj) -> str | None:
    """"shop" or "event" for the objects whose workflows this module handles."""
    for model, kind in _models().items():
        if isinstance(obj, model):
            return kind
    return None


def _kind_of_state(workflow_state: WorkflowState) -> str | None:
    model = ContentType.objects.get_for_id(workflow_state.base_content_type_id).model_class()
    return _models().get(model)


def submission_notice_mode() -> str:
    mode = str(settings.PORTAL.get("SUBMISSION_NOTICE", IMMEDIATE)).lower()
    return mode if mode in (IMMEDIATE, DAILY) else IMMEDIATE


# --- the owner's view of a listing --------------------------------------------------------------


@dataclass(frozen=True)
class ListingStatus:
    code: str  # live, draft, in_moderation, needs_changes, not_live
    label: str
    comment: str = ""
    reviewed_by: str = ""
    reviewed_at: object = None

    @property
    def needs_attention(self) -> bool:
        return self.code == "needs_changes"


STATUS_LABELS = {
    "live": _("Published"),  # 公開中
    "draft": _("Draft saved"),  # 下書きあり
    "in_moderation": _("Awaiting approval"),  # 承認待ち
    "needs_changes": _("Changes requested"),  # 差し戻し
    "not_live": _("Not published"),  # 非公開
}


def listing_status(obj, workflow_state: WorkflowState | None = None) -> ListingStatus:
    """The one status an owner needs to know, in this order: 承認待ち, 差し戻し (with
    the reviewer's comment), 下書きあり (unsubmitted changes), 公開中, 非公開.

    `workflow_state` is the object's unfinished workflow state if the caller already
    has it (the dashboard reads them in one query); otherwise it is looked up."""
    if workflow_state is None:
        workflow_state = obj.current_workflow_state
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
        return ListingStatus("in_moderation", str(STATUS_LABELS["in_moderation"]))
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        task_state = workflow_state.current_task_state
        return ListingStatus(
            "needs_changes", str(STATUS_LABELS["needs_changes"]),
            comment=(task_state.comment if task_state else "") or "",
            reviewed_by=_display_name(task_state.finished_by) if task_state else "",
            reviewed_at=task_state.finished_at if task_state else None,
        )
    if obj.live and obj.has_unpublished_changes:
        return ListingStatus("draft", str(STATUS_LABELS["draft"]))
    if obj.live:
        return ListingStatus("live", str(STATUS_LABELS["live"]))
    return ListingStatus("not_live", str(STATUS_LABELS["not_live"]))


def unfinished_workflow_states(objects) -> dict:
    """{pk: WorkflowState} of the in-progress or needs-changes workflows of `objects`
    (all of one model), in one query, with the current task state and its reviewer."""
    objects = list(objects)
    if not objects:
        return {}
    model = type(objects[0])
    states = (
        WorkflowState.objects.filter(
            base_content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(obj.pk) for obj in objects],
            status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
        )
        .select_related("current_task_state", "current_task_state__finished_by")
        .order_by("created_at")
    )
    return {int(state.object_id): state for state in states}


def _display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or getattr(getattr(user, "shop_owner", None), "name", "") or \
        user.get_username()


# --- e-mail: recipients and URLs ---------------------------------------------------------------


def secretariat_addresses() -> list[str]:
    """Active members of the 事務局 group with an address (the approvers)."""
    return sorted(set(
        get_user_model().objects.filter(groups__name=roles.SECRETARIAT, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    ))


def _viewset_url(obj, name: str) -> str:
    return absolute_url(reverse(obj.snippet_viewset.get_url_name(name), args=[obj.pk]))


def _applicant_addresses(workflow_state: WorkflowState) -> list[str]:
    user = workflow_state.requested_by
    if user is None or not user.is_active or not user.email:
        return []
    return [user.email]


# --- signal receivers (connected in apps.py) -------------------------------------------------------


def on_task_submitted(sender, instance: TaskState, user=None, **kwargs):
    """A shop or event entered the secretariat's queue (new, edit or resubmission)."""
    workflow_state = instance.workflow_state
    kind = _kind_of_state(workflow_state)
    if kind is None or submission_notice_mode() != IMMEDIATE:
        return
    obj = workflow_state.content_object
    to = secretariat_addresses()
    if obj is None or not to:
        return
    earlier = TaskState.objects.filter(workflow_state=workflow_state).exclude(pk=instance.pk)
    if earlier.exists():
        change = "resubmission"
    elif obj.live:
        change = "edit"
    else:
        change = "new"
    revision_object = instance.revision.as_object() if instance.revision_id else obj
    async_task(
        f"{TASK_PREFIX}send_submission_notice", to=to, kind=kind, title=str(revision_object),
        submitted_by=_display_name(user or workflow_state.requested_by), change=change,
        review_url=_viewset_url(obj, "edit"),
    )


def on_workflow_approved(sender, instance: WorkflowState, user=None, **kwargs):
    kind = _kind_of_state(instance)
    if kind is None:
        return
    obj = instance.content_object
    to = _applicant_addresses(instance)
    if obj is None or not to or (user is not None and instance.requested_by_id == user.pk):
        return
    obj.refresh_from_db()
    public_url = absolute_url(obj.get_absolute_url()) if obj.live else ""
    async_task(
        f"{TASK_PREFIX}send_decision_notice", to=to, kind=kind, title=str(obj),
        decision="approved", comment=_last_comment(instance), edit_url=_viewset_url(obj, "edit"),
        public_url=public_url,
    )


def on_workflow_rejected(sender, instance: WorkflowState, user=None, **kwargs):
    kind = _kind_of_state(instance)
    if kind is None:
        return
    obj = instance.content_object
    to = _applicant_addresses(instance)
    if obj is None or not to or (user is not None and instance.requested_by_id == user.pk):
        return
    async_task(
        f"{TASK_PREFIX}send_decision_notice", to=to, kind=kind,
        title=str(obj.get_latest_revision_as_object()), decision="rejected",
        comment=_last_comment(instance), edit_url=_viewset_url(obj, "edit"),
    )


def _last_comment(workflow_state: WorkflowState) -> str:
    task_state = (TaskState.objects.filter(workflow_state=workflow_state)
                  .exclude(finished_at=None).order_by("-finished_at", "-pk").first())
    return (task_state.comment or "") if task_state else ""


# --- the daily digest ----------------------------------------------------------------------------


def waiting_task_states():
    """Task states of shops and events waiting for the secretariat, oldest first."""
    from directory.events.models import Event
    from directory.shops.models import Shop

    types = [ContentType.objects.get_for_model(model) for model in (Shop, Event)]
    return (
        TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS,
                                 workflow_state__base_content_type__in=types)
        .select_related("workflow_state", "workflow_state__requested_by", "revision")
        .order_by("started_at", "pk")
    )


def submission_digest_send() -> int:
    if submission_notice_mode() != DAILY:
        return 0
    to = secretariat_addresses()
    items = []
    for task_state in waiting_task_states():
        workflow_state = task_state.workflow_state
        obj = workflow_state.content_object
        kind = _kind_of_state(workflow_state)
        if obj is None or kind is None:
            continue
        revision_object = task_state.revision.as_object() if task_state.revision_id else obj
        items.append({
            "kind": kind,
            "title": str(revision_object),
            "submitted_by": _display_name(workflow_state.requested_by),
            "submitted_at": timezone.localtime(task_state.started_at).strftime("%Y-%m-%d %H:%M"),
            "review_url": _viewset_url(obj, "edit"),
        })
    if not items or not to:
        return 0
    async_task(f"{TASK_PREFIX}send_submission_digest_mail", to=to, items=items)
    return len(items)


# --- Wagtail's own notification mails --------------------------------------------------------------


def quiet_wagtail_notifiers():
    """Wagtail mails the 事務局 group on each submission and the requester on each
    decision, synchronously. For shops and events those mails come from the tasks
    above instead (queued, retried, digest possible), so Wagtail's notifiers skip
    them; pages keep Wagtail's mails."""
    from wagtail.admin import signal_handlers

    for notifier in (
        signal_handlers.task_submission_email_notifier,
        signal_handlers.workflow_submission_email_notifier,
        signal_handlers.workflow_approval_email_notifier,
        signal_handlers.workflow_rejection_email_notifier,
    ):
        if getattr(notifier, "_shops_quiet", False):
            continue
        original = notifier.can_handle

        def can_handle(instance, _original=original, **kwargs):
            if not _original(instance, **kwargs):
                return False
            state = instance if isinstance(instance, WorkflowState) else instance.workflow_state
            return _kind_of_state(state) is None

        notifier.can_handle = can_handle
        notifier._shops_quiet = True
