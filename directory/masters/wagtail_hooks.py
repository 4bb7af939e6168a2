"""Masters in the back office, grouped under one menu for the secretariat."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from directory.access import ChoosablePermissionPolicy
from directory.admin import PortalSnippetViewSet as SnippetViewSet
from directory.masters.models import (
    Area,
    BenefitType,
    EligibilityRule,
    Facility,
    Genre,
    Municipality,
    Programme,
)

# Masters are the public reference lists (municipalities, genres…) every role picks
# from in its own forms: anyone in the back office may choose them; editing them
# stays with the model permissions (the secretariat).
for _model in (Area, Municipality, Genre, BenefitType, Facility, Programme, EligibilityRule):
    register_permission_policy(_model, ChoosablePermissionPolicy(
        _model, choose_permissions=("wagtailadmin.access_admin",)))


class AreaViewSet(SnippetViewSet):
    model = Area
    icon = "site"
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "kana", "code"]


class MunicipalityViewSet(SnippetViewSet):
    model = Municipality
    icon = "home"
    list_display = ["name", "code", "area"]
    list_filter = ["area"]
    search_fields = ["name", "kana", "code"]
    list_per_page = 50

    def get_queryset(self, request):
        return Municipality.objects.select_related("area")


class GenreViewSet(SnippetViewSet):
    model = Genre
    icon = "tag"
    list_display = ["name", "code", "for_shops", "for_articles", "is_active"]
    search_fields = ["name", "code"]


class BenefitTypeViewSet(SnippetViewSet):
    model = BenefitType
    icon = "pick"
    list_display = ["name", "code", "is_active"]
    search_fields = ["name", "code"]


class FacilityViewSet(SnippetViewSet):
    model = Facility
    icon = "list-ul"
    list_display = ["name", "code", "icon", "is_active"]
    search_fields = ["name", "code"]


class ProgrammeViewSet(SnippetViewSet):
    model = Programme
    icon = "form"
    list_display = ["name", "code", "legacy_group"]
    panels = [FieldPanel(name) for name in
              ("code", "kind", "name", "short_name", "legacy_group", "description", "colour",
               "sort_order")]


class EligibilityRuleViewSet(SnippetViewSet):
    model = EligibilityRule
    icon = "success"
    list_display = ["programme", "kind", "enabled", "age_limit", "cutoff", "months"]
    list_filter = ["programme", "enabled"]


class MastersGroup(SnippetViewSetGroup):
    menu_label = _("Masters")
    menu_icon = "cog"
    menu_order = 900
    items = (
        AreaViewSet, MunicipalityViewSet, GenreViewSet, BenefitTypeViewSet, FacilityViewSet,
        ProgrammeViewSet, EligibilityRuleViewSet,
    )


register_snippet(MastersGroup)
