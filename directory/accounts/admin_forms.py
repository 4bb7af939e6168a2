"""The back office's own account settings (/admin/account/): the sign-in e-mail address.

Wagtail's "Name and Email" panel would change the address with only a session
(WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False removes its field); this panel asks for the
current password, and the change is audited and mailed to the old address with a
link to undo it (directory.accounts.signals)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.account import BaseSettingsPanel

from directory.accounts import ratelimit, services
from directory.accounts.forms import CurrentPasswordMixin, normalise_email


class SignInEmailForm(CurrentPasswordMixin, forms.Form):
    new_email = forms.EmailField(
        label=_("New sign-in e-mail address"), max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false",
                                       "autocapitalize": "none"}),
        help_text=_("Leave empty to keep the current address. Your previous address is "
                    "told about the change, with a link to undo it."),
        error_messages={"invalid": _("Enter an e-mail address in the form name@example.jp.")},
    )
    current_password = forms.CharField(
        label=_("Current password"), strip=False, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Required to change the sign-in e-mail address."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_email(self):
        email = normalise_email(self.cleaned_data.get("new_email") or "")
        if email and email == normalise_email(self.user.email):
            raise forms.ValidationError(
                _("This is already your e-mail address. Enter a different one."), code="same")
        return email

    def clean_current_password(self):
        if not self.cleaned_data.get("current_password"):
            raise forms.ValidationError(_("Enter the password."), code="required")
        # A session alone must not be a way to guess the password: the per-account
        # lockout of the login counts wrong passwords here too.
        key = normalise_email(self.user.email)
        if ratelimit.lockout_remaining(scope=services.LOGIN_ACCOUNT_SCOPE, key=key):
            raise forms.ValidationError(
                _("Too many wrong passwords. Wait 15 minutes and try again."), code="locked")
        try:
            return super().clean_current_password()
        except forms.ValidationError:
            attempts, seconds = ratelimit.lockout_settings()
            ratelimit.lockout_failure(scope=services.LOGIN_ACCOUNT_SCOPE, key=key,
                                      attempts=attempts, seconds=seconds)
            raise

    def save(self):
        try:
            services.sign_in_email_change(user=self.user,
                                          new_email=self.cleaned_data["new_email"])
        except services.LinkError as error:  # pragma: no cover - checked in clean()
            raise forms.ValidationError(str(error)) from error

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("new_email")
        if email and services.User.objects.filter(email__iexact=email).exclude(
                pk=self.user.pk).exists():
            self.add_error("new_email", _("This e-mail address cannot be used."))
        return cleaned


class SignInEmailSettingsPanel(BaseSettingsPanel):
    name = "sign_in_email"
    title = _("Sign-in e-mail address")
    order = 150  # after "Name", before the profile picture
    form_class = SignInEmailForm
    template_name = "accounts/admin/sign_in_email_panel.html"

    def get_form(self):
        # Bound only when a new address is typed: saving the other panels (name,
        # language…) needs no password.
        data = self.request.POST if self.request.method == "POST" else None
        if data is not None and not data.get(f"{self.name}-new_email", "").strip():
            data = None
        return self.form_class(data, user=self.user, prefix=self.name)

    def get_context_data(self):
        return {**super().get_context_data(), "current_email": self.user.email}
