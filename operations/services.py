"""Writes of the operations app: the audit log (record, prune).

Backups are in operations.backup; these are the only functions that write
AuditEvent rows.
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils import timezone

from operations import context, metrics
from operations.models import AuditEvent

logger = logging.getLogger(__name__)

# Keys whose values are never stored, at any depth of a detail: any key containing
# one of these words, or made of one of the exact parts below ("auth", "pin"…).
_SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "token", "csrf", "cookie",
                 "credential", "signature", "private")
_SECRET_PARTS = {"pass", "pwd", "auth", "authorization", "otp", "totp", "key", "apikey",
                 "session", "sessionid", "pin"}


def is_secret_key(key: str) -> bool:
    lowered = str(key).lower()
    if any(word in lowered for word in _SECRET_WORDS):
        return True
    return any(part in _SECRET_PARTS for part in re.split(r"[^a-z0-9]+", lowered))


MAX_DETAIL_ITEMS = 50
MAX_TEXT = 500
_MAX_DEPTH = 4


def _clean(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return "…"
    if isinstance(value, dict):
        cleaned = {}
        for key, item in list(value.items())[:MAX_DETAIL_ITEMS]:
            key = str(key)[:100]
            if is_secret_key(key):
                continue
            cleaned[key] = _clean(item, depth + 1)
        return cleaned
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(item, depth + 1) for item in list(value)[:MAX_DETAIL_ITEMS * 2]]
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)[:MAX_TEXT]


def audit_detail_clean(detail: dict | None) -> dict:
    """A copy of `detail` without keys naming a secret, with bounded size and depth."""
    if detail is None:
        return {}
    if not isinstance(detail, dict):
        raise TypeError("an audit detail must be a dict")
    return _clean(detail, 0)


def email_or_blank(value: Any) -> str:
    """`value` lower-cased when it is an e-mail address, else "" (a password typed
    into the e-mail field by mistake must not end up in the log)."""
    if not isinstance(value, str):
        return ""
    value = value.strip().lower()
    if len(value) > 254:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _user_label(user) -> str:
    if user is None:
        return ""
    return (getattr(user, "email", "") or str(user))[:254]


def audit_record(
    *,
    action: str,
    user=None,
    user_label: str | None = None,
    request=None,
    object_type: str = "",
    object_id: Any = "",
    detail: dict | None = None,
) -> AuditEvent | None:
    """Write one audit event. The acting user, IP address and request id come from
    `request` when given, else from the request being served (operations.context).

    Raises ValueError for an unknown action. A database error while writing is
    logged at ERROR (and so counted in the metrics) and does not break the
    caller's request; None is returned then.
    """
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    current = context.current()
    if request is not None:
        ip = context.client_ip(request)
        request_id = getattr(request, "request_id", "") or (current.request_id if current else "")
        if user is None:
            request_user = getattr(request, "user", None)
            if request_user is not None and request_user.is_authenticated:
                user = request_user
    else:
        ip = current.ip if current else None
        request_id = current.request_id if current else ""
        if user is None and current is not None:
            user = current.user
    if user is not None and not getattr(user, "pk", None):
        user = None
    event = AuditEvent(
        action=action,
        user=user,
        user_label=(user_label if user_label is not None else _user_label(user))[:254],
        ip_address=ip,
        request_id=(request_id or "")[:64],
        object_type=str(object_type or "")[:100],
        object_id=str(object_id if object_id is not None else "")[:64],
        detail=audit_detail_clean(detail),
    )
    try:
        with transaction.atomic():
            event.save()
    except DatabaseError:
        logger.error("audit: could not write a %s event", action, exc_info=True)
        return None
    metrics.record_audit_event(action)
    return event


def audit_retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 365))


def audit_prune(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Delete audit events older than the retention period; the number deleted."""
    days = audit_retention_days() if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError("the audit retention must be a whole number of days, at least 1")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        logger.info("audit: pruned %d events older than %s", deleted, cutoff.isoformat())
    return deleted


# --- django-q2 schedules --------------------------------------------------------------------

# (func, setting naming the local time "HH:MM", default time, setting that may turn it off)
SCHEDULES = [
    ("operations.tasks.backup_daily", "BACKUP_SCHEDULE_TIME", "03:00", "BACKUP_SCHEDULE"),
    ("operations.tasks.audit_prune_daily", "AUDIT_PRUNE_SCHEDULE_TIME", "03:30", None),
    # Housekeeping: rows that hold e-mail addresses or token hashes and are useless once
    # expired (the domain apps own the deletes; the schedule only names them).
    ("directory.accounts.tasks.prune_link_requests", "HOUSEKEEPING_SCHEDULE_TIME", "04:00", None),
    ("directory.shops.join.shop_account_requests_prune", "HOUSEKEEPING_SCHEDULE_TIME", "04:00",
     None),
    ("api.tokens.api_tokens_prune", "HOUSEKEEPING_SCHEDULE_TIME", "04:00", None),
]
SCHEDULE_NAMES = {
    "operations.tasks.backup_daily": "Daily backup",
    "operations.tasks.audit_prune_daily": "Audit log pruning",
    "directory.accounts.tasks.prune_link_requests": "Sign-up and e-mail change link pruning",
    "directory.shops.join.shop_account_requests_prune": "Shop registration link pruning",
    "api.tokens.api_tokens_prune": "Expired API token pruning",
}


def next_local_time(at: str, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """The next moment (aware) when the local clock (settings.TIME_ZONE) shows `at` ("HH:MM")."""
    from zoneinfo import ZoneInfo

    try:
        hour, minute = (int(part) for part in at.split(":"))
        wanted = datetime.time(hour, minute)
    except (ValueError, TypeError) as error:
        raise ValueError(f"a schedule time must look like 03:00, not {at!r}") from error
    zone = ZoneInfo(settings.TIME_ZONE)
    local_now = (now or timezone.now()).astimezone(zone)
    candidate = datetime.datetime.combine(local_now.date(), wanted, tzinfo=zone)
    if candidate <= local_now:
        candidate = datetime.datetime.combine(
            local_now.date() + datetime.timedelta(days=1), wanted, tzinfo=zone)
    return candidate


def schedules_ensure(*, using: str = "default") -> list[str]:
    """Create the operations app's daily django-q2 schedules when missing (idempotent:
    an existing schedule, perhaps retimed by an administrator, is left as it is). The
    backup schedule is removed when settings.BACKUP_SCHEDULE is false (a host where
    the systemd timer in deploy/systemd/ takes backups instead). Returns what was created."""
    from django.db import connections
    from django_q.models import Schedule

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return []  # django_q not migrated (yet) on this database
    created = []
    for func, time_setting, default_time, enabled_setting in SCHEDULES:
        schedules = Schedule.objects.using(using).filter(func=func)
        if enabled_setting and not getattr(settings, enabled_setting, True):
            schedules.delete()
            continue
        if schedules.exists():
            continue
        Schedule.objects.using(using).create(
            name=SCHEDULE_NAMES[func],
            func=func,
            schedule_type=Schedule.DAILY,
            repeats=-1,
            next_run=next_local_time(getattr(settings, time_setting, default_time)),
        )
        created.append(func)
    return created
