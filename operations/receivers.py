"""Signal receivers that feed the audit log (connected in OperationsConfig.ready).

- logins, failed logins and logouts: Django's auth signals. A failed login keeps
  the e-mail address typed (when it is one) and nothing else of the credentials.
- role changes: User.groups changes (either side of the relation) and changes of
  is_staff / is_superuser.
- approvals and publishing: Wagtail's own log entries (ModelLogEntry for
  snippets, PageLogEntry for pages). Wagtail writes one for every publish,
  unpublish and workflow step, for pages and snippets alike, with the acting
  user; the `published` / `workflow_approved` signals carry no user (or not
  for every case), so the log entries are the complete source.
- exports and personal-data views: operations.middleware.AuditMiddleware.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from operations.models import AuditEvent
from operations.services import audit_record, email_or_blank

Action = AuditEvent.Action

# Models whose rows are personal data: their audit rows never carry a title (a
# member's name would outlive the member's deletion in the log).
PERSONAL_DATA_MODELS = {"members.member", "accounts.user", "shops.owner"}

# Wagtail log actions recorded, and the audit action each becomes.
WAGTAIL_ACTIONS = {
    "wagtail.publish": Action.PUBLISH,
    "wagtail.publish.scheduled": Action.PUBLISH,
    "wagtail.unpublish": Action.UNPUBLISH,
    "wagtail.unpublish.scheduled": Action.UNPUBLISH,
    "wagtail.workflow.start": Action.WORKFLOW_SUBMIT,
    "wagtail.workflow.approve": Action.WORKFLOW_APPROVE,
    "wagtail.workflow.reject": Action.WORKFLOW_REJECT,
    "wagtail.workflow.cancel": Action.WORKFLOW_CANCEL,
    "wagtail.delete": Action.DELETE,
}

_FLAGS = ("is_staff", "is_superuser")


def model_label(model_or_instance) -> str:
    return model_or_instance._meta.label_lower


# --- logins -----------------------------------------------------------------------------------


def on_user_logged_in(sender, request, user, **kwargs):
    audit_record(action=Action.LOGIN, user=user, request=request,
                 object_type=model_label(user), object_id=user.pk)


def on_user_logged_out(sender, request, user, **kwargs):
    audit_record(action=Action.LOGOUT, user=user, request=request,
                 object_type=model_label(user) if user is not None else "",
                 object_id=user.pk if user is not None else "")


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    """Only the e-mail address typed is kept: never the password, nor anything else
    of `credentials` (Django masks the password; we keep none of it at all)."""
    user_model = get_user_model()
    typed = credentials.get(user_model.USERNAME_FIELD) or credentials.get("username") \
        or credentials.get("email")
    email = email_or_blank(typed)
    account = user_model._default_manager.filter(email__iexact=email).first() if email else None
    audit_record(
        action=Action.LOGIN_FAILED,
        user=account,
        user_label=email,
        request=request,
        object_type=model_label(user_model) if account else "",
        object_id=account.pk if account else "",
        detail={"email": email} if email else {"email": None, "not_an_email": True},
    )


# --- role changes -----------------------------------------------------------------------------


def on_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """User.groups.through changed, from the user's side (user.groups.add) or the
    group's (group.user_set.add)."""
    user_model = get_user_model()
    if action == "pre_clear":
        if reverse:  # group.user_set.clear(): remember who was in it
            instance._audit_cleared_user_ids = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._audit_cleared_groups = list(instance.groups.values_list("name", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    key = "added" if action == "post_add" else "removed"
    if not reverse:
        if action == "post_clear":
            names = getattr(instance, "_audit_cleared_groups", [])
        else:
            names = list(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
        if names:
            audit_record(action=Action.ROLE_CHANGE, object_type=model_label(instance),
                         object_id=instance.pk, detail={key: sorted(names)})
        return
    # reverse: `instance` is a Group, pk_set are users
    if action == "post_clear":
        user_ids = getattr(instance, "_audit_cleared_user_ids", [])
    else:
        user_ids = list(pk_set or [])
    for user_id in sorted(user_ids):
        audit_record(action=Action.ROLE_CHANGE, object_type=model_label(user_model),
                     object_id=user_id, detail={key: [instance.name]})


def on_user_init(sender, instance, **kwargs):
    deferred = instance.get_deferred_fields()
    if any(flag in deferred for flag in _FLAGS):
        instance._audit_flags = None
    else:
        instance._audit_flags = tuple(getattr(instance, flag) for flag in _FLAGS)


def on_user_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    now = tuple(getattr(instance, flag) for flag in _FLAGS)
    if created:
        if any(now):
            audit_record(action=Action.ROLE_CHANGE, object_type=model_label(instance),
                         object_id=instance.pk,
                         detail={"created": True, **dict(zip(_FLAGS, now, strict=True))})
    elif update_fields is None or set(update_fields) & set(_FLAGS):
        before = getattr(instance, "_audit_flags", None)
        if before is not None and before != now:
            changes = {
                flag: {"from": old, "to": new}
                for flag, old, new in zip(_FLAGS, before, now, strict=True) if old != new
            }
            audit_record(action=Action.ROLE_CHANGE, object_type=model_label(instance),
                         object_id=instance.pk, detail=changes)
    instance._audit_flags = now


# --- approvals and publishing (Wagtail log entries) -------------------------------------------


def on_wagtail_log_entry(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    action = WAGTAIL_ACTIONS.get(instance.action)
    if action is None:
        return
    content_type = instance.content_type
    object_type = f"{content_type.app_label}.{content_type.model}" if content_type else ""
    object_id = getattr(instance, "object_id", None) or getattr(instance, "page_id", "")
    detail = {"wagtail_action": instance.action, "log_entry_id": instance.pk}
    if instance.revision_id:
        detail["revision_id"] = instance.revision_id
    if object_type not in PERSONAL_DATA_MODELS:
        detail["title"] = (instance.label or "")[:200]
    workflow = (instance.data or {}).get("workflow") if isinstance(instance.data, dict) else None
    if isinstance(workflow, dict):
        detail["workflow"] = str(workflow.get("title", ""))[:100]
        task = workflow.get("task")
        if isinstance(task, dict):
            detail["task"] = str(task.get("title", ""))[:100]
    audit_record(action=action, user=instance.user, object_type=object_type,
                 object_id=object_id, detail=detail)
