"""Wagtail pages (replacing PowerCMS): the home page and editorial pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page


class HomePage(Page):
    """The portal's front page: entry points for members, shops and the secretariat."""

    hero_title = models.CharField(_("hero title"), max_length=120, blank=True)
    hero_text = RichTextField(_("hero text"), blank=True, features=["bold", "link"])

    content_panels = Page.content_panels + [FieldPanel("hero_title"), FieldPanel("hero_text")]
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from django.utils import timezone

        from directory.events.models import Event
        from directory.masters.models import Programme

        context = super().get_context(request, *args, **kwargs)
        context["programmes"] = Programme.objects.all()
        context["upcoming_events"] = (
            Event.objects.public()
            .filter(ends_on__gte=timezone.localdate())
            .select_related("municipality")
            .order_by("ends_on")[:3]
        )
        return context


class StandardPage(Page):
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("Heading"), form_classname="title")),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
            ("image", ImageBlock(label=_("Image"))),
        ],
        blank=True,
        verbose_name=_("body"),
    )

    content_panels = Page.content_panels + [FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")
