"""Members in the back office: personal data, so only roles holding the
members.view_member permission (the secretariat) see this menu at all."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from directory.access import ChoosablePermissionPolicy
from directory.admin import PortalSnippetViewSet
from directory.members.models import Member


class MemberPermissionPolicy(ChoosablePermissionPolicy):
    """Members register themselves (sign-up): nobody adds one in the back office (the
    form has no account to attach, and saving it failed with a server error)."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)


register_permission_policy(Member, MemberPermissionPolicy(Member))


class MemberViewSet(PortalSnippetViewSet):
    model = Member
    icon = "group"
    menu_label = _("Members")
    menu_order = 120
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = [
        "member_number",
        Column("municipality", label=_("home municipality")),
        Column("created_at", label=_("registered at")),
    ]
    list_filter = ["municipality"]
    search_fields = ["member_number", "family_name", "given_name", "user__email"]
    list_per_page = 50
    panels = [
        FieldPanel("member_number", read_only=True),
        MultiFieldPanel([
            FieldPanel("family_name"), FieldPanel("given_name"),
            FieldPanel("family_name_kana"), FieldPanel("given_name_kana"),
        ], heading=_("Name")),
        FieldPanel("municipality"),
        MultiFieldPanel([
            FieldPanel("due_date"), FieldPanel("marriage_date"), FieldPanel("planned_marriage_date"),
        ], heading=_("Eligibility dates")),
        FieldPanel("preferred_genres", widget=forms.CheckboxSelectMultiple),
        FieldPanel("preferred_benefit_types", widget=forms.CheckboxSelectMultiple),
        FieldPanel("notify_by_email"),
        FieldPanel("notify_by_push"),
    ]

    def get_queryset(self, request):
        return Member.objects.select_related("municipality")


register_snippet(MemberViewSet)
