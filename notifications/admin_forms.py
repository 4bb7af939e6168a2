"""The campaign form of the back office (SnippetViewSet in wagtail_hooks.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from notifications import services
from notifications.models import Campaign


def link_is_valid(value: str) -> bool:
    local = value.startswith("/") and not value.startswith(("//", "/\\"))
    return not value or local or value.startswith("https://")


class CampaignAdminForm(WagtailAdminModelForm):
    class Media:
        js = ["notifications/campaign_admin.js"]

    def clean_link(self):
        value = (self.cleaned_data.get("link") or "").strip()
        if not link_is_valid(value):
            raise ValidationError(_("Give a path on this site (/news/…) or an https address."))
        return value

    def clean_icon(self):
        value = (self.cleaned_data.get("icon") or "").strip()
        if not link_is_valid(value):
            raise ValidationError(_("Give a path on this site or an https address."))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status != Campaign.Status.DRAFT:
            raise ValidationError(_("Only a draft can be changed. Stop the campaign first "
                                    "(it goes back to draft) to change it."))
        low, high = cleaned.get("child_age_min"), cleaned.get("child_age_max")
        if low is not None and high is not None and low > high:
            self.add_error("child_age_max", _("The upper age must not be below the lower age."))
        probe = Campaign(pk=self.instance.pk or 10**9, title=cleaned.get("title") or "",
                         body=cleaned.get("body") or "", link=cleaned.get("link") or "",
                         icon=cleaned.get("icon") or "")
        if not services.payload_fits(probe):
            self.add_error("body", _("The notification is too long: shorten the title, body "
                                     "or link (a push message holds at most 4 KB)."))
        return cleaned


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
