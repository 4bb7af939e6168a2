"""Password set-up after the migration: accounts whose legacy hash was not in
Django's format (LegacyPasswordSetup) get a link to choose a new password, in
batches (`manage.py send_password_setup --batch N`), queued on django-q2 so a
slow mail server never holds up the command. The link is Django's password
reset link (single use, expires after PASSWORD_RESET_TIMEOUT): the member's
page for members, the back-office page for shop owners."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_q.tasks import async_task

from operations.models import LegacyPasswordSetup

TASK = "operations.legacy.passwords.send_password_setup_email"


def _link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    name = ("portal_admin_password_reset_confirm" if hasattr(user, "shop_owner")
            else "accounts:password_reset_confirm")
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + reverse(name, kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def password_setup_send_batch(*, batch: int) -> int:
    """Queue the set-up mail for the next `batch` accounts not yet mailed; returns how many."""
    setups = list(LegacyPasswordSetup.objects.select_for_update(skip_locked=True, of=("self",))
                  .filter(sent_at__isnull=True, user__is_active=True)
                  .select_related("user", "user__shop_owner")[:batch])
    now = timezone.now()
    for setup in setups:
        url = _link(setup.user)
        email = setup.user.email
        transaction.on_commit(lambda email=email, url=url: async_task(TASK, email=email, url=url))
        setup.sent_at = now
    LegacyPasswordSetup.objects.bulk_update(setups, ["sent_at"])
    return len(setups)


def password_setup_pending() -> int:
    return LegacyPasswordSetup.objects.filter(sent_at__isnull=True).count()


def send_password_setup_email(*, email: str, url: str, language: str | None = None) -> int:
    context = {"url": url, "site_name": settings.PORTAL.get("SITE_NAME", ""),
               "secretariat_name": settings.PORTAL.get("SECRETARIAT_NAME", "")}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("operations/email/password_setup_subject.txt", context)
        body = render_to_string("operations/email/password_setup.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL, to=[email]).send()
