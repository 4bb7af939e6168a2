"""Who must use a second factor, checking codes, enrolment links, and the session stamps."""

import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from staffauth import totp
from staffauth.models import (
    StaffEnrolmentLink,
    StaffRecoveryCode,
    StaffTOTPDevice,
    recovery_code_hash,
)

SESSION_VERIFIED = "staffauth_verified"
SESSION_LOGIN_AT = "staffauth_login_at"
SESSION_SEEN_AT = "staffauth_seen_at"
SESSION_IS_STAFF = "staffauth_is_staff"
SESSION_PENDING_SECRET = "staffauth_pending_secret"
SESSION_ENROLMENT_LINK = "staffauth_enrolment_link"


def _setting(name, default):
    return getattr(settings, name, default)


def two_factor_groups() -> list[str]:
    from directory.accounts.roles import AUDITOR, MUNICIPAL_STAFF, SECRETARIAT

    return list(_setting("STAFF_TWO_FACTOR_GROUPS", [SECRETARIAT, MUNICIPAL_STAFF, AUDITOR]))


def two_factor_required(user) -> bool:
    """Superusers and the secretariat, municipal staff and auditor groups must use TOTP."""
    if not _setting("STAFF_TWO_FACTOR_REQUIRED", True):
        return False
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=two_factor_groups()).exists()


def is_back_office_user(user) -> bool:
    """Anyone who can open the Wagtail admin (staff idle timeout applies)."""
    return user.is_authenticated and (
        user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")
    )


def device_for(user) -> StaffTOTPDevice | None:
    return StaffTOTPDevice.objects.filter(user=user).first()


# --- failed attempts -------------------------------------------------------------------

def _failures_key(user) -> str:
    return f"staffauth:failures:{user.pk}"


def attempts_blocked(user) -> bool:
    return cache.get(_failures_key(user), 0) >= _setting("STAFF_TWO_FACTOR_MAX_ATTEMPTS", 5)


def _failure_record(user) -> None:
    key = _failures_key(user)
    window = _setting("STAFF_TWO_FACTOR_LOCKOUT_SECONDS", 900)
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)


def _failures_clear(user) -> None:
    cache.delete(_failures_key(user))


# --- checking a code ---------------------------------------------------------------------

@transaction.atomic
def code_verify(user, code: str) -> str | None:
    """"totp" or "recovery" when ``code`` is a valid TOTP or unused recovery code, else None."""
    if attempts_blocked(user):
        return None
    device = StaffTOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return None
    step = totp.totp_match(device.secret, code, after_step=device.last_step)
    if step is not None:
        device.last_step = step
        device.last_used_at = timezone.now()
        device.save(update_fields=["last_step", "last_used_at"])
        _failures_clear(user)
        return "totp"
    recovery = (StaffRecoveryCode.objects.select_for_update()
                .filter(device=device, code_hash=recovery_code_hash(code), used_at__isnull=True)
                .first())
    if recovery is not None:
        recovery.used_at = timezone.now()
        recovery.save(update_fields=["used_at"])
        _failures_clear(user)
        return "recovery"
    _failure_record(user)
    return None


@transaction.atomic
def device_enrol(user, secret: str, code: str, *,
                 link: StaffEnrolmentLink | None = None) -> list[str] | None:
    """Register the authenticator when ``code`` proves the app holds ``secret``; the
    enrolment ``link`` it was reached through is used up.

    Returns the new recovery codes (shown once), or None when the code is wrong.
    """
    from operations.models import AuditEvent
    from operations.services import audit_record

    if attempts_blocked(user):
        return None
    if link is not None and enrolment_link_state(link, user) != "valid":
        return None
    step = totp.totp_match(secret, code)
    if step is None:
        _failure_record(user)
        return None
    StaffTOTPDevice.objects.filter(user=user).delete()
    device = StaffTOTPDevice.objects.create(user=user, secret=secret, last_step=step,
                                            last_used_at=timezone.now())
    if link is not None:
        StaffEnrolmentLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    _failures_clear(user)
    audit_record(action=AuditEvent.Action.TWO_FACTOR_ENROL, user=user,
                 object_type="accounts.user", object_id=user.pk,
                 detail={"through": "link" if link is not None else "verified session"})
    return device.recovery_codes_replace()


