"""Back office for sponsor shops: the secretariat's list (search, filters,
CSV/XLSX export) and the restricted editor role for shop owners."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from directory.access import ScopedPermissionPolicy, shops_choosable_by_user, shops_for_user
from directory.admin import NormalisedSearchIndexViewMixin, ScopedSnippetViewSet
from directory.masters.models import Genre, Municipality, Programme
from directory.shops.models import Owner, Shop

register_permission_policy(Shop, ScopedPermissionPolicy(Shop, shops_for_user))


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
    live = django_filters.BooleanFilter(label=_("published"))
    has_unpublished_changes = django_filters.BooleanFilter(label=_("has changes awaiting approval"))

    class Meta:
        model = Shop
        fields = []


class ShopIndexView(NormalisedSearchIndexViewMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("municipality")


class ScopedChooserMixin:
    """The shop chooser (e.g. a chain head, an event's shop) offers published
    shops and the user's own, never another owner's unpublished application."""

    def get_object_list(self):
        return shops_choosable_by_user(self.request.user).select_related("municipality")


class ShopChooseView(ScopedChooserMixin, ChooseView):
    pass


class ShopChooseResultsView(ScopedChooserMixin, ChooseResultsView):
    pass


class ShopChosenView(SnippetChosenView):
    def get_object(self, pk):
        return shops_choosable_by_user(self.request.user).get(pk=pk)


class ShopChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return shops_choosable_by_user(self.request.user).filter(pk__in=pks)


class ShopChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ShopChooseView
    choose_results_view_class = ShopChooseResultsView
    chosen_view_class = ShopChosenView
    chosen_multiple_view_class = ShopChosenMultipleView
    create_action_label = None


class ShopViewSet(ScopedSnippetViewSet):
    model = Shop
    scope = shops_for_user
    chooser_viewset_class = ShopChooserViewSet
    icon = "site"
    menu_label = _("Sponsor shops")
    menu_order = 100
    index_view_class = ShopIndexView
    filterset_class = ShopFilterSet
    search_fields = ["search_text"]  # enables the search box; ShopIndexView normalises it
    list_per_page = 50
    list_display = [
        "name",
        Column("municipality", label=_("municipality"), accessor="municipality"),
        Column("address", label=_("address")),
        UpdatedAtColumn(),
    ]
    list_export = [
        "id", "legacy_id", "name", "name_kana", "postcode", "municipality", "address",
        "building", "phone", "latitude", "longitude", "opening_hours", "regular_holidays",
        "url", "nationwide_mutual_use", "is_chain_head", "parent_id", "live", "updated_at",
    ]
    export_headings = {"municipality": _("municipality"), "parent_id": _("chain head")}
    export_filename = "shops"
    panels = [
        MultiFieldPanel([
            FieldPanel("name"),
            FieldPanel("name_kana"),
        ], heading=_("Shop")),
        InlinePanel("benefits", label=_("Benefits per programme"), min_num=1, max_num=2),
        MultiFieldPanel([
            FieldPanel("genres", widget=forms.CheckboxSelectMultiple),
            FieldPanel("benefit_types", widget=forms.CheckboxSelectMultiple),
            FieldPanel("facilities", widget=forms.CheckboxSelectMultiple),
            FieldPanel("nationwide_mutual_use"),
        ], heading=_("Categories and services")),
        MultiFieldPanel([
            FieldPanel("postcode"),
            FieldPanel("municipality"),
            FieldPanel("address"),
            FieldPanel("building"),
            FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
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
    ]


class OwnerViewSet(SnippetViewSet):
    model = Owner
    icon = "user"
    menu_label = _("Shop owners")
    list_display = ["name", Column("user", label=_("e-mail address"))]
    search_fields = ["name", "user__email"]
    panels = [FieldPanel("user"), FieldPanel("name"), FieldPanel("phone")]

    def get_queryset(self, request):
        return Owner.objects.select_related("user")


class ShopGroup(SnippetViewSetGroup):
    menu_label = _("Sponsor shops")
    menu_icon = "site"
    menu_order = 100
    items = (ShopViewSet, OwnerViewSet)


register_snippet(ShopGroup)


@hooks.register("after_create_snippet")
def link_new_shop_to_its_owner(request, instance):
    """A shop created by a shop owner belongs to that owner from the start."""
    if isinstance(instance, Shop) and hasattr(request.user, "shop_owner"):
        instance.owner_shops.get_or_create(owner=request.user.shop_owner)
