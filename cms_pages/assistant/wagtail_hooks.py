"""Back office: the insight dashboard (Reports menu… as its own item) and the
assistant's synonyms (a snippet the secretariat edits)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms_pages.assistant import admin_views
from cms_pages.assistant.models import Synonym
from directory.access import ChoosablePermissionPolicy
from directory.admin import PortalSnippetViewSet

register_permission_policy(Synonym, ChoosablePermissionPolicy(Synonym))


@hooks.register("register_admin_urls")
def register_insights_urls():
    return [
        path("insights/", admin_views.dashboard, name="assistant_insights"),
        path("insights/<slug:slug>.csv", admin_views.table_csv, name="assistant_insights_csv"),
    ]


class InsightsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)


@hooks.register("register_admin_menu_item")
def register_insights_menu_item():
    return InsightsMenuItem(_("Insights"), reverse("assistant_insights"), icon_name="table",
                            order=940)


class SynonymViewSet(PortalSnippetViewSet):
    model = Synonym
    icon = "list-ul"
    menu_label = _("Assistant synonyms")
    add_to_admin_menu = False
    list_display = ["term", "variants", "updated_at"]
    search_fields = ["term", "variants"]


register_snippet(SynonymViewSet)
