"""The campaign screen of the back office: the live target count, test send to
oneself, send now or at a time, approval of a campaign to everyone, stop, and the
results of the send (sent, failed, removed, clicks)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from notifications import selectors, services
from notifications.admin_forms import ScheduleForm
from notifications.models import Campaign

SEND_PERMISSION = "notifications.change_campaign"
APPROVE_PERMISSION = "notifications.approve_campaign"


def _ids(values) -> list[int]:
    return [int(value) for value in values if str(value).isdigit()][:200]


def _age(value):
    return int(value) if str(value).isdigit() and int(value) <= 30 else None


class AudienceCountView(View):
    """POST the campaign form's fields → {"count": n} (the edit form's live count)."""

    def post(self, request):
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        data = request.POST
        targeting = selectors.Targeting(
            everyone=data.get("everyone") in ("on", "true", "1"),
            programmes=_ids(data.getlist("programmes")), genres=_ids(data.getlist("genres")),
            benefit_types=_ids(data.getlist("benefit_types")),
            municipalities=_ids(data.getlist("municipalities")),
            areas=_ids(data.getlist("areas")),
            child_age_min=_age(data.get("child_age_min", "")),
            child_age_max=_age(data.get("child_age_max", "")))
        count = selectors.audience(targeting).count()
        return JsonResponse({"count": count,
                             "label": _("Target now: %(count)d devices") % {"count": count}})


class CampaignSendView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "notifications/admin/campaign_send.html"
    header_icon = "mail"
    page_title = gettext_lazy("Send a push campaign")

    def dispatch(self, request, pk):
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        self.campaign = get_object_or_404(Campaign, pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.campaign.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.campaign
        context.update({
            "campaign": campaign,
            "audience": services.campaign_audience(campaign).count(),
            "results": selectors.campaign_results(campaign),
            "schedule_form": kwargs.get("schedule_form") or ScheduleForm(),
            "can_approve": (self.request.user.has_perm(APPROVE_PERMISSION)
                            and campaign.approval_requested_by_id != self.request.user.pk),
            "own_devices": selectors.devices_of_user(self.request.user),
            "edit_url": f"/admin/snippets/notifications/campaign/edit/{campaign.pk}/",
        })
        return context

    def post(self, request, pk):
        campaign = self.campaign
        action = request.POST.get("action")
        try:
            if action == "test":
                result = services.campaign_test_send(campaign=campaign, user=request.user)
                messages.success(request, _("Test sent to your devices: %(sent)d sent, "
                                            "%(failed)d failed.") % {
                    "sent": result.sent, "failed": result.failed + result.removed})
            elif action == "send_now":
                campaign = services.campaign_request_send(campaign=campaign, user=request.user)
                self._announce(campaign)
            elif action == "schedule":
                form = ScheduleForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Give the date and time to send at."))
                    return self.render_to_response(self.get_context_data(schedule_form=form))
                campaign = services.campaign_request_send(
                    campaign=campaign, user=request.user, when=form.cleaned_data["scheduled_at"])
                self._announce(campaign)
            elif action == "approve":
                services.campaign_approve(campaign=campaign, user=request.user)
                messages.success(request, _("Approved: the campaign will be sent."))
            elif action == "cancel":
                services.campaign_cancel(campaign=campaign, user=request.user)
                messages.success(request, _("Stopped: the campaign is a draft again."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("notifications_campaign_send", pk=campaign.pk)

    def _announce(self, campaign):
        if campaign.status == Campaign.Status.AWAITING_APPROVAL:
            messages.success(self.request, _("A campaign to everyone needs the approval of "
                                             "another secretariat member before it is sent."))
        elif campaign.scheduled_at:
            messages.success(self.request, _("Scheduled."))
        else:
            messages.success(self.request, _("Sending has started."))
