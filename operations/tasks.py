"""django-q2 tasks of the operations app, run daily by the schedules that
operations.services.schedules_ensure creates after every migrate."""

from operations.backup import backup_create
from operations.services import audit_prune


def backup_daily() -> str:
    """Take one backup generation and keep the newest BACKUP_KEEP. Raises on
    failure, so django-q2 records a failed task (portal_tasks_failed)."""
    result = backup_create()
    return result.generation.name


def audit_prune_daily() -> int:
    """Delete audit events older than AUDIT_RETENTION_DAYS; the number deleted."""
    return audit_prune()
