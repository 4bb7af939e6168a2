"""django-q2 tasks of the CMS: e-mail sending and the scheduled-publishing run."""

from django.core.mail import EmailMessage
from django.core.management import call_command


def email_send(subject: str, body: str, to: list[str], from_email: str,
               reply_to: list[str] | None = None) -> int:
    message = EmailMessage(subject=subject, body=body, from_email=from_email, to=to,
                           reply_to=reply_to or None)
    return message.send()


def publish_scheduled() -> None:
    """Run Wagtail's `publish_scheduled` (go-live and expiry of pages and snippets).

    Scheduled every minute by the django-q2 Schedule that cms_pages' migration
    0004 creates.
    """
    call_command("publish_scheduled")
