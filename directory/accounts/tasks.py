"""E-mails of the member side, sent by django-q2 workers.

Views and services queue these with
``async_task("directory.accounts.tasks.send_signup_email", ...)``. Every task takes
plain values (addresses, absolute URLs, a language code), never model instances or
database ids, so a task never depends on a row that may not be committed yet, and
nothing personal beyond the address is pickled into the queue. Mails are plain
text, rendered here in the member's language (Japanese by default).
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

TASK_PREFIX = "directory.accounts.tasks."


def _send(template: str, *, to: str, context: dict, language: str | None) -> int:
    context = {
        "site_name": settings.PORTAL.get("SITE_NAME", ""),
        "secretariat_name": settings.PORTAL.get("SECRETARIAT_NAME", ""),
        "from_email": settings.DEFAULT_FROM_EMAIL,
        "base_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        **context,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}.txt", context)
    subject = " ".join(subject.split())  # a header must be one line
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=[to])
    return message.send()


def send_signup_email(*, email: str, url: str, hours: int, language: str | None = None) -> int:
    """The provisional-registration link (仮登録 → 本登録)."""
    return _send("signup", to=email, context={"url": url, "hours": hours}, language=language)


def send_already_registered_email(*, email: str, login_url: str, password_reset_url: str,
                                  language: str | None = None) -> int:
    """Sent instead of a sign-up link when the address already has an account, so the
    sign-up page never says whether an address is registered."""
    return _send("already_registered", to=email, context={
        "login_url": login_url, "password_reset_url": password_reset_url,
    }, language=language)


def send_password_reset_email(*, email: str, url: str, language: str | None = None) -> int:
    return _send("password_reset", to=email, context={"url": url}, language=language)


def send_email_change_email(*, email: str, url: str, hours: int,
                            language: str | None = None) -> int:
    """The confirmation link, sent to the new address."""
    return _send("email_change", to=email, context={"url": url, "hours": hours},
                 language=language)


def send_email_change_taken_email(*, email: str, login_url: str,
                                  language: str | None = None) -> int:
    """Sent to a new address that already has an account: no change is possible,
    and the member's screen does not say so (it would reveal the account)."""
    return _send("email_change_taken", to=email, context={"login_url": login_url},
                 language=language)


def send_email_changed_notice(*, email: str, new_email: str, language: str | None = None,
                              undo_url: str = "", undo_days: int = 0) -> int:
    """Tells the old address that the account's sign-in address was changed, with the
    link that undoes it."""
    return _send("email_changed_notice", to=email, context={
        "new_email": new_email, "undo_url": undo_url, "undo_days": undo_days,
    }, language=language)


def prune_link_requests(older_than_days: int = 30) -> int:
    """Housekeeping for a django-q2 schedule (e.g. daily):
    ``schedule("directory.accounts.tasks.prune_link_requests", schedule_type="D")``."""
    from directory.accounts.services import link_requests_prune

    return link_requests_prune(older_than_days=older_than_days)
