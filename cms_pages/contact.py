"""The contact form's spam protection and its e-mails.

No CAPTCHA (an image or puzzle CAPTCHA shuts out some disabled visitors):
instead

* a honeypot field that people never meet: it sits in a ``hidden`` container,
  so it is neither shown, nor read out, nor reachable with the Tab key; bots
  filling every input fill it, and their submission is dropped quietly;
* a minimum fill time: the form carries a signed timestamp from when it was
  shown, and a submission sent faster than a person could type is refused
  with a message (the typed text is kept, so sending again works).

E-mails go through django-q2 (``async_task``) so the visitor never waits for
the mail server.
"""

import logging
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "portal_hp_homepage"
STARTED_FIELD = "portal_started"
PROTECTION_FIELDS = (HONEYPOT_FIELD, STARTED_FIELD)
_SALT = "cms_pages.contact.started"


def min_fill_seconds() -> float:
    return settings.PORTAL.get("CONTACT_MIN_FILL_SECONDS", 3)


def max_form_age_seconds() -> int:
    return settings.PORTAL.get("CONTACT_MAX_FORM_AGE_SECONDS", 24 * 60 * 60)


def started_token(at: float | None = None) -> str:
    """A signed record of when the form was shown."""
    return signing.dumps({"t": time.time() if at is None else at}, salt=_SALT)


class SpamProtectionMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[STARTED_FIELD].initial = started_token()

    def _renew_started(self):
        """Give the re-shown form a fresh timestamp so the next try can pass."""
        data = self.data.copy()
        data[STARTED_FIELD] = started_token()
        self.data = data

    def is_spam(self) -> bool:
        return bool((self.cleaned_data.get(HONEYPOT_FIELD) or "").strip())

    def clean(self):
        cleaned_data = super().clean()
        token = self.data.get(STARTED_FIELD, "")
        try:
            started = signing.loads(token, salt=_SALT, max_age=max_form_age_seconds())["t"]
        except signing.SignatureExpired as error:
            self._renew_started()
            raise ValidationError(
                _("This form was open for a long time. Please check your entry and send it again."),
                code="expired") from error
        except (signing.BadSignature, KeyError, TypeError) as error:
            self._renew_started()
            raise ValidationError(
                _("The form could not be checked. Please check your entry and send it again."),
                code="invalid") from error
        if time.time() - float(started) < min_fill_seconds():
            raise ValidationError(
                _("The form was sent too quickly. Please check your entry and send it again."),
                code="too_fast")
        return cleaned_data

    def visible_public_fields(self):
        """The fields people fill in (without the honeypot and the timestamp)."""
        return [field for field in self.visible_fields() if field.name != HONEYPOT_FIELD]


def spam_protected_form_class(form_class):
    return type(form_class.__name__, (SpamProtectionMixin, form_class), {
        HONEYPOT_FIELD: forms.CharField(
            label=_("Leave this field empty"), required=False, max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        ),
        STARTED_FIELD: forms.CharField(required=False, widget=forms.HiddenInput),
    })


def submission_data(form) -> dict:
    return {key: value for key, value in form.cleaned_data.items()
            if key not in PROTECTION_FIELDS}


def sender_email(page, form) -> str:
    """The value of the form's first e-mail field, if any."""
    for field in page.get_form_fields():
        if field.field_type == "email":
            return (form.cleaned_data.get(field.clean_name) or "").strip()
    return ""


def _from_address(page) -> str:
    return page.from_address or settings.DEFAULT_FROM_EMAIL


def notification_queue(page, form) -> None:
    """The submission, to the secretariat's addresses (``to_address``)."""
    addresses = [address.strip() for address in page.to_address.split(",") if address.strip()]
    if not addresses:
        return
    lines = []
    for field in page.get_form_fields():
        value = form.cleaned_data.get(field.clean_name, "")
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        lines.append(f"{field.label}: {value}")
    body = "\n".join(lines)
    reply_to = sender_email(page, form)
    async_task("cms_pages.tasks.email_send", page.subject or page.title, body, addresses,
               _from_address(page), [reply_to] if reply_to else [])


def confirmation_queue(page, form) -> None:
    """A confirmation to the sender. It does not repeat the message: anyone can
    type someone else's address, and the form must not relay text to them."""
    address = sender_email(page, form)
    if not address or not page.confirmation_subject:
        return
    received = date_format(timezone.localtime(), "DATETIME_FORMAT")
    body = "\n\n".join(part for part in [
        page.confirmation_text.strip(),
        str(_("Received: %(date)s")) % {"date": received},
        str(settings.PORTAL["SECRETARIAT_NAME"]),
    ] if part)
    async_task("cms_pages.tasks.email_send", page.confirmation_subject, body, [address],
               _from_address(page), [])
