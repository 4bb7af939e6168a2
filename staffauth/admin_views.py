"""The secretariat's page to send authenticator enrolment links (back office → Settings →
二段階認証の登録リンク), for those with staffauth.add_staffenrolmentlink (the 事務局 role).

Lists the accounts that must use a second factor, whether each has registered an
authenticator and its latest link; one button per account sends a new link to the
account's own address. Any other back-office account (a shop owner who wants a second
step) is reached by its e-mail address."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from staffauth import services
from staffauth.models import StaffEnrolmentLink

SEND_PERMISSION = "staffauth.add_staffenrolmentlink"


def user_may_send_enrolment_links(user) -> bool:
    return user.is_active and user.has_perm(SEND_PERMISSION)


class SendLinkForm(forms.Form):
    user = forms.IntegerField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(label=gettext_lazy("E-mail address of a back-office account"),
                             required=False, max_length=254)

    def clean(self):
        cleaned = super().clean()
        users = get_user_model().objects.filter(is_active=True)
        if cleaned.get("user"):
            user = users.filter(pk=cleaned["user"]).first()
        elif cleaned.get("email"):
            user = users.filter(email__iexact=cleaned["email"].strip()).first()
        else:
            raise forms.ValidationError(_("Enter the e-mail address of the account."))
        if user is None or not services.is_back_office_user(user):
            raise forms.ValidationError(
                _("There is no active back-office account with this e-mail address."))
        cleaned["account"] = user
        return cleaned


def accounts_requiring_a_second_factor():
    links = StaffEnrolmentLink.objects.order_by("-created_at", "-pk")
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name__in=services.two_factor_groups()))
            .distinct().select_related("totp_device")
            .prefetch_related("groups", Prefetch("totp_enrolment_links", queryset=links))
            .order_by("email"))


class EnrolmentLinksView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "staffauth/admin/enrolment_links.html"
    page_title = gettext_lazy("Authenticator enrolment links")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not user_may_send_enrolment_links(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for account in accounts_requiring_a_second_factor():
            device = getattr(account, "totp_device", None)
            latest = next(iter(account.totp_enrolment_links.all()), None)
            rows.append({"account": account, "device": device, "link": latest,
                         "roles": ", ".join(group.name for group in account.groups.all())})
        context.update(rows=rows, hours=services.enrolment_link_hours())
        context.setdefault("form", SendLinkForm())
        return context

    def post(self, request):
        form = SendLinkForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        account = form.cleaned_data["account"]
        services.enrolment_link_send(account, by=request.user)
        messages.success(request, _("An enrolment link was sent to %(email)s (valid for "
                                    "%(hours)d hours).")
                         % {"email": account.email, "hours": services.enrolment_link_hours()})
        return redirect("staffauth_enrolment_links")
