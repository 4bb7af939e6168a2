"""Back office for sponsor shops: the secretariat's list (search, filters,
CSV/XLSX export) and the restricted editor role for shop owners."""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.admin.widgets import Button, ListingButton
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.documents.views.chooser import viewset as document_chooser_viewset
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.images.views.chooser import viewset as image_chooser_viewset
from wagtail.models import WorkflowState
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSetGroup

from directory.access import (
    ChoosablePermissionPolicy,
    OwnImagesPermissionPolicy,
    ScopedPermissionPolicy,
    documents_choosable_by_user,
    images_choosable_by_user,
    scope_log_entries,
    scope_workflow_report_requesters,
    shops_choosable_by_user,
    shops_for_user,
)
from directory.admin import (
    NormalisedSearchIndexViewMixin,
    PortalSnippetViewSet,
    ScopedSnippetViewSet,
    guard_media_chooser,
)
from directory.masters.models import Genre, Municipality, Programme
from directory.shops.admin_forms import ShopAdminForm
from directory.shops.admin_views import (
    FAILURE_PERMISSION,
    ChainApprovalView,
    FailedTasksView,
    ShopDeleteBulkAction,
)
from directory.shops.approval_queue import (
    ApprovalQueuePanel,
    SecretariatOverviewPanel,
    can_approve,
)
from directory.shops.bulk_views import (
    ShopBulkExportView,
    ShopBulkImportView,
    user_may_bulk_edit_shops,
)
from directory.shops.models import Owner, Shop
from directory.shops.owner_admin import OwnerListingsPanel, is_shop_owner_only
from directory.shops.position_picker import PositionPickerPanel
from directory.shops.workflow import STATUS_LABELS

# The shop chooser offers published shops and the user's own (a chain head, an event's
# organising shop), to roles that edit shops or events.
register_permission_policy(Shop, ScopedPermissionPolicy(
    Shop, shops_for_user, choosable=shops_choosable_by_user,
    choose_permissions=("shops.add_shop", "shops.change_shop", "shops.view_shop",
                        "events.add_event", "events.change_event")))
# Owners' names and e-mail addresses: the secretariat's only.
register_permission_policy(Owner, ChoosablePermissionPolicy(Owner))
# Images: Wagtail's collection policy, shop owners confined to their own uploads and
# unable to change an image a shop, event or article shows (directory/access.py).
# exact_class: this module may be imported before wagtail.images' ready() registers
# its own policy for the model (not exact), and an exact registration is looked up first.
register_permission_policy(get_image_model(), OwnImagesPermissionPolicy(
    get_image_model(), auth_model="wagtailimages.Image", owner_field_name="uploaded_by_user"),
    exact_class=True)


# Wagtail's image and document choosers: 403 without the right to choose (the admin's
# URLs are built after every wagtail_hooks module is imported).
guard_media_chooser(image_chooser_viewset)
guard_media_chooser(document_chooser_viewset)
# The site history report and history views: log entries of shops, events and articles
# only for rows in the user's scope.
scope_log_entries()
scope_workflow_report_requesters()


class ScopedImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        return super().get_queryset().filter(
            pk__in=images_choosable_by_user(self.request.user).values("pk"))


class ScopedDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return super().get_queryset().filter(
            pk__in=documents_choosable_by_user(self.request.user).values("pk"))


# The status the owner sees (workflow.listing_status), as lookups on the list's queryset
# (annotated with its unfinished workflow's status, ShopIndexView.get_base_queryset).
ADMIN_STATUS_CODES = ["in_moderation", "needs_changes", "draft", "live", "not_live"]
STATUS_LOOKUPS = {
    "in_moderation": {"workflow_status": WorkflowState.STATUS_IN_PROGRESS},
    "needs_changes": {"workflow_status": WorkflowState.STATUS_NEEDS_CHANGES},
    "draft": {"workflow_status": None, "live": True, "has_unpublished_changes": True},
    "live": {"workflow_status": None, "live": True, "has_unpublished_changes": False},
    "not_live": {"workflow_status": None, "live": False},
}


class ShopFilterSet(WagtailFilterSet):
    municipality = django_filters.ModelChoiceFilter(
        label=_("municipality"), queryset=Municipality.objects.select_related("area"),
    )
    genre = django_filters.ModelChoiceFilter(
        label=_("genre"), field_name="genres", queryset=Genre.objects.filter(for_shops=True),
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("programme"), field_name="benefits__programme", queryset=Programme.objects.all(),
        distinct=True,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), method="filter_status",
        choices=[(code, STATUS_LABELS[code]) for code in ADMIN_STATUS_CODES],
    )
    live = django_filters.BooleanFilter(label=_("published"))
    has_unpublished_changes = django_filters.BooleanFilter(label=_("has changes awaiting approval"))
    updated_at = django_filters.DateFromToRangeFilter(label=_("Last change"),
                                                      widget=DateRangePickerWidget)
    owner = django_filters.CharFilter(label=_("Owner (name or e-mail address)"),
                                      method="filter_owner")

    class Meta:
        model = Shop
        fields = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(**STATUS_LOOKUPS[value]) if value in STATUS_LOOKUPS else queryset

    def filter_owner(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        owned = Shop.objects.filter(Q(owners__name__icontains=value)
                                    | Q(owners__user__email__icontains=value))
        return queryset.filter(pk__in=owned.values("pk"))


def with_workflow_status(queryset):
    """Annotate each shop with the status of its unfinished workflow (or None)."""
    states = WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Shop),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
    ).values("status")[:1]
    return queryset.annotate(workflow_status=Subquery(states))


