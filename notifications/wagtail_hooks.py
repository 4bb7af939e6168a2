"""Push campaigns in the back office (secretariat): a snippet list and form for the
drafts, and the campaign screen (notifications/admin_views.py) to test, send,
schedule, approve and see the results."""

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from directory.access import ChoosablePermissionPolicy
from directory.admin import PortalSnippetViewSet
from notifications.admin_forms import CampaignAdminForm
from notifications.admin_views import SEND_PERMISSION, AudienceCountView, CampaignSendView
from notifications.models import Campaign

register_permission_policy(Campaign, ChoosablePermissionPolicy(Campaign))

COUNT_HTML = (
    '<p class="help-block" data-campaign-audience data-count-url="/admin/push/audience-count/" '
    'aria-live="polite">{}</p>'
)


class CampaignViewSet(PortalSnippetViewSet):
    model = Campaign
    icon = "mail"
    menu_label = _("Push notifications")
    menu_order = 130
    add_to_admin_menu = True
    list_display = [
        "title",
        Column("status", label=_("status"), accessor="get_status_display"),
        Column("scheduled_at", label=_("send at")),
        Column("target_count", label=_("target")),
        Column("sent_count", label=_("sent")),
        Column("click_count", label=_("clicks")),
    ]
    list_filter = ["status"]
    search_fields = ["title", "body"]
    edit_handler = ObjectList(base_form_class=CampaignAdminForm, children=[
        FieldPanel("title"),
        FieldPanel("body"),
        FieldPanel("link"),
        FieldPanel("icon"),
        MultiFieldPanel([
            FieldPanel("everyone"),
            FieldPanel("programmes", widget=forms.CheckboxSelectMultiple),
            FieldPanel("genres", widget=forms.CheckboxSelectMultiple),
            FieldPanel("benefit_types", widget=forms.CheckboxSelectMultiple),
            FieldPanel("areas", widget=forms.CheckboxSelectMultiple),
            FieldPanel("municipalities", widget=forms.CheckboxSelectMultiple),
            FieldRowPanel([FieldPanel("child_age_min"), FieldPanel("child_age_max")]),
            HelpPanel(content=COUNT_HTML.format(
                _("The number of devices targeted is shown on the campaign's send screen "
                  "(and here, as you change the conditions)."))),
        ], heading=_("Target")),
    ])


register_snippet(CampaignViewSet)


@hooks.register("register_admin_urls")
def push_admin_urls():
    return [
        path("push/campaigns/<int:pk>/", CampaignSendView.as_view(),
             name="notifications_campaign_send"),
        path("push/audience-count/", AudienceCountView.as_view(),
             name="notifications_audience_count"),
    ]


@hooks.register("register_snippet_listing_buttons")
def campaign_send_listing_button(snippet, user, next_url=None):
    if isinstance(snippet, Campaign) and user.has_perm(SEND_PERMISSION):
        yield ListingButton(_("Send / results"),
                            reverse("notifications_campaign_send", args=[snippet.pk]),
                            icon_name="mail", priority=5)


@hooks.register("after_create_snippet")
def campaign_created_by(request, instance):
    if isinstance(instance, Campaign) and instance.created_by_id is None:
        Campaign.objects.filter(pk=instance.pk).update(created_by=request.user)
