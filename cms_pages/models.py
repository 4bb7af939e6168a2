"""Wagtail pages (replacing PowerCMS) and the portal's site settings.

Page types: the home page, standard pages, the news index and news pages
(お知らせ), the FAQ page, programme pages (まいど子でもカード, 縁ジョイパス)
and the contact form. Every page is edited under the "事務局承認" moderation
workflow (cms_pages/migrations/0004): editors submit, the secretariat approves.
"""

import datetime
import logging
from collections import OrderedDict

from django import forms
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.models.workflows import AbstractGroupApprovalTask

from cms_pages.blocks import RICH_TEXT_FEATURES, BodyStreamBlock, RelatedLinkBlock
from cms_pages.forms import ContactFormBuilder, PortalFormPageAdminForm, PortalPageAdminForm
from directory.validators import phone_validator

logger = logging.getLogger(__name__)

SCHEDULE_ERROR = _("Go live date/time must be before expiry date/time")


class PortalPageMixin:
    """Shared by every page type: scheduled publishing must make sense.

    Wagtail's admin form refuses an expiry *before* the go-live time; an equal
    one would publish and unpublish at the same instant, so it is refused here
    too, in the model, which also covers pages saved from code.
    """

    base_form_class = PortalPageAdminForm

    def clean(self):
        super().clean()
        if self.go_live_at and self.expire_at and self.expire_at <= self.go_live_at:
            raise ValidationError({"expire_at": SCHEDULE_ERROR})


# --- Home -----------------------------------------------------------------------------


class HomePage(PortalPageMixin, Page):
    """The portal's front page: entry points for members, shops and the secretariat."""

    hero_title = models.CharField(_("hero title"), max_length=120, blank=True)
    hero_text = RichTextField(_("hero text"), blank=True, features=["bold", "link"])

    content_panels = Page.content_panels + [
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        InlinePanel("featured_shops", label=_("Featured sponsor shops"), max_num=6,
                    help_text=_("Only published shops are shown.")),
        InlinePanel("featured_events", label=_("Featured events"), max_num=6,
                    help_text=_("Only published events that have not ended are shown. "
                                "Without any, the next upcoming events are shown.")),
    ]
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms_pages.StandardPage", "cms_pages.NewsIndexPage", "cms_pages.FaqPage",
        "cms_pages.ProgrammePage", "cms_pages.ContactPage",
    ]

    class Meta:
        verbose_name = _("home page")

    @staticmethod
    def _chosen(items, field):
        """The chosen objects, skipping any deleted since (a draft revision may name one)."""
        chosen = []
        for item in items:
            try:
                obj = getattr(item, field)
            except ObjectDoesNotExist:
                continue
            if obj is not None:
                chosen.append(obj)
        return chosen

    def live_featured_shops(self):
        """The chosen shops that are published, in the editor's order."""
        items = self.featured_shops.all().select_related("shop__municipality")
        return [shop for shop in self._chosen(items, "shop") if shop.live]

    def live_featured_events(self, today):
        """The chosen events that are published and not over, in the editor's order, each
        in the active language where translated (directory.i18n)."""
        from directory.events.selectors import event_localized

        chosen = self._chosen(self.featured_events.all().select_related("event"), "event")
        return event_localized(chosen, today=today) if chosen else []

    def get_context(self, request, *args, **kwargs):
        from directory.events.selectors import event_upcoming
        from directory.masters.models import Programme

        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        # Pages behind a view restriction stay off the home page (one query for all lists).
        private = Page.objects.all().private_q()
        programme_pages = {
            page.programme_id: page
            for page in ProgrammePage.objects.live().descendant_of(self).exclude(private)
        }
        programmes = list(Programme.objects.all())
        for programme in programmes:
            programme.page = programme_pages.get(programme.code)
        context["programmes"] = programmes
        context["latest_news"] = list(
            NewsPage.objects.live().descendant_of(self).exclude(private)
            .order_by("-date", "-first_published_at")[:3]
        )
        context["news_index"] = (
            NewsIndexPage.objects.live().descendant_of(self).exclude(private)
            .order_by("path").first()
        )
        context["featured_shops"] = self.live_featured_shops()
        featured_events = self.live_featured_events(today)
        context["events_are_featured"] = bool(featured_events)
        context["upcoming_events"] = featured_events or event_upcoming(limit=3, today=today)
        return context


class HomePageFeaturedShop(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_shops")
    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("sponsor shop"))

    panels = [FieldPanel("shop")]

    class Meta(Orderable.Meta):
        verbose_name = _("featured sponsor shop")
        verbose_name_plural = _("featured sponsor shops")


