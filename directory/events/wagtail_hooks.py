"""Back office for events and ふぁみなび: the secretariat sees all; municipal
staff only their municipality's; shop owners only their shops' events."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from directory.access import ScopedPermissionPolicy, articles_for_user, events_for_user
from directory.admin import ScopedSnippetViewSet
from directory.events.dashboard import MunicipalListingsPanel, is_municipal_staff_only
from directory.events.models import Event
from directory.faminavi.admin_forms import ArticleAdminForm
from directory.faminavi.models import Article
from directory.shops.admin_forms import EventAdminForm

register_permission_policy(Event, ScopedPermissionPolicy(Event, events_for_user))
register_permission_policy(Article, ScopedPermissionPolicy(Article, articles_for_user))


class EventViewSet(ScopedSnippetViewSet):
    model = Event
    scope = events_for_user
    icon = "date"
    menu_label = _("Events")
    list_display = [
        "title",
        Column("starts_on", label=_("start date")),
        Column("ends_on", label=_("end date")),
        Column("municipality", label=_("municipality")),
        UpdatedAtColumn(),
    ]
    list_filter = ["municipality"]
    search_fields = ["title", "venue", "organiser"]
    list_export = ["id", "title", "starts_on", "ends_on", "venue", "municipality", "organiser",
                   "url", "live"]
    export_filename = "events"
    # EventAdminForm: a shop owner's event belongs to one of their shops.
    edit_handler = ObjectList(base_form_class=EventAdminForm, children=[
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("time_note"),
        FieldPanel("venue"),
        # A plain select: shop owners and municipal staff cannot open the masters' chooser.
        FieldPanel("municipality", widget=forms.Select),
        FieldPanel("genres", widget=forms.CheckboxSelectMultiple),
        FieldPanel("shop"),
        FieldPanel("organiser"),
        FieldPanel("url"),
        FieldPanel("image"),
    ])

    def get_queryset(self, request):
        return events_for_user(request.user).select_related("municipality")


class ArticleViewSet(ScopedSnippetViewSet):
    model = Article
    scope = articles_for_user
    icon = "doc-full"
    menu_label = _("Faminavi")
    list_display = ["title", Column("municipality", label=_("municipality")), UpdatedAtColumn()]
    list_filter = ["municipality", "genres", "areas"]
    search_fields = ["title", "summary"]
    list_export = ["id", "title", "summary", "municipality", "url", "live"]
    export_filename = "faminavi"
    # ArticleAdminForm: the creator from the first autosave; municipal staff's own municipality;
    # the image is one the user may choose.
    edit_handler = ObjectList(base_form_class=ArticleAdminForm, children=[
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("genres", widget=forms.CheckboxSelectMultiple),
        FieldPanel("areas", widget=forms.CheckboxSelectMultiple),
        # A plain select: municipal staff cannot open the masters' chooser.
        FieldPanel("municipality", widget=forms.Select),
        FieldPanel("url"),
        FieldPanel("image"),
    ])

    def get_queryset(self, request):
        return articles_for_user(request.user).select_related("municipality")


class ContentGroup(SnippetViewSetGroup):
    menu_label = _("Events and faminavi")
    menu_name = "events"  # kept in a shop owner's menu (directory/shops/wagtail_hooks.py)
    menu_icon = "date"
    menu_order = 110
    items = (EventViewSet, ArticleViewSet)


register_snippet(ContentGroup)


@hooks.register("construct_homepage_panels")
def municipal_dashboard_panels(request, panels):
    """Municipal staff see their municipality's events and articles by status instead of
    Wagtail's page panels (they have no pages)."""
    if is_municipal_staff_only(request.user):
        panels[:] = [MunicipalListingsPanel(request.user)]


@hooks.register("construct_homepage_summary_items", order=100)  # after Wagtail's own
def municipal_no_site_summary(request, summary_items):
    if is_municipal_staff_only(request.user):
        summary_items[:] = []
