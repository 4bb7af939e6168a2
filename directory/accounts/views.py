"""Member-side pages: sign-up (仮登録 → 本登録), login/logout, password reset,
"my page", profile, e-mail change, account deletion and the data download.

Views stay thin: forms validate, services write, selectors read. Pages about an
e-mailed link answer 400 (not a link we issued) or 410 (used or expired) with a
page that says what to do next, never a server error.
"""

from __future__ import annotations

import json
from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cms_pages.selectors import terms_url_for
from directory.accounts import selectors, services
from directory.accounts.forms import (
    AccountDeleteForm,
    EmailChangeForm,
    LoginForm,
    MemberPasswordChangeForm,
    MemberPasswordResetForm,
    MemberSetPasswordForm,
    ResendForm,
    SignupCompleteForm,
    SignupForm,
    normalise_email,
)
from directory.accounts.ratelimit import (
    client_ip,
    ip_limit_settings,
    ip_rate_limit,
    rate_limit_hit,
    too_many_requests,
)
from directory.members import services as member_services
from directory.members.forms import ProfileForm

LOGIN_URL = "accounts:login"
SIGNUP_TOKEN_SESSION_KEY = "accounts_signup_token"
SENT_EMAIL_SESSION_KEY = "accounts_sent_email"
EMAIL_CHANGE_SESSION_KEY = "accounts_email_change_to"
MEMBER_BACKEND = "django.contrib.auth.backends.ModelBackend"
LINK_STATUS = {"invalid": 400, "used": 410, "expired": 410, "taken": 409}
# The card page (directory/members, built separately); linked from "my page".
CARD_URL = "/card/"

member_login_required = login_required(login_url=LOGIN_URL)