def shop_status_label(shop) -> str:
    status = getattr(shop, "workflow_status", None)
    if status == WorkflowState.STATUS_IN_PROGRESS:
        code = "in_moderation"
    elif status == WorkflowState.STATUS_NEEDS_CHANGES:
        code = "needs_changes"
    elif shop.live:
        code = "draft" if shop.has_unpublished_changes else "live"
    else:
        code = "not_live"
    return str(STATUS_LABELS[code])


def shop_owner_names(shop) -> str:
    return "、".join(owner.name for owner in shop.owners.all()) or "—"


class ShopIndexView(NormalisedSearchIndexViewMixin, IndexView):
    def get_base_queryset(self):
        return with_workflow_status(
            super().get_base_queryset().select_related("municipality").prefetch_related("owners")
        )

    @cached_property
    def header_more_buttons(self):
        """For the secretariat: the bulk import format of the list as filtered now, and
        the bulk import screen (directory/shops/bulk_views.py)."""
        buttons = super().header_more_buttons.copy()
        if user_may_bulk_edit_shops(self.request.user):
            params = self.request.GET.copy()
            params.pop("p", None)
            for file_format, label in (("csv", _("Bulk format: CSV")),
                                       ("xlsx", _("Bulk format: XLSX"))):
                params["format"] = file_format
                buttons.append(Button(label, url=f"{reverse('shops_bulk_export')}?"
                                      f"{params.urlencode()}", icon_name="download",
                                      priority=110))
            buttons.append(Button(_("Bulk import"), url=reverse("shops_bulk_import"),
                                  icon_name="upload", priority=120))
        return buttons


class ShopViewSet(ScopedSnippetViewSet):
    model = Shop
    scope = shops_for_user
    icon = "site"
    # Not the public site's 「協賛店の方へ」 (the msgid "Sponsor shops" there).
    menu_label = _("Sponsor shop list")
    menu_order = 100
    index_view_class = ShopIndexView
    filterset_class = ShopFilterSet
    search_fields = ["search_text"]  # enables the search box; ShopIndexView normalises it
    list_per_page = 50
    list_display = [
        "name",
        Column("municipality", label=_("municipality"), accessor="municipality"),
        Column("address", label=_("address")),
        Column("status", label=_("Status"), accessor=shop_status_label),
        Column("owners", label=_("Owner"), accessor=shop_owner_names),
        UpdatedAtColumn(label=_("Last change")),
    ]
    list_export = [
        "id", "legacy_id", "name", "name_kana", "postcode", "municipality", "address",
        "building", "phone", "latitude", "longitude", "opening_hours", "regular_holidays",
        "url", "nationwide_mutual_use", "is_chain_head", "parent_id", "live", "updated_at",
    ]
    export_headings = {"municipality": _("municipality"), "parent_id": _("chain head")}
    export_filename = "shops"
    edit_handler = ObjectList(base_form_class=ShopAdminForm, children=[
        MultiFieldPanel([
            FieldPanel("name"),
            FieldPanel("name_kana"),
        ], heading=_("Shop")),
        # One row per programme joined (at least one is checked by ShopAdminForm, so a
        # chain's branch may rely on its head's benefit instead).
        InlinePanel("benefits", label=_("Benefits per programme"), min_num=0, max_num=2,
                    help_text=_("Add a row for each programme the shop joins, with its "
                                "benefit."),
                    panels=[
                        # A plain select: there are two programmes, and shop owners
                        # have no access to the masters' snippet chooser.
                        FieldPanel("programme", widget=forms.Select),
                        FieldPanel("title"),
                        FieldPanel("detail"),
                        FieldPanel("applies_to_branches"),
                    ]),
        MultiFieldPanel([
            FieldPanel("genres", widget=forms.CheckboxSelectMultiple),
            FieldPanel("benefit_types", widget=forms.CheckboxSelectMultiple),
            FieldPanel("facilities", widget=forms.CheckboxSelectMultiple),
            FieldPanel("nationwide_mutual_use"),
        ], heading=_("Categories and services")),
        MultiFieldPanel([
            FieldPanel("postcode"),
            # A plain select (43 municipalities): owners cannot open the masters' chooser.
            FieldPanel("municipality", widget=forms.Select),
            FieldPanel("address"),
            FieldPanel("building"),
            FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            PositionPickerPanel(),
        ], heading=_("Address and map position")),
        MultiFieldPanel([
            FieldPanel("phone"),
            FieldPanel("opening_hours"),
            FieldPanel("regular_holidays"),
            FieldPanel("url"),
            FieldPanel("comment"),
        ], heading=_("Contact and hours")),
        InlinePanel("images", label=_("Images")),
        MultiFieldPanel([
            FieldPanel("is_chain_head"),
            FieldPanel("parent"),
        ], heading=_("Chain")),
    ])


