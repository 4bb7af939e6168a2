"""Abuse limits on the Wagtail admin's login and password reset, where shop owners
(and staff) sign in. Mounted in config/urls.py before Wagtail's admin URLs, at
the same paths, so `reverse("wagtailadmin_login")` still names them.

- Login: the member side's limits (directory/accounts/services.py), shared with
  it: failures are counted per client IP and per account (e-mail), and a locked
  account or a busy IP gets HTTP 429 with a Japanese page and Retry-After. A
  successful login or password reset lifts the account's lockout.
- Password reset: POSTs limited per IP and mails per address (429 the same way);
  the mail goes out through the member side's django-q2 task, with a link on the
  configured site address (never the request's Host header).
"""

from __future__ import annotations

import math

from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.debug import sensitive_post_parameters
from django_q.tasks import async_task
from wagtail.admin.forms.auth import PasswordResetForm
from wagtail.admin.views import account

from directory.accounts import services as account_services
from directory.accounts.forms import normalise_email
from directory.accounts.ratelimit import client_ip, ip_limit_settings, rate_limit_hit
from directory.accounts.tasks import TASK_PREFIX as ACCOUNT_TASKS

TEMPLATE = "shops/admin/rate_limited.html"


def admin_too_many_requests(request, *, retry_after: int, reason: str = "ip"):
    retry_after = max(1, int(retry_after))
    response = render(request, TEMPLATE, {
        "retry_after": retry_after,
        "retry_minutes": max(1, math.ceil(retry_after / 60)),
        "reason": reason,
    }, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _hit(request, *, scope: str, key: str):
    limit, window = ip_limit_settings()
    result = rate_limit_hit(scope=scope, key=key, limit=limit, window=window)
    if not result.allowed:
        return admin_too_many_requests(request, retry_after=result.retry_after)
    return None


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class AdminLoginView(account.LoginView):
    def post(self, request, *args, **kwargs):
        self.login_email = normalise_email(request.POST.get("username", ""))[:254]
        self.login_ip = client_ip(request)
        blocked = account_services.login_blocked(email=self.login_email, ip=self.login_ip)
        if blocked:
            reason, retry_after = blocked
            return admin_too_many_requests(request, retry_after=retry_after, reason=reason)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        account_services.login_failures_clear(email=self.login_email)
        return super().form_valid(form)

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            account_services.login_failure_record(email=self.login_email, ip=self.login_ip)
        return super().form_invalid(form)


class AdminPasswordResetForm(PasswordResetForm):
    """Wagtail's form; the mail goes through the member side's task with a link on
    the configured site address."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        path = reverse("wagtailadmin_password_reset_confirm", kwargs={
            "uidb64": context["uid"], "token": context["token"],
        })
        async_task(f"{ACCOUNT_TASKS}send_password_reset_email", email=to_email,
                   url=account_services.absolute_url(path), language=get_language())


class AdminPasswordResetView(account.PasswordResetView):
    def get_form_class(self):
        return AdminPasswordResetForm

    def post(self, request, *args, **kwargs):
        limited = _hit(request, scope="admin-password-reset", key=client_ip(request))
        return limited or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = normalise_email(form.cleaned_data["email"])
        limited = _hit(self.request, scope="admin-password-reset-address", key=email)
        return limited or super().form_valid(form)


class AdminPasswordResetConfirmView(account.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        account_services.login_failures_clear(email=self.user.email)
        return response