class HomePageFeaturedEvent(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_events")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("event"))

    panels = [FieldPanel("event")]

    class Meta(Orderable.Meta):
        verbose_name = _("featured event")
        verbose_name_plural = _("featured events")


# --- Standard page --------------------------------------------------------------------


class StandardPage(PortalPageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["cms_pages.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


# --- News -----------------------------------------------------------------------------


class NewsCategory(models.TextChoices):
    NOTICE = "notice", _("Notice")
    CAMPAIGN = "campaign", _("Campaign")
    EVENT = "event", _("Event")
    SHOPS = "shops", _("Sponsor shop news")
    SYSTEM = "system", _("System and maintenance")


class NewsIndexPage(PortalPageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms_pages.HomePage"]
    subpage_types = ["cms_pages.NewsPage"]
    max_count_per_parent = 1
    per_page = 10

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().public().child_of(self).order_by(
            "-date", "-first_published_at")
        category = request.GET.get("category", "")
        if category in NewsCategory.values:
            news = news.filter(category=category)
        else:
            category = ""
        paginator = Paginator(news, self.per_page)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
        context.update(
            page_obj=page_obj,
            news_list=page_obj.object_list,
            categories=NewsCategory.choices,
            current_category=category,
            page_range=paginator.get_elided_page_range(page_obj.number),
        )
        return context


class NewsPage(PortalPageMixin, Page):
    date = models.DateField(_("date"), default=datetime.date.today, db_index=True)
    category = models.CharField(_("category"), max_length=20, choices=NewsCategory.choices,
                                default=NewsCategory.NOTICE)
    intro = models.TextField(_("summary"), max_length=300, blank=True,
                             help_text=_("Shown in lists and when the page is shared."))
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))
    send_push = models.BooleanField(
        _("send a push notification when published"), default=False,
        help_text=_("Records that members who allowed notifications should be told about "
                    "this news when it is published."),
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("category")]),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("send_push"),
    ]
    parent_page_types = ["cms_pages.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news page")
        verbose_name_plural = _("news pages")


# --- FAQ ------------------------------------------------------------------------------


