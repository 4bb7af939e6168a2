"""StreamField blocks for the editorial pages.

Every block renders semantic HTML that passes the accessibility sweep on its
own: headings carry a level the editor chooses (h2 or h3, never h1: the page
title is the only h1), images cannot be published without alt text, tables
need a caption and header cells, accordions are native <details>/<summary>,
videos carry a title and a link to captions or a transcript.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "link", "document-link", "ol", "ul", "hr"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading text"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading 2 (section)")), ("h3", _("Heading 3 (subsection)"))],
        default="h2",
        help_text=_("Use heading 2 for a section and heading 3 inside it; do not skip levels."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms_pages/blocks/heading.html"


class AccessibleImageBlock(blocks.StructBlock):
    """An image with required alternative text (WCAG 1.1.1) and an optional caption.

    Wagtail's own ImageBlock lets an editor tick "decorative" instead; content
    images on this site always say what they show, so the alt text is required
    (a draft may be saved without it, publishing refuses it).
    """

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it, "
                    "e.g. “A card with a pink heart held over a shop counter”."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    def clean(self, value):
        value = super().clean(value)
        alt_text = (value.get("alt_text") or "").strip()
        if value.get("image") and alt_text and not self.is_deferred_validation:
            lowered = alt_text.lower()
            if lowered.endswith((".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg")) or \
                    lowered in {"image", "photo", "画像", "写真"}:
                raise StructBlockValidationError(block_errors={"alt_text": ValidationError(
                    _("Describe the image in words; a file name or “image” is not alternative text."))})
        return value

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms_pages/blocks/image.html"


class AccessibleTableBlock(TableBlock):
    """Wagtail's table with a required caption and header cells (<caption>, <th scope>)."""

    def clean(self, value):
        value = super().clean(value)
        if value and not self.is_deferred_validation:
            errors = []
            if not (value.get("table_caption") or "").strip():
                errors.append(_("Enter a table caption that says what the table shows."))
            if value.get("table_header_choice") in ("", "neither", None):
                errors.append(_("Choose which cells are headers (the first row, the first column or both)."))
            if errors:
                raise ValidationError(errors)
        return value

    class Meta:
        icon = "table"
        label = _("Table")
        template = "cms_pages/blocks/table.html"


class AccordionItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Question or title"), max_length=200)
    content = blocks.RichTextBlock(label=_("Answer or content"), features=RICH_TEXT_FEATURES)


class AccordionBlock(blocks.StructBlock):
    items = blocks.ListBlock(AccordionItemBlock(), label=_("Items"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Accordion (FAQ)")
        template = "cms_pages/blocks/accordion.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    link_text = blocks.CharBlock(label=_("Button text"), max_length=60,
                                 help_text=_("Say where the button leads, e.g. “Find sponsor shops”."))
    page = blocks.PageChooserBlock(label=_("Page on this site"), required=False)
    url = blocks.URLBlock(label=_("Other address"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if not self.is_deferred_validation and bool(value.get("page")) == bool(value.get("url")):
            raise StructBlockValidationError(block_errors={"url": ValidationError(
                _("Choose a page on this site or enter an address, not both."))})
        return value

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "cms_pages/blocks/call_to_action.html"


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Video title"), max_length=120,
                             help_text=_("Names the video player for screen reader users."))
    video = EmbedBlock(label=_("Video address (YouTube etc.)"))
    captions_url = blocks.URLBlock(
        label=_("Captions or transcript address"), required=False,
        help_text=_("A page with the captions or a transcript (WCAG 1.2)."),
    )
    transcript = blocks.TextBlock(label=_("Transcript"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if not self.is_deferred_validation and not (
            value.get("captions_url") or (value.get("transcript") or "").strip()
        ):
            raise StructBlockValidationError(block_errors={"captions_url": ValidationError(
                _("Give a captions or transcript address, or type the transcript."))})
        return value

    class Meta:
        icon = "media"
        label = _("Video")
        template = "cms_pages/blocks/video.html"


class BodyStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=RICH_TEXT_FEATURES,
                                     template="cms_pages/blocks/paragraph.html")
    image = AccessibleImageBlock()
    table = AccessibleTableBlock()
    accordion = AccordionBlock()
    call_to_action = CallToActionBlock()
    video = VideoBlock()


class RelatedLinkBlock(blocks.StructBlock):
    """A link under an FAQ answer (the FAQ page and the assistant show it): a page
    of the site or an address, with the text people see."""

    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("Or an address"), required=False)
    text = blocks.CharBlock(label=_("Link text"), max_length=100, required=False,
                            help_text=_("Defaults to the page's title."))

    def clean(self, value):
        value = super().clean(value)
        if not self.is_deferred_validation:
            if not value.get("page") and not value.get("url"):
                raise StructBlockValidationError(block_errors={"url": ValidationError(
                    _("Choose a page or enter an address."))})
            if value.get("url") and not (value.get("text") or "").strip():
                raise StructBlockValidationError(block_errors={"text": ValidationError(
                    _("Enter the link text for an address."))})
        return value

    class Meta:
        icon = "link"
        label = _("Related link")
