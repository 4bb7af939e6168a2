"""Forms of the member side: sign-up, login, password reset, e-mail change, deletion.

Labels are visible, errors are Japanese (English message ids), inputs carry the
autocomplete tokens password managers and phones use (email, current-password,
new-password). Messages never say whether an e-mail address is registered.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from directory.accounts.models import User
from directory.accounts.tasks import TASK_PREFIX
from directory.members.forms import ProfileForm


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def _email_field(label=None, **kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=label or _("E-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={
            "class": "p-form__control", "autocomplete": "email", "inputmode": "email",
            "spellcheck": "false", "autocapitalize": "none",
        }),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the form name@example.jp."),
        },
        **kwargs,
    )


def _password_field(label, autocomplete: str, help_text="", **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, strip=False, help_text=help_text,
        widget=forms.PasswordInput(attrs={"class": "p-form__control",
                                          "autocomplete": autocomplete}),
        error_messages={"required": _("Enter the password.")},
        **kwargs,
    )


def password_help_text() -> str:
    return " ".join(str(text) for text in password_validation.password_validators_help_texts())


class NewPasswordMixin:
    """Two new-password fields checked with settings.AUTH_PASSWORD_VALIDATORS."""

    password_mismatch = _("The two passwords do not match. Enter the same password twice.")

    def _add_password_fields(self):
        self.fields["password1"] = _password_field(
            _("Password"), "new-password", help_text=password_help_text(),
        )
        self.fields["password2"] = _password_field(
            _("Password (again)"), "new-password",
            help_text=_("Enter the same password again, to check for typing mistakes."),
        )

    def _check_new_password(self, user: User) -> None:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", forms.ValidationError(self.password_mismatch,
                                                              code="password_mismatch"))
            return
        if password1:
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class SignupForm(forms.Form):
    email = _email_field()
    agree_terms = forms.BooleanField(
        label=_("I agree to the terms of use and to how my personal data is handled"),
        widget=forms.CheckboxInput(attrs={"class": "p-check__input"}),
        error_messages={"required": _("To register, agree to the terms of use.")},
    )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class ResendForm(forms.Form):
    email = _email_field(help_text=_("The address you entered when you signed up."))

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class SignupCompleteForm(NewPasswordMixin, ProfileForm):
    """本登録: a password and the profile, on the page the e-mailed link opens."""

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self._add_password_fields()
        # Password first, as the page asks for it first.
        self.order_fields(["password1", "password2"])

    @property
    def password_fields(self):
        return [self["password1"], self["password2"]]

    @property
    def profile_fields(self):
        return [field for field in self if field.name not in {"password1", "password2"}]

    def clean(self):
        cleaned = super().clean()
        self._check_new_password(User(email=self.email))
        return cleaned


class LoginForm(forms.Form):
    email = _email_field()
    password = _password_field(_("Password"), "current-password")

    error_messages = {
        "invalid_login": _(
            "The e-mail address or the password is not correct. Check them and try again."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        email = self.cleaned_data.get("email")
        password = self.cleaned_data.get("password")
        if email and password:
            self.user_cache = authenticate(self.request, email=email, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(self.error_messages["invalid_login"],
                                            code="invalid_login")
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class MemberPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending its mail through a django-q2 task.

    Like Django's, it answers the same whether or not the address has an account.
    """

    email = _email_field()

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        path = reverse("accounts:password_reset_confirm", kwargs={
            "uidb64": context["uid"], "token": context["token"],
        })
        from directory.accounts.services import absolute_url

        async_task(f"{TASK_PREFIX}send_password_reset_email", email=to_email,
                   url=absolute_url(path), language=get_language())


class MemberSetPasswordForm(SetPasswordForm):
    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"] = _password_field(
            _("New password"), "new-password", help_text=password_help_text(),
        )
        self.fields["new_password2"] = _password_field(
            _("New password (again)"), "new-password",
            help_text=_("Enter the same password again, to check for typing mistakes."),
        )
        self.error_messages = {
            **self.error_messages, "password_mismatch": NewPasswordMixin.password_mismatch,
        }

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        if not self.has_error("new_password2"):
            self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class CurrentPasswordMixin:
    wrong_password = _("The password is not correct.")

    def clean_current_password(self):
        password = self.cleaned_data.get("current_password")
        if not self.user.check_password(password):
            raise forms.ValidationError(self.wrong_password, code="password_incorrect")
        return password


class MemberPasswordChangeForm(CurrentPasswordMixin, MemberSetPasswordForm):
    """A signed-in member's new password, after the current one."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        fields = {"current_password": _password_field(_("Current password"), "current-password")}
        fields.update(self.fields)
        self.fields = fields


class EmailChangeForm(CurrentPasswordMixin, forms.Form):
    new_email = _email_field(label=_("New e-mail address"))
    current_password = _password_field(_("Current password"), "current-password")

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_email(self):
        email = normalise_email(self.cleaned_data["new_email"])
        if email == normalise_email(self.user.email):
            raise forms.ValidationError(
                _("This is already your e-mail address. Enter a different one."), code="same",
            )
        return email


class AccountDeleteForm(CurrentPasswordMixin, forms.Form):
    current_password = _password_field(_("Current password"), "current-password")

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