class FaqPage(PortalPageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "link"])

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("faq_items", label=_("Questions"),
                    help_text=_("Questions with the same category are shown together, "
                                "in the order of the first question of each category.")),
    ]
    parent_page_types = ["cms_pages.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("FAQ page")

    def grouped_items(self):
        groups: OrderedDict[str, list] = OrderedDict()
        for item in self.faq_items.all():
            groups.setdefault(item.category.strip() or str(_("Other")), []).append(item)
        return [
            {"category": category, "items": items, "anchor": f"faq-category-{index}"}
            for index, (category, items) in enumerate(groups.items(), start=1)
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["faq_groups"] = self.grouped_items()
        return context


class FaqItem(TranslatableMixin, Orderable):
    """A question of an FAQ page. Translatable, so that wagtail-localize translates the
    questions with their page (it only translates inline children that are), each
    translated item keeping the original's translation_key in the page's locale."""

    page = ParentalKey(FaqPage, on_delete=models.CASCADE, related_name="faq_items")
    category = models.CharField(_("category"), max_length=50)
    question = models.CharField(_("question"), max_length=255)
    answer = RichTextField(_("answer"), features=RICH_TEXT_FEATURES)
    # Used by the assistant (cms_pages/assistant): other ways people ask the same thing.
    alternative_questions = models.TextField(
        _("alternative phrasings"), blank=True,
        help_text=_("Other ways people ask this question, one per line. The assistant "
                    "matches them too; they are not shown on the FAQ page."),
    )
    related_links = StreamField([("link", RelatedLinkBlock())], blank=True,
                                verbose_name=_("related links"))

    panels = [FieldPanel("category"), FieldPanel("question"), FieldPanel("answer"),
              FieldPanel("alternative_questions"), FieldPanel("related_links")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.question

    def alternatives(self) -> list[str]:
        return [line.strip() for line in self.alternative_questions.splitlines() if line.strip()]

    def links(self) -> list[dict]:
        """The related links as {"text", "url"} (unpublished pages are left out)."""
        found = []
        for block in self.related_links or []:
            value = block.value
            page = value.get("page")
            if page is not None:
                page = page.specific
                if not page.live:
                    continue
                found.append({"text": value.get("text") or page.title, "url": page.url})
            elif value.get("url"):
                found.append({"text": value.get("text") or value["url"], "url": value["url"]})
        return found


# --- Programme pages ------------------------------------------------------------------


class ProgrammePage(PortalPageMixin, Page):
    """About one programme (まいど子でもカード, 縁ジョイパス): its description from
    masters.Programme and who may use it, from the programme's eligibility rules.

    The link uses the programme's code and no database constraint, so the demo
    tree created by a migration can name a programme that `load_masters`
    creates later.
    """

    programme = models.ForeignKey(
        "masters.Programme", to_field="code", db_constraint=False, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("programme"),
    )
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        # A plain select: the snippet chooser Wagtail would use looks programmes up by pk.
        FieldPanel("programme", widget=forms.Select),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms_pages.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("programme page")

    def get_programme(self):
        try:
            return self.programme
        except ObjectDoesNotExist:
            return None

    def get_context(self, request, *args, **kwargs):
        from cms_pages.programmes import eligibility_descriptions

        context = super().get_context(request, *args, **kwargs)
        programme = self.get_programme()
        context["programme"] = programme
        context["eligibility"] = eligibility_descriptions(programme) if programme else []
        return context


# --- Contact --------------------------------------------------------------------------


class ContactFormField(AbstractFormField):
    page = ParentalKey("cms_pages.ContactPage", on_delete=models.CASCADE,
                       related_name="form_fields")


class ContactPage(PortalPageMixin, AbstractEmailForm):
    """The contact form: submissions are stored (Forms in the admin) and e-mailed
    to the secretariat; the sender gets a confirmation e-mail. Both e-mails go
    through django-q2, so a slow mail server never holds up the visitor."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "link"])
    thank_you_text = RichTextField(_("thank-you text"), blank=True, features=["bold", "link"])
    confirmation_subject = models.CharField(
        _("confirmation e-mail subject"), max_length=255, blank=True,
        help_text=_("E-mailed to the sender's address. Leave empty to send no confirmation."),
    )
    confirmation_text = models.TextField(
        _("confirmation e-mail text"), blank=True,
        help_text=_("The message is not repeated in the e-mail, so the form cannot be "
                    "used to send spam to someone else's address."),
    )

    base_form_class = PortalFormPageAdminForm
    form_builder = ContactFormBuilder

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [FieldPanel("to_address"), FieldPanel("from_address"), FieldPanel("subject")],
            heading=_("E-mail to the secretariat"),
        ),
        MultiFieldPanel(
            [FieldPanel("confirmation_subject"), FieldPanel("confirmation_text")],
            heading=_("Confirmation e-mail to the sender"),
        ),
    ]
    parent_page_types = ["cms_pages.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("contact page")

    def get_form_class(self):
        from cms_pages.contact import spam_protected_form_class

        return spam_protected_form_class(super().get_form_class())

    def process_form_submission(self, form):
        from cms_pages import contact

        if form.is_spam():
            logger.info("contact form %s: honeypot filled, submission dropped", self.pk)
            return None
        submission = self.get_submission_class().objects.create(
            form_data=contact.submission_data(form), page=self,
        )
        if self.to_address:
            self.send_mail(form)
        contact.confirmation_queue(self, form)
        return submission

    def send_mail(self, form):
        from cms_pages import contact

        contact.notification_queue(self, form)


# --- Site settings --------------------------------------------------------------------

ga4_validator = RegexValidator(
    r"^G-[A-Z0-9]{4,12}$", _("Enter a GA4 measurement ID such as G-ABC123XYZ9."))
gtm_validator = RegexValidator(
    r"^GTM-[A-Z0-9]{4,10}$", _("Enter a Google Tag Manager container ID such as GTM-AB12CD3."))
instagram_validator = RegexValidator(
    r"^[A-Za-z0-9._]{1,30}$", _("Enter the account name without @ (letters, digits, . and _)."))
x_validator = RegexValidator(
    r"^[A-Za-z0-9_]{1,15}$", _("Enter the account name without @ (letters, digits and _)."))


@register_setting(icon="cog")
class PortalSettings(BaseSiteSetting):
    """What the secretariat changes without a deployment: the name, how to reach
    the secretariat, social accounts, analytics IDs and the maintenance notice."""

    site_name = models.CharField(
        _("site name"), max_length=100, blank=True,
        help_text=_("Leave empty to use the name from the server settings."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=100, blank=True,
                             help_text=_("For example: weekdays 9:00 to 17:30."))
    instagram_account = models.CharField(
        _("Instagram account"), max_length=30, blank=True, default="maidokodemo_card",
        validators=[instagram_validator],
    )
    x_account = models.CharField(_("X (Twitter) account"), max_length=15, blank=True,
                                 validators=[x_validator])
    facebook_url = models.URLField(_("Facebook page"), blank=True)
    line_url = models.URLField(_("LINE official account"), blank=True)
    ga4_measurement_id = models.CharField(
        _("GA4 measurement ID"), max_length=20, blank=True, validators=[ga4_validator],
        help_text=_("Loaded only for visitors who agreed to analytics."),
    )
    gtm_container_id = models.CharField(
        _("Google Tag Manager container ID"), max_length=20, blank=True,
        validators=[gtm_validator],
        help_text=_("Loaded only for visitors who agreed to analytics."),
    )
    maintenance_enabled = models.BooleanField(_("show the maintenance notice"), default=False)
    maintenance_message = models.TextField(
        _("maintenance notice"), blank=True, max_length=500,
        help_text=_("Shown at the top of every page while switched on."),
    )
    # Pages the header and footer link to (a missing or unpublished page has no link).
    child_programme_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("child-raising programme page"))
    marriage_programme_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("marriage programme page"))
    news_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("news page"))
    faq_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("FAQ page"))
    contact_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("contact page"))
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("accessibility statement"))
    privacy_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("privacy policy"))
    terms_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("terms of use (members)"))
    shop_terms_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("sponsor shop terms"))

    # Template key -> field, in the footer's order.
    LINKED_PAGES = {
        "maido": "child_programme_page",
        "enjoy": "marriage_programme_page",
        "news": "news_page",
        "faq": "faq_page",
        "contact": "contact_page",
        "accessibility": "accessibility_page",
        "privacy": "privacy_page",
        "terms": "terms_page",
        "shop_terms": "shop_terms_page",
    }

    panels = [
        FieldPanel("site_name"),
        MultiFieldPanel([FieldPanel("phone"), FieldPanel("email"), FieldPanel("hours")],
                        heading=_("Contact details")),
        MultiFieldPanel([FieldPanel("instagram_account"), FieldPanel("x_account"),
                         FieldPanel("facebook_url"), FieldPanel("line_url")],
                        heading=_("Social media")),
        MultiFieldPanel([FieldPanel("ga4_measurement_id"), FieldPanel("gtm_container_id")],
                        heading=_("Analytics")),
        MultiFieldPanel([FieldPanel("maintenance_enabled"), FieldPanel("maintenance_message")],
                        heading=_("Maintenance notice")),
        MultiFieldPanel([FieldPanel(name) for name in LINKED_PAGES.values()],
                        heading=_("Pages linked from every page")),
    ]

    class Meta:
        verbose_name = _("portal settings")

    def clean(self):
        super().clean()
        if self.maintenance_enabled and not self.maintenance_message.strip():
            raise ValidationError({"maintenance_message": _(
                "Enter the notice to show, or switch the notice off.")})

    @property
    def display_site_name(self):
        return self.site_name or settings.PORTAL["SITE_NAME"]

    @property
    def instagram_url(self):
        return f"https://www.instagram.com/{self.instagram_account}/" if self.instagram_account else ""

    @property
    def x_url(self):
        return f"https://x.com/{self.x_account}" if self.x_account else ""

    @property
    def social_links(self):
        links = [
            ("Instagram", self.instagram_url),
            ("X", self.x_url),
            ("Facebook", self.facebook_url),
            ("LINE", self.line_url),
        ]
        return [(name, url) for name, url in links if url]

    def linked_pages(self) -> dict[str, dict]:
        """{key: {"url", "title"}} of the linked pages that are live (no query when
        the pages and the site's root were fetched with select_related)."""
        if not self.site_id:
            return {}
        root = self.site.root_page
        links = {}
        for key, field in self.LINKED_PAGES.items():
            page = getattr(self, field)
            if page is not None and page.live and page.url_path.startswith(root.url_path):
                links[key] = {"url": "/" + page.url_path[len(root.url_path):],
                              "title": page.title}
        return links

    @property
    def analytics_configured(self):
        return bool(self.ga4_measurement_id or self.gtm_container_id)


class FourEyesApprovalTask(AbstractGroupApprovalTask):
    """Wagtail's group approval, except that whoever submitted the version under review
    (started the workflow or saved the submitted revision) cannot approve it: another
    member of the group must (the 事務局承認 workflow of news and other pages). On by
    default; PORTAL["FOUR_EYES_APPROVAL"] = False turns the rule off."""

    class Meta:
        verbose_name = _("approval by a group (not by the submitter)")
        verbose_name_plural = _("approvals by a group (not by the submitter)")

    @staticmethod
    def rule_applies() -> bool:
        return bool(settings.PORTAL.get("FOUR_EYES_APPROVAL", True))

    @staticmethod
    def submitted_by(task_state, user) -> bool:
        if task_state is None or user is None or not user.is_authenticated:
            return False
        workflow_state = task_state.workflow_state
        revision = task_state.revision
        return user.pk in {workflow_state.requested_by_id, revision.user_id if revision else None}

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if self.rule_applies() and self.submitted_by(obj.current_workflow_task_state, user):
            return [action for action in actions if action[0] != "approve"]
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve" and self.rule_applies() and self.submitted_by(task_state, user):
            raise PermissionDenied(FOUR_EYES_REFUSAL)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if self.rule_applies():
            states = states.exclude(workflow_state__requested_by=user).exclude(revision__user=user)
        return states

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve, but never the person who submitted it")


FOUR_EYES_REFUSAL = _("You submitted this version, so another member of the secretariat must "
                      "approve it.")
