"""A staff member's TOTP authenticator and single-use recovery codes.

The TOTP secret must be readable to check codes, so it is stored as is; the
database and its backups are therefore secrets (as the password hashes are).
Recovery codes have 50 bits of entropy and are stored as SHA-256 hashes only.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def recovery_code_hash(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def recovery_code_generate() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


class StaffTOTPDevice(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="totp_device", verbose_name=_("user"))
    secret = models.CharField(_("secret"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # The last accepted time step: a code is never accepted twice.
    last_step = models.BigIntegerField(_("last time step"), null=True, blank=True,
                                       editable=False)

    class Meta:
        verbose_name = _("authenticator (TOTP)")
        verbose_name_plural = _("authenticators (TOTP)")

    def __str__(self):
        return str(self.user)

    def recovery_codes_replace(self) -> list[str]:
        """New recovery codes (returned once, in clear); the old ones stop working."""
        codes = [recovery_code_generate() for _ in range(RECOVERY_CODE_COUNT)]
        self.recovery_codes.all().delete()
        StaffRecoveryCode.objects.bulk_create(
            [StaffRecoveryCode(device=self, code_hash=recovery_code_hash(c)) for c in codes]
        )
        return codes


class StaffRecoveryCode(models.Model):
    device = models.ForeignKey(StaffTOTPDevice, on_delete=models.CASCADE,
                               related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, db_index=True, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return f"{self.device} ({'used' if self.used_at else 'unused'})"


class StaffEnrolmentLink(models.Model):
    """A one-time link to register an authenticator, e-mailed to the account's address by
    the secretariat (back office → 二段階認証の登録リンク) or `manage.py staff_2fa_link`.

    Registering needs the link AND the account's password: whoever learns only the
    password can never register their own authenticator. Only a SHA-256 of the link's
    token is stored (directory.accounts.tokens); a link works once, until expires_at
    (STAFF_TWO_FACTOR_LINK_HOURS, 72 h), and a newer link replaces it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="totp_enrolment_links", verbose_name=_("user"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("sent by"))

    class Meta:
        verbose_name = _("authenticator enrolment link")
        verbose_name_plural = _("authenticator enrolment links")
        ordering = ["-created_at", "-pk"]
        # "add" is the secretariat's right to send links (directory/accounts/roles.py).
        default_permissions = ("add",)

    def __str__(self):
        return str(self.user)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
