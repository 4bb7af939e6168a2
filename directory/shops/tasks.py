"""E-mails of the shop side, sent by django-q2 workers (queued with ``async_task``).

Like directory/accounts/tasks.py, every task takes plain values (addresses, names,
absolute URLs, the reviewer's comment), never model instances, so a task does not
depend on a row that may not be committed yet. Mails are plain text in Japanese
(the project's language) unless a language is given.

Retries: a task that raises (the SMTP server is down, say) is recorded by
django-q2 as failed and, not being acknowledged, is delivered again after
Q_CLUSTER["retry"] seconds, up to Q_CLUSTER["max_attempts"] attempts
(config/settings/base.py: every 15 minutes, 3 attempts). Failures stay in
django-q2's task table: the secretariat sees them in the admin under
Reports → "Failed background tasks" (directory/shops/wagtail_hooks.py).
So these functions never swallow a sending error.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def _context(extra: dict) -> dict:
    return {
        "site_name": settings.PORTAL.get("SITE_NAME", ""),
        "secretariat_name": settings.PORTAL.get("SECRETARIAT_NAME", ""),
        "base_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        **extra,
    }


def _send(template: str, *, to: list[str], context: dict, language: str | None = None) -> int:
    if not to:
        return 0
    context = _context(context)
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"shops/email/{template}_subject.txt", context)
        body = render_to_string(f"shops/email/{template}.txt", context)
    subject = " ".join(subject.split())  # a header must be one line
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=to)
    return message.send()


# --- shop accounts (directory/shops/join.py) ---------------------------------------------------


def send_join_email(*, email: str, url: str, hours: int, language: str | None = None) -> int:
    """The provisional-registration link of a shop account (協賛店の仮登録)."""
    return _send("join", to=[email], context={"url": url, "hours": hours}, language=language)


def send_join_already_registered_email(*, email: str, login_url: str, password_reset_url: str,
                                       language: str | None = None) -> int:
    return _send("join_already_registered", to=[email], context={
        "login_url": login_url, "password_reset_url": password_reset_url,
    }, language=language)


def send_join_welcome_email(*, email: str, login_url: str, language: str | None = None) -> int:
    return _send("join_welcome", to=[email], context={"login_url": login_url},
                 language=language)


# --- the approval workflows (directory/shops/workflow.py) ---------------------------------------


def send_submission_notice(*, to: list[str], kind: str, title: str, submitted_by: str,
                           change: str, review_url: str, language: str | None = None) -> int:
    """To the secretariat: a shop or event was submitted for approval.

    kind: "shop" or "event"; change: "new", "edit" or "resubmission".
    """
    return _send("submission", to=to, context={
        "kind": kind, "title": title, "submitted_by": submitted_by, "change": change,
        "review_url": review_url,
    }, language=language)


def send_submission_digest_mail(*, to: list[str], items: list[dict],
                                language: str | None = None) -> int:
    """To the secretariat: everything waiting for approval (the daily digest).
    items: dicts with kind, title, submitted_by, submitted_at (text), review_url."""
    return _send("submission_digest", to=to, context={"items": items}, language=language)


def send_decision_notice(*, to: list[str], kind: str, title: str, decision: str,
                         comment: str, edit_url: str, public_url: str = "",
                         language: str | None = None) -> int:
    """To the applicant: approved (published) or changes requested, with the comment.
    decision: "approved" or "rejected"."""
    return _send("decision", to=to, context={
        "kind": kind, "title": title, "decision": decision, "comment": comment,
        "edit_url": edit_url, "public_url": public_url,
    }, language=language)


def prune_shop_account_requests(older_than_days: int = 30) -> int:
    """Housekeeping (daily django-q2 schedule, migration 0007): forget old provisional
    shop-account registrations."""
    from directory.shops.join import shop_account_requests_prune

    return shop_account_requests_prune(older_than_days=older_than_days)


def send_submission_digest() -> int:
    """The django-q2 schedule (daily, migration 0007): when PORTAL["SUBMISSION_NOTICE"]
    is "daily", mail the secretariat the list of shops and events waiting for approval.
    Sends nothing in "immediate" mode or when nothing waits."""
    from directory.shops.workflow import submission_digest_send

    return submission_digest_send()