class OwnerViewSet(PortalSnippetViewSet):
    model = Owner
    icon = "user"
    menu_label = _("Shop owners")
    list_display = ["name", Column("user", label=_("e-mail address"))]
    search_fields = ["name", "user__email"]
    panels = [FieldPanel("user"), FieldPanel("name"), FieldPanel("phone")]

    def get_queryset(self, request):
        return Owner.objects.select_related("user")


class ShopGroup(SnippetViewSetGroup):
    menu_label = pgettext_lazy("admin menu", "Sponsor shops")
    menu_name = "shops"  # kept in a shop owner's menu (owner_menu_only_shops_and_events)
    menu_icon = "site"
    menu_order = 100
    items = (ShopViewSet, OwnerViewSet)


register_snippet(ShopGroup)


@hooks.register("after_create_snippet")
def link_new_shop_to_its_owner(request, instance):
    """A shop created by a shop owner belongs to that owner from the start."""
    if isinstance(instance, Shop) and hasattr(request.user, "shop_owner"):
        instance.owner_shops.get_or_create(owner=request.user.shop_owner)


# --- The shop owner's admin: their dashboard, their menu, nothing else (owner_admin.py) ------

OWNER_MENU_ITEMS = {"shops", "events"}


@hooks.register("construct_homepage_panels")
def owner_dashboard_panels(request, panels):
    """Shop owners see their shops and events with status instead of Wagtail's panels
    (pages in moderation, recent page edits, locked pages)."""
    if is_shop_owner_only(request.user):
        panels[:] = [OwnerListingsPanel(request.user)]
    elif can_approve(request.user):
        panels.append(SecretariatOverviewPanel(request.user))
        panels.append(ApprovalQueuePanel(request.user))


@hooks.register("construct_homepage_summary_items", order=100)  # after Wagtail's own
def owner_no_site_summary(request, summary_items):
    if is_shop_owner_only(request.user):
        summary_items[:] = []


@hooks.register("construct_main_menu")
def owner_menu_only_shops_and_events(request, menu_items):
    if is_shop_owner_only(request.user):
        menu_items[:] = [item for item in menu_items if item.name in OWNER_MENU_ITEMS]


@hooks.register("construct_page_chooser_queryset")
def owner_chooses_no_pages(pages, request):
    if is_shop_owner_only(request.user):
        return pages.none()
    return pages


@hooks.register("construct_admin_api", order=100)
def scoped_media_admin_api(router):
    """The admin API's images and documents (the rich text editor's and the explorer's
    lists) answer with what the user may choose, like the choosers; Wagtail's own
    endpoints list every image to any admin user. Runs after Wagtail's hooks (order)."""
    router.register_endpoint("images", ScopedImagesAdminAPIViewSet)
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)


# --- Secretariat screens: failed background tasks, approving a chain (admin_views.py) ----------


@hooks.register("register_admin_urls")
def shop_side_admin_urls():
    return [
        path("shops/failed-tasks/", FailedTasksView.as_view(), name="shops_failed_tasks"),
        path("shops/failed-tasks/results/", FailedTasksView.as_view(results_only=True),
             name="shops_failed_tasks_results"),
        path("shops/chain/<int:pk>/approve/", ChainApprovalView.as_view(),
             name="shops_chain_approval"),
        path("shops/bulk/", ShopBulkImportView.as_view(), name="shops_bulk_import"),
        path("shops/bulk/export/", ShopBulkExportView.as_view(), name="shops_bulk_export"),
    ]


class BulkShopsMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_bulk_edit_shops(request.user)


@hooks.register("register_settings_menu_item")
def bulk_shops_menu_item():
    return BulkShopsMenuItem(_("Bulk import/export of sponsor shops"),
                             reverse("shops_bulk_import"), name="shops-bulk", icon_name="upload",
                             order=900)


class FailedTasksMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(FAILURE_PERMISSION)


@hooks.register("register_reports_menu_item")
def failed_tasks_menu_item():
    return FailedTasksMenuItem(_("Failed background tasks"), reverse("shops_failed_tasks"),
                               name="failed-tasks", icon_name="warning", order=950)


@hooks.register("register_snippet_listing_buttons")
def chain_approval_listing_button(snippet, user, next_url=None):
    if isinstance(snippet, Shop) and snippet.is_chain_head and user.has_perm(
        "shops.publish_shop"
    ):
        yield ListingButton(_("Approve the chain"),
                            reverse("shops_chain_approval", args=[snippet.pk]),
                            icon_name="tasks", priority=60)


# After Wagtail's own (order=100): replaces the bulk delete for shops with the scoped one.
hooks.register("register_bulk_action", ShopDeleteBulkAction, order=100)
