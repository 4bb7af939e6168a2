"""The member profile form, used at sign-up (本登録) and on the profile page.

Every field has a visible label and a Japanese error. Children are birth-date
rows without JavaScript: at least three, and always two empty rows after the
children already stored, so a larger family adds more on each save (an "add a
row" submit button was avoided: pressing Enter in any field would trigger it,
as the first submit button of a form is its default). Dates are checked against today in the portal's time zone:

- a child's birth date and the marriage date cannot be in the future;
- the due date and the planned marriage date cannot be in the past, *when they
  are entered or changed*: a stored due date or planned date naturally passes
  (the baby is born, the wedding happens) and must not block saving the rest.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.masters.models import BenefitType, Genre, Municipality
from directory.members.models import Member
from directory.members.services import ProfileData
from directory.text import typed

MIN_CHILD_ROWS = 3
EMPTY_CHILD_ROWS = 2
MAX_CHILD_ROWS = 20
# A due date further ahead than this is a typo (a pregnancy lasts about 280 days).
DUE_DATE_MAX_DAYS_AHEAD = 310
_KANA = re.compile(r"^[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe\s]+$")


def municipality_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Municipalities grouped by area for a <select> with <optgroup>s (one query)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    municipalities = Municipality.objects.select_related("area").order_by(
        "area__sort_order", "area__code", "sort_order", "code"
    )
    for municipality in municipalities:
        groups.setdefault(municipality.area.name, []).append((municipality.code, municipality.name))
    return list(groups.items())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "p-form__control", **(attrs or {})}, format="%Y-%m-%d")


def _text_input(autocomplete: str | None = None, **attrs) -> forms.TextInput:
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return forms.TextInput(attrs={"class": "p-form__control", **attrs})


def _kana(value: str) -> str:
    value = typed(value)
    if value and not _KANA.match(value):
        raise forms.ValidationError(
            _("Enter the reading in hiragana or katakana."), code="kana"
        )
    return value


class ProfileForm(forms.Form):
    family_name = forms.CharField(
        label=_("Family name"), max_length=50, widget=_text_input("family-name"),
        error_messages={"required": _("Enter your family name.")},
    )
    given_name = forms.CharField(
        label=_("Given name"), max_length=50, widget=_text_input("given-name"),
        error_messages={"required": _("Enter your given name.")},
    )
    family_name_kana = forms.CharField(
        label=_("Family name in kana (optional)"), max_length=50, required=False,
        widget=_text_input(), help_text=_("For example: おおさか"),
    )
    given_name_kana = forms.CharField(
        label=_("Given name in kana (optional)"), max_length=50, required=False,
        widget=_text_input(), help_text=_("For example: はなこ"),
    )
    municipality = forms.ChoiceField(
        label=_("Home municipality"),
        widget=forms.Select(attrs={"class": "p-form__control"}),
        error_messages={
            "required": _("Select the municipality you live in."),
            "invalid_choice": _("Select the municipality you live in from the list."),
        },
    )
    due_date = forms.DateField(
        label=_("Due date (optional)"), required=False, widget=DateInput(),
        help_text=_("If you are expecting a child."),
        error_messages={"invalid": _("Enter the due date as a date, e.g. 2026-04-01.")},
    )
    marriage_date = forms.DateField(
        label=_("Marriage date (optional)"), required=False, widget=DateInput(),
        help_text=_("If you married recently."),
        error_messages={"invalid": _("Enter the marriage date as a date, e.g. 2026-04-01.")},
    )
    planned_marriage_date = forms.DateField(
        label=_("Planned marriage date (optional)"), required=False, widget=DateInput(),
        help_text=_("If you plan to marry."),
        error_messages={
            "invalid": _("Enter the planned marriage date as a date, e.g. 2026-04-01.")
        },
    )
    preferred_genres = forms.ModelMultipleChoiceField(
        label=_("Shop genres you are interested in (optional)"), required=False,
        queryset=Genre.objects.none(), to_field_name="code",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "p-check__input"}),
        error_messages={"invalid_choice": _("Select genres from the list.")},
    )
    preferred_benefit_types = forms.ModelMultipleChoiceField(
        label=_("Benefit types you are interested in (optional)"), required=False,
        queryset=BenefitType.objects.none(), to_field_name="code",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "p-check__input"}),
        error_messages={"invalid_choice": _("Select benefit types from the list.")},
    )
    notify_by_email = forms.BooleanField(
        label=_("Receive news by e-mail"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "p-check__input"}),
    )
    notify_by_push = forms.BooleanField(
        label=_("Receive push notifications on this phone or computer"), required=False,
        initial=True, widget=forms.CheckboxInput(attrs={"class": "p-check__input"}),
    )

    def __init__(self, *args, member: Member | None = None, child_rows: int | None = None,
                 **kwargs):
        self.member = member
        if member is not None:
            kwargs.setdefault("initial", profile_initial(member))
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("Select")), *municipality_choices()]
        self.fields["preferred_genres"].queryset = Genre.objects.active().filter(for_shops=True)
        self.fields["preferred_benefit_types"].queryset = BenefitType.objects.active()
        existing = len(self.initial.get("children", []))
        rows = child_rows if child_rows is not None else existing + EMPTY_CHILD_ROWS
        rows = max(MIN_CHILD_ROWS, min(MAX_CHILD_ROWS, rows))
        self.child_rows = rows
        children = list(self.initial.get("children", []))
        for index in range(1, rows + 1):
            name = f"child_{index}"
            self.fields[name] = forms.DateField(
                label=gettext("Child %(number)s: date of birth") % {"number": index},
                required=False, widget=DateInput(),
                error_messages={"invalid": _("Enter the date of birth as a date, e.g. 2020-04-01.")},
            )
            if index <= len(children) and name not in self.initial:
                self.initial[name] = children[index - 1]
        # The children's rows come right after the municipality (page and error order).
        names = [name for name in self.fields if not name.startswith("child_")]
        after = names.index("municipality") + 1
        self.order_fields([*names[:after], *(f"child_{i}" for i in range(1, rows + 1)),
                           *names[after:]])

    # --- grouping for the template --------------------------------------------------
    @property
    def child_fields(self):
        return [self[f"child_{index}"] for index in range(1, self.child_rows + 1)]

    # --- validation ------------------------------------------------------------------
    @staticmethod
    def _today() -> datetime.date:
        return timezone.localdate()

    def _stored(self, name):
        return getattr(self.member, name, None) if self.member is not None else None

    def clean_family_name_kana(self):
        return _kana(self.cleaned_data.get("family_name_kana", ""))

    def clean_given_name_kana(self):
        return _kana(self.cleaned_data.get("given_name_kana", ""))

    def clean_municipality(self):
        code = self.cleaned_data["municipality"]
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise forms.ValidationError(
                self.fields["municipality"].error_messages["invalid_choice"], code="invalid_choice"
            )
        return municipality

    def clean_due_date(self):
        value = self.cleaned_data.get("due_date")
        if value is None or value == self._stored("due_date"):
            return value
        today = self._today()
        if value < today:
            raise forms.ValidationError(_("The due date cannot be in the past."), code="past")
        if value > today + datetime.timedelta(days=DUE_DATE_MAX_DAYS_AHEAD):
            raise forms.ValidationError(
                _("The due date is too far ahead. Check the year."), code="too_far"
            )
        return value

    def clean_marriage_date(self):
        value = self.cleaned_data.get("marriage_date")
        if value is not None and value > self._today():
            raise forms.ValidationError(
                _("The marriage date cannot be in the future. If you plan to marry, "
                  "enter the planned marriage date instead."), code="future",
            )
        return value

    def clean_planned_marriage_date(self):
        value = self.cleaned_data.get("planned_marriage_date")
        if value is None or value == self._stored("planned_marriage_date"):
            return value
        if value < self._today():
            raise forms.ValidationError(
                _("The planned marriage date cannot be in the past. If you have married, "
                  "enter the marriage date instead."), code="past",
            )
        return value

    def clean(self):
        cleaned = super().clean()
        today = self._today()
        for index in range(1, self.child_rows + 1):
            name = f"child_{index}"
            value = cleaned.get(name)
            if value is not None and value > today:
                self.add_error(name, forms.ValidationError(
                    _("A date of birth cannot be in the future. For an expected baby, "
                      "enter the due date."), code="future",
                ))
        return cleaned

    # --- output ------------------------------------------------------------------------
    def child_birth_dates(self) -> tuple[datetime.date, ...]:
        dates = (self.cleaned_data.get(f"child_{index}") for index in range(1, self.child_rows + 1))
        return tuple(sorted(date for date in dates if date is not None))

    def profile_data(self) -> ProfileData:
        data = self.cleaned_data
        return ProfileData(
            family_name=typed(data["family_name"]),
            given_name=typed(data["given_name"]),
            family_name_kana=data.get("family_name_kana", ""),
            given_name_kana=data.get("given_name_kana", ""),
            municipality=data["municipality"],
            child_birth_dates=self.child_birth_dates(),
            due_date=data.get("due_date"),
            marriage_date=data.get("marriage_date"),
            planned_marriage_date=data.get("planned_marriage_date"),
            preferred_genres=tuple(data.get("preferred_genres") or ()),
            preferred_benefit_types=tuple(data.get("preferred_benefit_types") or ()),
            notify_by_email=bool(data.get("notify_by_email")),
            notify_by_push=bool(data.get("notify_by_push")),
        )


def profile_initial(member: Member) -> dict:
    return {
        "family_name": member.family_name,
        "given_name": member.given_name,
        "family_name_kana": member.family_name_kana,
        "given_name_kana": member.given_name_kana,
        "municipality": member.municipality.code if member.municipality_id else "",
        "due_date": member.due_date,
        "marriage_date": member.marriage_date,
        "planned_marriage_date": member.planned_marriage_date,
        "preferred_genres": [genre.code for genre in member.preferred_genres.all()],
        "preferred_benefit_types": [kind.code for kind in member.preferred_benefit_types.all()],
        "notify_by_email": member.notify_by_email,
        "notify_by_push": member.notify_by_push,
        "children": [child.birth_date for child in member.children.all()],
    }
