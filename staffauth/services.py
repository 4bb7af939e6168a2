"""Who must use a second factor, checking codes, and the session stamps."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from staffauth import totp
from staffauth.models import StaffRecoveryCode, StaffTOTPDevice, recovery_code_hash

SESSION_VERIFIED = "staffauth_verified"
SESSION_LOGIN_AT = "staffauth_login_at"
SESSION_SEEN_AT = "staffauth_seen_at"
SESSION_IS_STAFF = "staffauth_is_staff"
SESSION_PENDING_SECRET = "staffauth_pending_secret"


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
def device_enrol(user, secret: str, code: str) -> list[str] | None:
    """Register the authenticator when ``code`` proves the app holds ``secret``.

    Returns the new recovery codes (shown once), or None when the code is wrong.
    """
    if attempts_blocked(user):
        return None
    step = totp.totp_match(secret, code)
    if step is None:
        _failure_record(user)
        return None
    StaffTOTPDevice.objects.filter(user=user).delete()
    device = StaffTOTPDevice.objects.create(user=user, secret=secret, last_step=step,
                                            last_used_at=timezone.now())
    _failures_clear(user)
    return device.recovery_codes_replace()


def device_reset(user) -> bool:
    """Remove the user's authenticator (lost phone); they enrol again at next sign-in."""
    deleted, _ = StaffTOTPDevice.objects.filter(user=user).delete()
    _failures_clear(user)
    return bool(deleted)


# --- session stamps ----------------------------------------------------------------------

def session_mark_verified(request) -> None:
    request.session[SESSION_VERIFIED] = request.user.pk
    request.session.pop(SESSION_PENDING_SECRET, None)
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
