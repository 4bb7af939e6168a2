"""Bearer tokens for the app and outside clients (api.ApiToken).

(Wagtail 8 has its own `wagtailcore.APIToken` for its content API; it has no
expiry or device label, so the portal keeps this model for /api/v1/.)

Only a SHA-256 hash of a token is stored: the raw token is shown once, when it
is issued, so a copy of the database cannot be used to call the API as anyone.
A token expires (settings.API_TOKEN_LIFETIME_DAYS, default 30 days) and can be
revoked by its owner; a revoked or expired row stays for the member's list
until it is pruned.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self, *, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="portal_api_tokens",
                             verbose_name=_("user"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    # The first characters of the raw token, so a member can tell their tokens apart.
    prefix = models.CharField(_("token prefix"), max_length=12, editable=False)
    name = models.CharField(_("device or client name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.prefix}… ({self.name or self.user_id})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired
