"""The TOTP step after the password (verify) and registering an authenticator (enrol)."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from staffauth import services, totp
from staffauth.forms import CodeForm, EnrolForm


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


def _login_first(request):
    return redirect(f"{reverse('wagtailadmin_login')}?next={reverse('staffauth:verify')}")


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    if not request.user.is_authenticated:
        return _login_first(request)
    next_url = _next_url(request)
    if services.session_is_verified(request):
        return redirect(next_url)
    if services.device_for(request.user) is None:
        return redirect(f"{reverse('staffauth:enrol')}?next={next_url}")
    status = 200
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.attempts_blocked(request.user):
            form.add_error(None, _("Too many wrong codes. Wait 15 minutes and try again."))
            status = 429
        elif services.code_verify(request.user, form.cleaned_data["code"]):
            services.session_mark_verified(request)
            return redirect(next_url)
        else:
            form.add_error("code", _("This code is not valid. Check the time on your phone "
                                     "and enter the newest code."))
            status = 400
    return render(request, "staffauth/twofactor_verify.html",
                  {"form": form, "next": next_url}, status=status)


def _qr_data_uri(uri):
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


LINK_STATUS = {"invalid": 404, "used": 410, "expired": 410}


@never_cache
def link(request, token: str):
    """The one-time enrolment link: after the password (sign in first), it lets this
    session register an authenticator. The token leaves the address bar at once."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('wagtailadmin_login')}?"
                        f"{urlencode({'next': request.path})}")
    enrolment_link = services.enrolment_link_by_token(token)
    state = services.enrolment_link_state(enrolment_link, request.user)
    if state != "valid":
        return render(request, "staffauth/twofactor_link_problem.html", {"state": state},
                      status=LINK_STATUS[state])
    request.session[services.SESSION_ENROLMENT_LINK] = enrolment_link.pk
    return redirect("staffauth:enrol")


@never_cache
@sensitive_post_parameters("code")
def enrol(request):
    if not request.user.is_authenticated:
        return _login_first(request)
    next_url = _next_url(request)
    # An authenticator is registered only by someone who holds the password AND either
    # an enrolment link mailed by the secretariat (first one, or a lost phone) or the
    # current authenticator (replacing it): the password alone never offers enrolment.
    enrolment_link = services.enrolment_link_of_session(request)
    has_device = services.device_for(request.user) is not None
    if enrolment_link is None and not (has_device and services.session_is_verified(request)):
        if has_device:
            return redirect(f"{reverse('staffauth:verify')}?next={reverse('staffauth:enrol')}")
        return render(request, "staffauth/twofactor_ask_for_link.html", {
            "required": services.two_factor_required(request.user),
            "hours": services.enrolment_link_hours(),
        }, status=403)
    secret = request.session.get(services.SESSION_PENDING_SECRET)
    if not secret:
        secret = totp.secret_generate()
        request.session[services.SESSION_PENDING_SECRET] = secret
    status = 200
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.attempts_blocked(request.user):
            form.add_error(None, _("Too many wrong codes. Wait 15 minutes and try again."))
            status = 429
        else:
            codes = services.device_enrol(request.user, secret, form.cleaned_data["code"],
                                          link=enrolment_link)
            if codes is not None:
                services.session_mark_verified(request)
                return render(request, "staffauth/twofactor_recovery_codes.html",
                              {"codes": codes, "next": next_url})
            form.add_error("code", _("This code does not match. Check the time on your "
                                     "phone and enter the newest code."))
            status = 400
    issuer = getattr(settings, "WAGTAIL_SITE_NAME", "portal")
    uri = totp.provisioning_uri(secret, account=request.user.get_username(), issuer=issuer)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render(request, "staffauth/twofactor_enrol.html", {
        "form": form, "next": next_url, "secret": grouped, "qr": _qr_data_uri(uri),
        "required": services.two_factor_required(request.user),
    }, status=status)
