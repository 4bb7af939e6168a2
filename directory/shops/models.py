"""Sponsor shops (協賛店) as a Wagtail snippet with drafts, revisions, locking
and workflow: the legacy `shop_temp*` tables become Wagtail's draft revisions
and workflow states, so the row in `shops_shop` is always the published
listing and an owner's edits wait in a revision until the secretariat approves.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    GroupApprovalTask,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    TaskState,
    WorkflowMixin,
)

from directory.text import normalise, typed
from directory.validators import (
    latitude_validators,
    longitude_validators,
    phone_validator,
    postcode_validator,
)

# Single-line text stored as typed text is normalised (Shop.clean, the legacy import).
TYPED_FIELDS = ("name", "name_kana", "address", "building")


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
        # Names and address as typed text is stored (directory.text.typed): ｶﾌｪ → カフェ,
        # the same in the back office, the bulk upload and the legacy import.
        for name in TYPED_FIELDS:
            setattr(self, name, typed(getattr(self, name)))
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

    def effective_benefits(self) -> list:
        """The benefits a member gets at this shop, as the public should show them.

        The shop's own benefits, then (for a branch) the benefits its chain head marks
        `applies_to_branches` for programmes the branch has no benefit of its own in.
        Only a published head contributes, with its published benefits; each of those
        carries `inherited_from` (the head) so a template can say where it comes from.
        Works on an unsaved preview copy too (its in-memory benefits are used).
        """
        own = sorted(self.benefits.all(), key=lambda benefit: benefit.sort_order or 0)
        head = self.parent if self.parent_id else None
        if head is None or not head.live or head.pk == self.pk:
            return own
        covered = {benefit.programme_id for benefit in own}
        inherited = [
            benefit for benefit in head.benefits.filter(applies_to_branches=True)
            .select_related("programme").order_by("sort_order", "pk")
            if benefit.programme_id not in covered
        ]
        for benefit in inherited:
            benefit.inherited_from = head
        return own + inherited

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
    applies_to_branches = models.BooleanField(
        _("applies to all branches"), default=False, db_default=False,
        help_text=_("On a chain head: every branch of the chain offers this benefit too "
                    "(a branch's own benefit for the same programme takes precedence)."),
    )

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


class ShopAccountRequest(models.Model):
    """A provisional shop-account registration (協賛店の仮登録): an e-mail address
    waiting for its link to be followed (directory/shops/join.py).

    Like the member sign-up (accounts.SignupRequest), only a SHA-256 hash of the
    link's token is kept; a request is single use and expires after
    settings.PORTAL["SIGNUP_LINK_HOURS"]. A separate table keeps a shop link from
    ever completing a member sign-up (and the other way round).
    """

    email = models.EmailField(_("e-mail address"), db_index=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shop account request")
        verbose_name_plural = _("shop account requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.email

    @property
    def expires_at(self):
        return self.created_at + timedelta(hours=settings.PORTAL.get("SIGNUP_LINK_HOURS", 24))

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class RequiredCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the applicant"), widget=forms.Textarea({"rows": 4}),
        help_text=_("Say what to change. The applicant sees this on their dashboard and "
                    "in an e-mail."),
        error_messages={"required": _("Enter a comment saying what to change.")},
    )


POSITION_MISSING = _(
    "This shop has no position on the map. Ask the applicant to set it (the pin on the map, "
    "or latitude and longitude) and send it back with a comment: a shop without a position "
    "never appears on the map or in the search near you.")


def lacks_position(task_state) -> bool:
    """Whether the shop version under review (the task state's revision) has no position."""
    if task_state is None:
        return False
    revision = task_state.revision
    shop = revision.as_object() if revision is not None else task_state.workflow_state.content_object
    return isinstance(shop, Shop) and (shop.latitude is None or shop.longitude is None)


class PositionMissingForm(forms.Form):
    """The approve dialogue of a shop without a position: never valid, it says why."""

    def clean(self):
        raise ValidationError(POSITION_MISSING, code="position_missing")


class ApprovalTask(GroupApprovalTask):
    """Wagtail's group approval, as the secretariat uses it for shops and events
    (workflows 協賛店承認 and イベント承認): "request changes" needs a comment,
    which the applicant sees on their dashboard and in the e-mail.

    Approving or rejecting locks the task state row first, so two reviewers acting
    at once are serialised: one wins, the other's action is refused (published once).
    """

    class Meta:
        verbose_name = _("approval by a group (comment required to request changes)")
        verbose_name_plural = _("approvals by a group (comment required to request changes)")

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        # A shop without a map position is never approved: the approve buttons open a
        # dialogue that says why instead (PositionMissingForm) and on_action refuses.
        self._position_missing = bool(actions) and lacks_position(
            getattr(obj, "current_workflow_task_state", None))
        if self._position_missing:
            return [(name, label, True if name == "approve" else modal)
                    for name, label, modal in actions]
        return actions

    def get_form_for_action(self, action):
        if action == "reject":
            return RequiredCommentForm
        if action == "approve" and getattr(self, "_position_missing", False):
            return PositionMissingForm
        return super().get_form_for_action(action)

    def get_template_for_action(self, action):
        if action == "approve" and getattr(self, "_position_missing", False):
            return "shops/admin/position_missing_modal.html"
        return super().get_template_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "reject" and not str(kwargs.get("comment") or "").strip():
            raise PermissionDenied("A comment is required to request changes.")
        if action_name == "approve" and lacks_position(task_state):
            raise PermissionDenied(str(POSITION_MISSING))
        if action_name in ("approve", "reject"):
            current = (TaskState.objects.select_for_update().filter(pk=task_state.pk)
                       .values_list("status", flat=True).first())
            if current != TaskState.STATUS_IN_PROGRESS:
                raise PermissionDenied("This task is no longer in progress.")
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve or request changes (with a comment)")


class CreationClaim(models.Model):
    """One back-office create form (its token, in the form's action URL) and the record
    it created (directory/admin.py, IdempotentCreateView). Wagtail's autosave and the
    submit button of the same form both post to the create URL; the unique token makes
    the second one continue on the record the first created instead of adding another."""

    token = models.UUIDField(unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE,
                                     related_name="+")
    object_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("create form claim")
        verbose_name_plural = _("create form claims")

    def __str__(self):
        return f"{self.token} → {self.object_id or '-'}"
