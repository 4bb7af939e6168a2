"""ふぁみなび: useful information for families (legacy `faminavi*`), as a
snippet with a workflow so municipal staff can submit articles."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
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


class ArticleQuerySet(models.QuerySet):
    def public(self):
        return self.filter(live=True)


class Article(
    TranslatableMixin, WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin,
    PreviewableMixin, ClusterableModel,
):
    legacy_id = models.PositiveIntegerField(_("legacy faminavi id"), unique=True, null=True,
                                            blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = RichTextField(_("body"))
    genres = ParentalManyToManyField("masters.Genre", blank=True, related_name="articles",
                                     verbose_name=_("genres"))
    areas = ParentalManyToManyField("masters.Area", blank=True, related_name="articles",
                                    verbose_name=_("areas"))
    # The municipality that owns the article; municipal staff edit only their own.
    municipality = models.ForeignKey("masters.Municipality", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="articles",
                                     verbose_name=_("municipality"))
    url = models.URLField(_("related website"), blank=True)
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("image"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, editable=False, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="article")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState", content_type_field="base_content_type",
        object_id_field="object_id", related_query_name="article", for_concrete_model=False,
    )

    objects = ArticleQuerySet.as_manager()

    # A translation (wagtail-localize) is a new row in another locale with the same
    # translation_key: the legacy id stays on the original, and the copy starts unlocked
    # with its own publishing history.
    exclude_fields_in_copy = COPY_EXCLUDED_FIELDS
    # The masters it is filed under follow the original (wagtail-localize leaves
    # many-to-many fields out unless told).
    override_translatable_fields = [SynchronizedField("genres"), SynchronizedField("areas")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("faminavi article")
        verbose_name_plural = _("faminavi articles")
        permissions = [("access_all_article", _("Can access every faminavi article"))]
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def revisions(self):
        return self._revisions

    def get_absolute_url(self):
        return reverse("faminavi:detail", args=[self.pk])

    def get_preview_template(self, request, mode_name):
        return "faminavi/article_detail.html"

    def get_preview_context(self, request, mode_name):
        return {"article": self, "is_preview": True}
