"""E-mails of staffauth, sent by django-q2 workers (plain values only, like
directory.accounts.tasks)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def send_enrolment_link(*, email: str, url: str, hours: int, language: str | None = None) -> int:
    """The one-time link to register an authenticator for the back office."""
    context = {"url": url, "hours": hours,
               "site_name": settings.PORTAL.get("SITE_NAME", ""),
               "secretariat_name": settings.PORTAL.get("SECRETARIAT_NAME", ""),
               "base_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("staffauth/email/enrolment_link_subject.txt", context)
        body = render_to_string("staffauth/email/enrolment_link.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL, to=[email]).send()