def mail_help_context() -> dict:
    """The sender address and its domain, for the "if the e-mail does not arrive" box."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return {"from_email": address, "from_domain": address.rpartition("@")[2]}


def _address_send_limited(request, *, scope: str, email: str):
    """Per-address cap on mails (so nobody can flood a stranger's inbox from many IPs).
    Applies to any address, registered or not, so it reveals nothing."""
    limit, window = ip_limit_settings()
    result = rate_limit_hit(scope=scope, key=email, limit=limit, window=window)
    if not result.allowed:
        return too_many_requests(request, retry_after=result.retry_after)
    return None


def _posted(request):
    """The submitted data for a bound form on POST (even when empty), None on GET."""
    return request.POST if request.method == "POST" else None


def _child_rows(data) -> int | None:
    try:
        return int(data.get("child_rows", ""))
    except (TypeError, ValueError):
        return None


def _link_problem(request, *, state: str, kind: str, email: str = ""):
    """The page for a link that cannot be used (tampered, used, expired, address taken)."""
    context = {"state": state, "kind": kind, **mail_help_context()}
    if kind == "signup" and state == "expired":
        context["resend_form"] = ResendForm(initial={"email": email})
    return render(request, "accounts/link_problem.html", context,
                  status=LINK_STATUS.get(state, 400))


# --- sign-up ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@ip_rate_limit("signup")
def signup(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("accounts:mypage")
    form = SignupForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        limited = _address_send_limited(request, scope="signup-address", email=email)
        if limited:
            return limited
        services.signup_request_create(email=email, language=get_language())
        request.session[SENT_EMAIL_SESSION_KEY] = email
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {
        "form": form, "terms_url": terms_url_for(request, "terms"),
        "privacy_url": terms_url_for(request, "privacy"),
    })


@require_safe
def signup_sent(request):
    return render(request, "accounts/signup_sent.html", {
        "email": request.session.get(SENT_EMAIL_SESSION_KEY, ""),
        "hours": services.signup_link_hours(),
        **mail_help_context(),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@ip_rate_limit("signup-resend")
def signup_resend(request):
    form = ResendForm(_posted(request),
                      initial={"email": request.session.get(SENT_EMAIL_SESSION_KEY, "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        limited = _address_send_limited(request, scope="signup-address", email=email)
        if limited:
            return limited
        services.signup_link_resend(email=email, language=get_language())
        request.session[SENT_EMAIL_SESSION_KEY] = email
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup_resend.html", {"form": form, **mail_help_context()})


@never_cache
@require_safe
def signup_confirm(request, token: str):
    """The e-mailed link. It only checks the token and moves it into the session, then
    redirects, so the token is not in the address bar or a Referer header afterwards,
    and a mail scanner that opens the link uses nothing up."""
    signup_request = selectors.signup_request_by_token(token=token)
    state = selectors.signup_request_state(signup_request)
    if state != "valid":
        return _link_problem(request, state=state, kind="signup",
                             email=signup_request.email if signup_request else "")
    request.session[SIGNUP_TOKEN_SESSION_KEY] = token
    return redirect("accounts:signup_complete")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup_complete(request):
    token = request.session.get(SIGNUP_TOKEN_SESSION_KEY, "")
    signup_request = selectors.signup_request_by_token(token=token)
    state = selectors.signup_request_state(signup_request)
    if state != "valid":
        request.session.pop(SIGNUP_TOKEN_SESSION_KEY, None)
        return _link_problem(request, state=state, kind="signup",
                             email=signup_request.email if signup_request else "")
    email = signup_request.email
    if request.method == "POST":
        form = SignupCompleteForm(request.POST, email=email,
                                  child_rows=_child_rows(request.POST))
        if form.is_valid():
            try:
                member = services.signup_complete(
                    signup_request=signup_request, password=form.cleaned_data["password1"],
                    profile=form.profile_data(),
                )
            except services.LinkError as error:
                request.session.pop(SIGNUP_TOKEN_SESSION_KEY, None)
                return _link_problem(request, state=error.reason, kind="signup", email=email)
            request.session.pop(SIGNUP_TOKEN_SESSION_KEY, None)
            auth_login(request, member.user, backend=MEMBER_BACKEND)
            messages.success(request, _("Registration is complete. Welcome!"))
            return redirect("accounts:mypage")
    else:
        form = SignupCompleteForm(email=email)
    return render(request, "accounts/signup_complete.html", {"form": form, "email": email})


# --- login and logout ---------------------------------------------------------------------------


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST":
        email = normalise_email(request.POST.get("email", ""))[:254]
        ip = client_ip(request)
        blocked = services.login_blocked(email=email, ip=ip)
        if blocked:
            reason, retry_after = blocked
            return too_many_requests(request, retry_after=retry_after, reason=reason)
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            auth_login(request, form.get_user())
            services.login_failures_clear(email=email)
            return redirect(next_url or reverse("accounts:mypage"))
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            services.login_failure_record(email=email, ip=ip)
    else:
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    auth_logout(request)
    return redirect("accounts:logged_out")


@require_safe
def logged_out(request):
    return render(request, "accounts/logged_out.html")


# --- password reset (Django's views, our templates, mail through the task) ------------------------


@method_decorator(ip_rate_limit("password-reset"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = MemberPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        limited = _address_send_limited(self.request, scope="password-reset-address",
                                        email=normalise_email(form.cleaned_data["email"]))
        return limited or super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **mail_help_context()}


class PasswordChangeView(auth_views.PasswordChangeView):
    """マイページ → パスワードの変更: the current password, then the new one twice.
    Django's view keeps the session (update_session_auth_hash); other sessions end."""

    form_class = MemberPasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")
    login_url = reverse_lazy(LOGIN_URL)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse(LOGIN_URL))
        return super().dispatch(request, *args, **kwargs)


