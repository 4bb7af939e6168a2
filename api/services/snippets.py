"""Writes of workflow snippets (shops, events, ふぁみなび) through Wagtail's own API.

The admin and the API do exactly the same thing, so they always agree:

- create / edit: Wagtail's registered actions (`action_registry`: CreateAction,
  EditAction), which check the model's permission policy — for these models the
  scoped policy of directory/access.py — and the lock (an object in moderation
  is locked to everyone but its reviewers), write the revision and the log entry,
  and publish only when asked and allowed;
- submit: `Workflow.start()` (or `WorkflowState.resume()` after "request changes");
- approve / reject: the current task's own `get_actions()` and `on_action()`
  (for shops and events the shops.ApprovalTask of the shop helper: a comment is
  required to request changes, and concurrent reviewers are serialised).

Services raise `ApiError` (api.problems) for states the caller must fix (409),
Django's PermissionDenied for roles (403) and ValidationError for data (400).
Callers hold a transaction (ATOMIC_REQUESTS): a failure saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.actions.registry import action_registry
from wagtail.models import WorkflowState
from wagtail.permissions import policy_registry

from api.problems import conflict


@dataclass(frozen=True)
class ModerationState:
    """Where an object is in its life, for API answers: the status code and comment
    of the shop side's dashboard (directory.shops.workflow.listing_status), plus the
    workflow and task it waits in."""

    status: str  # live | draft | in_moderation | needs_changes | not_live
    label: str
    workflow: str | None
    task: str | None
    requested_at: object | None
    comment: str


def moderation_state(instance) -> ModerationState:
    from directory.shops.workflow import listing_status

    state = instance.current_workflow_state if instance.pk else None
    listing = listing_status(instance, workflow_state=state)
    task_state = state.current_task_state if state is not None else None
    return ModerationState(
        status=listing.code, label=listing.label,
        workflow=state.workflow.name if state is not None else None,
        task=task_state.task.name if task_state is not None else None,
        requested_at=state.created_at if state is not None else None,
        comment=listing.comment,
    )


def user_may(user, action: str, instance) -> bool:
    """What Wagtail's permission policy of the model says (scoped for our snippets)."""
    policy = policy_registry.get(instance)
    if instance.pk is None:
        return policy.user_has_permission(user, action)
    return policy.user_has_permission_for_instance(user, action, instance)


def _check_lock(*, user, instance) -> None:
    lock = instance.get_lock() if instance.pk else None
    if lock is not None and lock.for_user(user):
        raise conflict(_("It is locked: it is awaiting approval or being edited by someone "
                         "else."), code="locked")


@transaction.atomic
def snippet_create(*, user, instance, publish: bool = False):
    """Create `instance` (unsaved, its relations set in memory) as a draft revision,
    or published when `publish` (and the user may publish). Returns the revision."""
    instance.full_clean()
    action = action_registry.get_action_class(type(instance), "create")(
        instance, user=user, publish=publish, clean=False)
    action.execute()
    return action.revision


@transaction.atomic
def snippet_edit(*, user, instance, publish: bool = False):
    """Save `instance` (the latest revision as an object, with changes applied) as a
    new revision; published when `publish`. Returns the revision."""
    _check_lock(user=user, instance=instance)
    instance.full_clean()
    action = action_registry.get_action_class(type(instance), "edit")(
        instance, user=user, publish=publish, clean=False)
    action.execute()
    return action.revision


@transaction.atomic
def snippet_submit(*, user, instance) -> WorkflowState:
    """Send the latest revision for approval (the model's workflow)."""
    if not user_may(user, "change", instance):
        raise PermissionDenied
    workflow = instance.get_workflow()
    if workflow is None or not workflow.active:
        raise conflict(_("No approval workflow is configured for this kind of item."),
                       code="no_workflow")
    state = instance.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        raise conflict(_("It is already awaiting approval."), code="workflow_state")
    if instance.latest_revision_id is None:
        raise conflict(_("There is nothing to submit: save a draft first."),
                       code="workflow_state")
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user)
        return state
    return workflow.start(instance, user)


@transaction.atomic
def snippet_moderate(*, user, instance, action: str, comment: str = "") -> None:
    """Approve (publish) or reject (request changes) the object's current task."""
    state = instance.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS:
        raise conflict(_("It is not awaiting approval."), code="workflow_state")
    task_state = state.current_task_state
    task = task_state.task.specific
    allowed = {name for name, *_rest in task.get_actions(instance, user)}
    if action not in allowed:
        raise PermissionDenied
    kwargs = {"comment": comment} if comment else {}
    try:
        task.on_action(task_state.specific, user, action, **kwargs)
    except PermissionDenied as error:
        raise conflict(str(error) or _("The approval state does not allow this."),
                       code="workflow_state") from error
