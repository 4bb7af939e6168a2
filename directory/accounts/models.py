"""User with e-mail login (from the first migration, so it never has to move).

Members, shop owners and staff are all Users; what they may do comes from
groups (see directory/accounts/roles.py), not from extra user types.
"""

from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    # Municipal staff (自治体職員) see only the events and ふぁみなび of this municipality.
    municipality = models.ForeignKey(
        "masters.Municipality", on_delete=models.PROTECT, null=True, blank=True,
        related_name="staff", verbose_name=_("municipality (for municipal staff)"),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class SignupRequest(models.Model):
    """A provisional registration (仮登録): an e-mail address waiting for its link to be followed.

    Only a SHA-256 hash of the link's token is stored, so a copy of the database
    cannot be used to complete someone else's sign-up. A request is single use
    (`used_at`) and expires after settings.PORTAL["SIGNUP_LINK_HOURS"].
    """

    email = models.EmailField(_("e-mail address"), db_index=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up request")
        verbose_name_plural = _("sign-up requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.email

    @property
    def expires_at(self):
        from django.conf import settings

        return self.created_at + timedelta(hours=settings.PORTAL.get("SIGNUP_LINK_HOURS", 24))

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class EmailChangeRequest(models.Model):
    """A member's request to change their e-mail address, applied only when the
    link sent to the new address is followed. Stores a hash of the token only."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_change_requests",
                             verbose_name=_("user"))
    new_email = models.EmailField(_("new e-mail address"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail change request")
        verbose_name_plural = _("e-mail change requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.new_email

    @property
    def expires_at(self):
        from django.conf import settings

        return self.created_at + timedelta(
            hours=settings.PORTAL.get("EMAIL_CHANGE_LINK_HOURS", 24)
        )

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class Counter(models.Model):
    """A named number sequence (legacy `users_counter`): the row is locked with
    SELECT … FOR UPDATE while the next value is taken, so numbers are unique
    under concurrency (SQLite serialises writers by itself)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    value = models.PositiveBigIntegerField(_("last value issued"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self):
        return f"{self.name}={self.value}"
