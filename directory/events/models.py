"""Events (イベント) as a snippet with a workflow: shops and municipal staff
submit them and the secretariat publishes them (legacy `event`)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)
from wagtail_localize.fields import SynchronizedField

from directory.i18n import COPY_EXCLUDED_FIELDS


class EventQuerySet(models.QuerySet):
    def public(self):
        return self.filter(live=True)


class Event(
    TranslatableMixin, WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin,
    PreviewableMixin, ClusterableModel,
):
    legacy_id = models.PositiveIntegerField(_("legacy event id"), unique=True, null=True,
                                            blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = RichTextField(_("details"), blank=True)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), db_index=True)
    time_note = models.CharField(_("time"), max_length=100, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    municipality = models.ForeignKey("masters.Municipality", on_delete=models.PROTECT,
                                     related_name="events", verbose_name=_("municipality"))
    genres = ParentalManyToManyField("masters.Genre", blank=True, related_name="events",
                                     verbose_name=_("genres"))
    shop = models.ForeignKey("shops.Shop", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="events", verbose_name=_("organising shop"))
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    url = models.URLField(_("website"), blank=True)
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("image"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, editable=False, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="event")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState", content_type_field="base_content_type",
        object_id_field="object_id", related_query_name="event", for_concrete_model=False,
    )

    objects = EventQuerySet.as_manager()

    # A translation (wagtail-localize) is a new row in another locale with the same
    # translation_key: the legacy id stays on the original, and the copy starts unlocked
    # with its own publishing history.
    exclude_fields_in_copy = COPY_EXCLUDED_FIELDS
    # The masters it is filed under follow the original (wagtail-localize leaves
    # many-to-many fields out unless told).
    override_translatable_fields = [SynchronizedField("genres")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")
        permissions = [("access_all_event", _("Can access every event"))]
        ordering = ["ends_on", "pk"]

    def __str__(self):
        return self.title

    @property
    def revisions(self):
        return self._revisions

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date must be on or after the start date.")})

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.pk])

    def get_preview_template(self, request, mode_name):
        return "events/event_detail.html"

    def get_preview_context(self, request, mode_name):
        return {"event": self, "is_preview": True}
