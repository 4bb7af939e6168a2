"""Rules shared by the back-office forms of events and ふぁみなび articles.

- The creator is set on the instance before Wagtail saves it, so it is part of
  the first revision too. Wagtail 8's autosave creates the record from the
  first keystrokes; a creator written afterwards (an after_create hook) would be
  missing from that revision, and the next save (restored from it) would clear
  it again, leaving the author without access to what they made.
- Municipal staff post only for their own municipality, as the API does
  (api/content_management.py, code out_of_scope): the field offers only theirs,
  is filled in when left empty, and any other id is refused with a message.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

OUT_OF_SCOPE = _("You may only post for your own municipality.")


class CreatorFormMixin:
    def save(self, commit=True):
        instance = self.instance
        if instance.pk is None:
            if instance.created_by_id is None and self.for_user is not None:
                instance.created_by = self.for_user
        elif instance.created_by_id is None:
            # A revision written before the creator was kept in revisions: keep the row's.
            instance.created_by_id = (
                type(instance)._default_manager.filter(pk=instance.pk)
                .values_list("created_by", flat=True).first()
            )
        return super().save(commit=commit)


class MunicipalScopeFormMixin:
    municipality_field = "municipality"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from directory.access import fixed_municipality_id
        from directory.masters.models import Municipality

        self.fixed_municipality_id = fixed_municipality_id(self.for_user, self._meta.model)
        field = self.fields.get(self.municipality_field)
        if self.fixed_municipality_id is None or field is None:
            return
        field.queryset = Municipality.objects.filter(pk=self.fixed_municipality_id)
        field.empty_label = None  # one option, already chosen: nothing to pick
        field.error_messages = {**field.error_messages, "invalid_choice": OUT_OF_SCOPE}
        field.help_text = _("Municipal staff post for their own municipality.")
        if self.instance.pk is None:
            self.initial[self.municipality_field] = self.fixed_municipality_id

    def clean(self):
        cleaned = super().clean()
        if self.fixed_municipality_id is None or self.municipality_field not in self.fields:
            return cleaned
        municipality = cleaned.get(self.municipality_field)
        if self.municipality_field in self.errors:
            return cleaned
        if municipality is None:
            # Left empty (a draft): theirs, so the record stays within their reach.
            from directory.masters.models import Municipality

            cleaned[self.municipality_field] = Municipality.objects.get(
                pk=self.fixed_municipality_id)
        elif municipality.pk != self.fixed_municipality_id:
            self.add_error(self.municipality_field,
                           ValidationError(OUT_OF_SCOPE, code="out_of_scope"))
        return cleaned
