"""Sponsor shops (協賛店) as a Wagtail snippet with drafts, revisions, locking
and workflow: the legacy `shop_temp*` tables become Wagtail's draft revisions
and workflow states, so the row in `shops_shop` is always the published
listing and an owner's edits wait in a revision until the secretariat approves.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from directory.text import normalise
from directory.validators import (
    latitude_validators,
    longitude_validators,
    phone_validator,
    postcode_validator,
)


class ShopQuerySet(models.QuerySet):
    def public(self):
        """Shops the public may see: published (approved) ones."""
        return self.filter(live=True)


class Shop(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin,
    ClusterableModel,
):
    legacy_id = models.PositiveIntegerField(_("legacy SHOPID"), unique=True, null=True,
                                            blank=True, editable=False)
    name = models.CharField(_("shop name"), max_length=200)
    name_kana = models.CharField(_("shop name (kana)"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="branches",
        verbose_name=_("chain head"),
        help_text=_("For a branch of a chain, the chain's head shop."),
    )
    is_chain_head = models.BooleanField(_("chain head"), default=False)
    postcode = models.CharField(_("postcode"), max_length=8, validators=[postcode_validator])
    municipality = models.ForeignKey("masters.Municipality", on_delete=models.PROTECT,
                                     related_name="shops", verbose_name=_("municipality"))
    address = models.CharField(_("address"), max_length=255,
                               help_text=_("The rest of the address after the municipality."))
    building = models.CharField(_("building"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=latitude_validators)
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=longitude_validators)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    regular_holidays = models.CharField(_("regular holidays"), max_length=255, blank=True)
    url = models.URLField(_("website"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    genres = ParentalManyToManyField("masters.Genre", blank=True, related_name="shops",
                                     verbose_name=_("genres"))
    benefit_types = ParentalManyToManyField("masters.BenefitType", blank=True,
                                            related_name="shops", verbose_name=_("benefit types"))
    facilities = ParentalManyToManyField("masters.Facility", blank=True, related_name="shops",
                                         verbose_name=_("facilities"))
    nationwide_mutual_use = models.BooleanField(
        _("nationwide mutual use"), default=False,
        help_text=_("Accepts passports of every prefecture (全国共通展開)."),
    )
    # Normalised name, kana, address and benefit text (directory.text.normalise);
    # on PostgreSQL a pg_trgm GIN index serves substring search on it.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="shop")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState", content_type_field="base_content_type",
        object_id_field="object_id", related_query_name="shop", for_concrete_model=False,
    )

    objects = ShopQuerySet.as_manager()

    class Meta:
        verbose_name = _("sponsor shop")
        verbose_name_plural = _("sponsor shops")
        permissions = [("access_all_shop", _("Can access every sponsor shop"))]
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["live", "municipality"], name="shop_live_municipality"),
            models.Index(fields=["latitude", "longitude"], name="shop_lat_lng"),
        ]

    def __str__(self):
        return self.name

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_chain(self):
        """Legacy CHAINFLG: a chain head or one of its branches."""
        return self.is_chain_head or self.parent_id is not None

    @property
    def full_address(self):
        parts = [str(self.municipality), self.address, self.building]
        return " ".join(part for part in parts if part)

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Enter both latitude and longitude, or neither."))
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A shop cannot be its own chain head.")})
        if self.parent_id and self.is_chain_head:
            raise ValidationError({"parent": _("A chain head cannot belong to another chain.")})

    def build_search_text(self) -> str:
        benefit_text = " ".join(
            f"{benefit.title} {benefit.detail}" for benefit in self.benefits.all()
        )
        municipality_name = self.municipality.name if self.municipality_id else ""
        return normalise(" ".join([
            self.name, self.name_kana, municipality_name, self.address, self.building,
            benefit_text,
        ]))

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("shops:detail", args=[self.pk])

    def get_preview_template(self, request, mode_name):
        return "shops/shop_detail.html"

    def get_preview_context(self, request, mode_name):
        return {"shop": self, "is_preview": True}


class ShopBenefit(Orderable):
    """The benefit (特典) a shop offers in one programme (legacy TOKUTENTITLE/DETAIL)."""

    shop = ParentalKey(Shop, on_delete=models.CASCADE, related_name="benefits")
    programme = models.ForeignKey("masters.Programme", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("programme"))
    title = models.CharField(_("benefit title"), max_length=200)
    detail = models.TextField(_("benefit detail"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        constraints = [
            models.UniqueConstraint(fields=["shop", "programme"], name="one_benefit_per_programme"),
        ]

    def __str__(self):
        return f"{self.programme}: {self.title}"


class ShopImage(Orderable):
    shop = ParentalKey(Shop, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("image"))
    alt_text = models.CharField(
        _("alternative text"), max_length=255,
        help_text=_("Describe the image for people who cannot see it."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("shop image")
        verbose_name_plural = _("shop images")


class Owner(models.Model):
    """A shop account (legacy `owner`): the person who edits one or more shops."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="shop_owner", verbose_name=_("user"))
    legacy_id = models.PositiveIntegerField(_("legacy owner id"), unique=True, null=True,
                                            blank=True, editable=False)
    name = models.CharField(_("contact name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    shops = models.ManyToManyField(Shop, through="OwnerShop", related_name="owners",
                                   verbose_name=_("shops"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shop owner")
        verbose_name_plural = _("shop owners")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} <{self.user.email}>"


class OwnerShop(models.Model):
    """Which owner may edit which shop (legacy `owner_shop`)."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="owner_shops")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="owner_shops")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("owner's shop")
        verbose_name_plural = _("owners' shops")
        constraints = [
            models.UniqueConstraint(fields=["owner", "shop"], name="unique_owner_shop"),
        ]

    def __str__(self):
        return f"{self.owner_id} → {self.shop_id}"
