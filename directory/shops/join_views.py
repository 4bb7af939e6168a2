"""The public pages for shops (協賛店の方へ), mounted at /for-shops/:
the programme explained, provisional registration by e-mail, the e-mailed link,
and the password and contact step; then the shop signs in at the Wagtail admin.

As on the member side: POSTs are limited per client IP and mails per address
(HTTP 429 with a Japanese page), a link that cannot be used answers 400 (not
ours) or 410 (used or expired) with a page that says what to do next.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from cms_pages.selectors import terms_url_for
from directory.accounts.ratelimit import (
    client_ip,
    ip_limit_settings,
    rate_limit_hit,
    too_many_requests,
)
from directory.accounts.services import LinkError
from directory.accounts.views import mail_help_context
from directory.masters.models import Programme
from directory.shops import join
from directory.shops.join_forms import JoinCompleteForm, JoinForm

TOKEN_SESSION_KEY = "shops_join_token"
SENT_EMAIL_SESSION_KEY = "shops_join_sent_email"
LINK_STATUS = {"invalid": 400, "used": 410, "expired": 410}
RATE_LIMITED_TEMPLATE = "shops/join/rate_limited.html"


def _limited(request, *, scope: str, key: str):
    """HTTP 429 (shop wording) once `key` made too many attempts in the window."""
    limit, window = ip_limit_settings()
    result = rate_limit_hit(scope=scope, key=key, limit=limit, window=window)
    if not result.allowed:
        return too_many_requests(request, retry_after=result.retry_after,
                                 template=RATE_LIMITED_TEMPLATE)
    return None


def _link_problem(request, *, state: str, email: str = ""):
    context = {"state": state, "form": JoinForm(initial={"email": email}), **mail_help_context(),
               "terms_url": terms_url_for(request, "shop_terms"),
               "privacy_url": terms_url_for(request, "privacy")}
    return render(request, "shops/join/link_problem.html", context,
                  status=LINK_STATUS.get(state, 400))


@never_cache
@require_http_methods(["GET", "POST"])
def for_shops(request):
    """協賛店の方へ: what joining means, and the registration form."""
    if request.method == "POST":
        limited = _limited(request, scope="shop-join", key=client_ip(request))
        if limited:
            return limited
        form = JoinForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            limited = _limited(request, scope="shop-join-address", key=email)
            if limited:
                return limited
            join.shop_account_request_create(email=email, language=get_language())
            request.session[SENT_EMAIL_SESSION_KEY] = email
            return redirect("shop_join:sent")
    else:
        form = JoinForm()
    return render(request, "shops/join/for_shops.html", {
        "form": form,
        "programmes": Programme.objects.order_by("sort_order", "pk"),
        "terms_url": terms_url_for(request, "shop_terms"),
        "privacy_url": terms_url_for(request, "privacy"),
        "login_url": reverse("wagtailadmin_login"),
        "hours": join.join_link_hours(),
    })


@require_safe
def sent(request):
    return render(request, "shops/join/sent.html", {
        "email": request.session.get(SENT_EMAIL_SESSION_KEY, ""),
        "hours": join.join_link_hours(),
        **mail_help_context(),
    })


@never_cache
@require_safe
def confirm(request, token: str):
    """The e-mailed link: checks the token, keeps it in the session and redirects, so
    the token leaves the address bar and a mail scanner opening it uses nothing up."""
    account_request = join.shop_account_request_by_token(token=token)
    state = join.shop_account_request_state(account_request)
    if state != "valid":
        return _link_problem(request, state=state,
                             email=account_request.email if account_request else "")
    request.session[TOKEN_SESSION_KEY] = token
    return redirect("shop_join:complete")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def complete(request):
    token = request.session.get(TOKEN_SESSION_KEY, "")
    account_request = join.shop_account_request_by_token(token=token)
    state = join.shop_account_request_state(account_request)
    if state != "valid":
        request.session.pop(TOKEN_SESSION_KEY, None)
        return _link_problem(request, state=state,
                             email=account_request.email if account_request else "")
    email = account_request.email
    if request.method == "POST":
        limited = _limited(request, scope="shop-join-complete", key=client_ip(request))
        if limited:
            return limited
        form = JoinCompleteForm(request.POST, email=email)
        if form.is_valid():
            try:
                join.shop_account_complete(
                    account_request=account_request, password=form.cleaned_data["password1"],
                    contact=join.OwnerContact(name=form.cleaned_data["contact_name"],
                                              phone=form.cleaned_data["contact_phone"]),
                )
            except LinkError as error:
                request.session.pop(TOKEN_SESSION_KEY, None)
                return _link_problem(request, state=error.reason, email=email)
            request.session.pop(TOKEN_SESSION_KEY, None)
            messages.success(request, _(
                "Your shop account is ready. Log in with your e-mail address and password, "
                "then add your shop and submit it for approval."
            ))
            return redirect(f"{reverse('wagtailadmin_login')}?next={reverse('wagtailadmin_home')}")
    else:
        form = JoinCompleteForm(email=email)
    return render(request, "shops/join/complete.html", {"form": form, "email": email})