@require_safe
@login_required(login_url=LOGIN_URL)
def password_change_done(request):
    return render(request, "accounts/password_change_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = MemberSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # A successful reset lifts a login lockout of the address.
        services.login_failures_clear(email=self.user.email)
        return response

    def render_to_response(self, context, **response_kwargs):
        if not context.get("validlink"):
            response_kwargs.setdefault("status", 410)
        return super().render_to_response(context, **response_kwargs)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- my page ------------------------------------------------------------------------------------


@never_cache
@member_login_required
@require_safe
def mypage(request):
    return render(request, "accounts/mypage.html", {
        "member": selectors.member_of_user(request.user),
        "card_url": CARD_URL,
    })


@never_cache
@member_login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    member = selectors.member_of_user(request.user)
    if member is None:
        return redirect("accounts:mypage")
    if request.method == "POST":
        form = ProfileForm(request.POST, member=member, child_rows=_child_rows(request.POST))
        if form.is_valid():
            member_services.member_profile_update(member=member, profile=form.profile_data())
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:mypage")
    else:
        form = ProfileForm(member=member)
    return render(request, "accounts/profile_form.html", {"form": form, "member": member})


@never_cache
@member_login_required
@sensitive_post_parameters("current_password")
@require_http_methods(["GET", "POST"])
def email_change(request):
    form = EmailChangeForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        limited = _address_send_limited(request, scope="email-change-address", email=new_email)
        if limited:
            return limited
        services.email_change_request_create(user=request.user, new_email=new_email,
                                             language=get_language())
        request.session[EMAIL_CHANGE_SESSION_KEY] = new_email
        return redirect("accounts:email_change_sent")
    return render(request, "accounts/email_change_form.html", {"form": form})


@never_cache
@member_login_required
@require_safe
def email_change_sent(request):
    return render(request, "accounts/email_change_sent.html", {
        "email": request.session.get(EMAIL_CHANGE_SESSION_KEY, ""),
        "hours": services.email_change_link_hours(),
        **mail_help_context(),
    })


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token: str):
    """GET shows a button; only the POST changes the address (mail scanners open links)."""
    change_request = selectors.email_change_request_by_token(token=token)
    state = selectors.email_change_request_state(change_request)
    if state != "valid":
        return _link_problem(request, state=state, kind="email_change")
    if request.method == "POST":
        try:
            user = services.email_change_confirm(change_request=change_request,
                                                 language=get_language())
        except services.LinkError as error:
            return _link_problem(request, state=error.reason, kind="email_change")
        request.session.pop(EMAIL_CHANGE_SESSION_KEY, None)
        return render(request, "accounts/email_change_done.html", {"new_email": user.email})
    return render(request, "accounts/email_change_confirm.html", {
        "new_email": change_request.new_email,
    })


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
@ip_rate_limit("email-change-undo")
def email_change_undo(request, token: str):
    """The link mailed to the OLD address after a sign-in address change: GET shows the
    form (mail scanners open links), the POST puts the old address back with a new
    password, which signs every session out and revokes every API token."""
    try:
        change = services.email_change_undo_load(token)
        user = services.email_change_undo_user(change)
    except services.LinkError as error:
        return render(request, "accounts/email_change_undo.html", {"state": error.reason},
                      status=LINK_STATUS.get(error.reason, 400))
    form = MemberSetPasswordForm(user, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.email_change_undo(token=token,
                                              new_password=form.cleaned_data["new_password1"])
        except services.LinkError as error:
            return render(request, "accounts/email_change_undo.html", {"state": error.reason},
                          status=LINK_STATUS.get(error.reason, 400))
        if request.user.is_authenticated:
            auth_logout(request)
        return render(request, "accounts/email_change_undo.html",
                      {"state": "done", "email": user.email})
    return render(request, "accounts/email_change_undo.html",
                  {"state": "valid", "form": form, "email": change["o"]},
                  status=400 if form.is_bound else 200)


@never_cache
@member_login_required
@sensitive_post_parameters("current_password")
@require_http_methods(["GET", "POST"])
def account_delete(request):
    deletable = member_services.member_account_deletable(user=request.user)
    form = AccountDeleteForm(_posted(request), user=request.user)
    if request.method == "POST" and deletable and form.is_valid():
        member_services.member_account_delete(user=request.user)
        auth_logout(request)
        return redirect("accounts:account_deleted")
    return render(request, "accounts/account_delete.html", {
        "form": form, "deletable": deletable,
        "member": selectors.member_of_user(request.user),
    }, status=403 if not deletable and request.method == "POST" else 200)


@require_safe
def account_deleted(request):
    return render(request, "accounts/account_deleted.html")


@never_cache
@member_login_required
@require_safe
def data_export(request):
    data = selectors.member_data_export(user=request.user)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="my-passport-data-{stamp}.json"'
    return response
