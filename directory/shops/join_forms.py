"""Forms of the shop-account registration (協賛店の方へ), built on the member side's
fields and password checks (directory/accounts/forms.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.accounts.forms import NewPasswordMixin, SignupForm
from directory.accounts.models import User
from directory.validators import phone_validator


class JoinForm(SignupForm):
    """仮登録: the e-mail address and the agreement (the member sign-up's form, with
    the shop's wording)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "The address the secretariat and the system write to about your shop. "
            "It is also your login name."
        )
        self.fields["agree_terms"].label = _(
            "I agree to the sponsor shop terms and to how the contact data is handled"
        )
        self.fields["agree_terms"].error_messages["required"] = _(
            "To register, agree to the sponsor shop terms."
        )


class JoinCompleteForm(NewPasswordMixin, forms.Form):
    """本登録: a password, and the contact person's name and phone."""

    contact_name = forms.CharField(
        label=_("Contact person's name"), max_length=100,
        help_text=_("The person the secretariat contacts about your listing."),
        widget=forms.TextInput(attrs={"class": "p-form__control", "autocomplete": "name"}),
        error_messages={"required": _("Enter the contact person's name.")},
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=20, required=False,
        validators=[phone_validator],
        help_text=_("For example 06-6941-0351. Optional."),
        widget=forms.TextInput(attrs={"class": "p-form__control", "autocomplete": "tel",
                                      "inputmode": "tel"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self._add_password_fields()
        self.order_fields(["password1", "password2", "contact_name", "contact_phone"])

    @property
    def password_fields(self):
        return [self["password1"], self["password2"]]

    @property
    def contact_fields(self):
        return [self["contact_name"], self["contact_phone"]]

    def clean_contact_name(self):
        name = " ".join(self.cleaned_data["contact_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the contact person's name."), code="required")
        return name

    def clean(self):
        cleaned = super().clean()
        self._check_new_password(User(email=self.email))
        return cleaned
