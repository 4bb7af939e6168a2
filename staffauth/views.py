"""The TOTP step after the password (verify) and registering an authenticator (enrol)."""

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


@never_cache
@sensitive_post_parameters("code")
def enrol(request):
    if not request.user.is_authenticated:
        return _login_first(request)
    next_url = _next_url(request)
    # Replacing an authenticator needs the old one first: a stolen password alone
    # must not be enough to register the thief's phone.
    if services.device_for(request.user) and not services.session_is_verified(request):
        return redirect(f"{reverse('staffauth:verify')}?next={reverse('staffauth:enrol')}")
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
            codes = services.device_enrol(request.user, secret, form.cleaned_data["code"])
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