# --- enrolment links (the only way to register a first authenticator) ---------------------

def enrolment_link_hours() -> int:
    return int(_setting("STAFF_TWO_FACTOR_LINK_HOURS", 72))


@transaction.atomic
def enrolment_link_send(user, *, by=None, language: str | None = None) -> str:
    """A new one-time enrolment link for ``user``, mailed to the account's address (and
    returned, for `manage.py staff_2fa_link` and the demo seed). Earlier unused links of
    the account stop working. Audited."""
    from django.urls import reverse
    from django_q.tasks import async_task

    from directory.accounts.tokens import token_generate
    from operations.models import AuditEvent
    from operations.services import audit_record

    now = timezone.now()
    StaffEnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    raw, hashed = token_generate()
    link = StaffEnrolmentLink.objects.create(
        user=user, token_hash=hashed, created_at=now,
        expires_at=now + datetime.timedelta(hours=enrolment_link_hours()),
        created_by=by if by is not None and by.pk else None)
    url = (settings.WAGTAILADMIN_BASE_URL.rstrip("/")
           + reverse("staffauth:link", kwargs={"token": raw}))
    audit_record(action=AuditEvent.Action.TWO_FACTOR_LINK, user=by,
                 object_type="accounts.user", object_id=user.pk,
                 detail={"link_id": link.pk, "expires_at": link.expires_at,
                         "to": user.email})
    async_task("staffauth.tasks.send_enrolment_link", email=user.email, url=url,
               hours=enrolment_link_hours(), language=language)
    return url


def enrolment_link_by_token(raw: str) -> StaffEnrolmentLink | None:
    from directory.accounts.tokens import token_hash, token_is_plausible

    if not token_is_plausible(raw):
        return None
    return StaffEnrolmentLink.objects.filter(token_hash=token_hash(raw)).first()


def enrolment_link_state(link: StaffEnrolmentLink | None, user) -> str:
    """valid, invalid (unknown, or another account's), used or expired."""
    if link is None or link.user_id != user.pk:
        return "invalid"
    link.refresh_from_db(fields=["used_at"])
    if link.used_at is not None:
        return "used"
    if link.is_expired:
        return "expired"
    return "valid"


def enrolment_link_of_session(request) -> StaffEnrolmentLink | None:
    """The link this session was opened with, while it can still be used."""
    pk = request.session.get(SESSION_ENROLMENT_LINK)
    link = StaffEnrolmentLink.objects.filter(pk=pk).first() if pk else None
    if link is None or enrolment_link_state(link, request.user) != "valid":
        return None
    return link


def device_reset(user) -> bool:
    """Remove the user's authenticator (lost phone); they enrol again through a new
    enrolment link (enrolment_link_send)."""
    deleted, _ = StaffTOTPDevice.objects.filter(user=user).delete()
    _failures_clear(user)
    return bool(deleted)


# --- session stamps ----------------------------------------------------------------------

def session_mark_verified(request) -> None:
    request.session[SESSION_VERIFIED] = request.user.pk
    request.session.pop(SESSION_PENDING_SECRET, None)
    request.session.pop(SESSION_ENROLMENT_LINK, None)
    # A new key after the second factor too, as after the password.
    request.session.cycle_key()


def session_is_verified(request) -> bool:
    return request.session.get(SESSION_VERIFIED) == request.user.pk


def session_stamp_login(request, user) -> None:
    now = int(time.time())
    request.session.pop(SESSION_VERIFIED, None)
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_SEEN_AT] = now
    request.session[SESSION_IS_STAFF] = is_back_office_user(user)
