"""Members (会員): families and couples using the public site and the PWA.

Members are not Wagtail users; their records are visible in the admin only to
roles that need personal data (the secretariat)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="member", verbose_name=_("user"))
    member_number = models.CharField(_("member number"), max_length=20, unique=True)
    legacy_id = models.PositiveIntegerField(_("legacy user id"), unique=True, null=True,
                                            blank=True, editable=False)
    family_name = models.CharField(_("family name"), max_length=50, blank=True)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=50, blank=True)
    municipality = models.ForeignKey("masters.Municipality", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="members",
                                     verbose_name=_("home municipality"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    marriage_date = models.DateField(_("marriage date"), null=True, blank=True)
    planned_marriage_date = models.DateField(_("planned marriage date"), null=True, blank=True)
    preferred_genres = models.ManyToManyField("masters.Genre", blank=True, related_name="+",
                                              verbose_name=_("preferred genres"))
    preferred_benefit_types = models.ManyToManyField(
        "masters.BenefitType", blank=True, related_name="+",
        verbose_name=_("preferred benefit types"),
    )
    notify_by_email = models.BooleanField(_("news by e-mail"), default=False)
    notify_by_push = models.BooleanField(_("news by push notification"), default=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.member_number

    @property
    def full_name(self):
        return f"{self.family_name} {self.given_name}".strip()


class Child(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="children",
                               verbose_name=_("member"))
    birth_date = models.DateField(_("birth date"))
    nickname = models.CharField(_("nickname"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["birth_date", "pk"]

    def __str__(self):
        return self.nickname or str(self.birth_date)


class Favourite(models.Model):
    """A member's favourite shop (legacy `users_favorite`)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="favourites")
    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "shop"], name="unique_favourite"),
        ]

    def __str__(self):
        return f"{self.member_id} → {self.shop_id}"
