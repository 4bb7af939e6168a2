"""Admin forms for the pages and the contact form's field builder."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.contrib.forms.forms import FormBuilder, WagtailAdminFormPageForm


class _DistinctErrorsMixin:
    """Wagtail's form and the page model both refuse an expiry before the go-live
    time with the same message; show it once."""

    def _post_clean(self):
        super()._post_clean()
        for errors in self._errors.values():
            seen, kept = set(), []
            for item in errors.data:
                key = " ".join(str(m) for m in item) if isinstance(item, ValidationError) \
                    else str(item)
                if key not in seen:
                    seen.add(key)
                    kept.append(item)
            errors.data[:] = kept


class PortalPageAdminForm(_DistinctErrorsMixin, WagtailAdminPageForm):
    pass


class PortalFormPageAdminForm(_DistinctErrorsMixin, WagtailAdminFormPageForm):
    pass


def message_max_length() -> int:
    return settings.PORTAL.get("CONTACT_MESSAGE_MAX_LENGTH", 2000)


class ContactFormBuilder(FormBuilder):
    """Wagtail's form builder with the site's classes, a length limit on long
    answers and Japanese error messages that say how to fix the entry.

    The limit is checked on the server, not with a maxlength attribute, so
    pasted text is never cut off silently: the visitor sees how long it was.
    """

    def create_multiline_field(self, field, options):
        limit = message_max_length()
        if not options.get("help_text"):
            options["help_text"] = _("Up to %(limit)s characters.") % {"limit": f"{limit:,}"}
        form_field = super().create_multiline_field(field, options)
        form_field.validators.append(MaxLengthValidator(limit, message=_(
            "Please shorten this to %(limit_value)s characters or fewer "
            "(it has %(show_value)s characters now).")))
        form_field.widget.attrs.setdefault("rows", 8)
        return form_field

    def create_email_field(self, field, options):
        options["error_messages"] = {
            "invalid": _("Enter an e-mail address in the form name@example.jp."),
        }
        form_field = super().create_email_field(field, options)
        form_field.widget.attrs.setdefault("autocomplete", "email")
        return form_field

    @property
    def formfields(self):
        fields = super().formfields
        for form_field in fields.values():
            widget = form_field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect |
                          forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            widget.attrs.setdefault("class", "p-form__control")
        return fields
