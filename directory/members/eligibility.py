"""Who may show which card, and until when.

`member_eligibility(member, today=...)` reads the programmes' enabled
`EligibilityRule` rows as data (one query with a prefetch, or none when the
caller passes `programmes` from `selectors.programmes_with_rules()`) and the
member's own dates, and returns one `ProgrammeEligibility` per programme. It
writes nothing and never looks at the clock: `today` is always passed in.

A member is eligible for a programme when any one enabled rule is met; the
card is then valid until the latest date any met rule gives. The rules, with
`N` the rule's age limit or number of months:

child_under_age (age_limit N, cutoff)
    Japanese law (年齢計算ニ関スル法律) has a person reach age N at the end of
    the day before the N-th birthday: the *age-reaching day* (N歳に達する日)
    is `birth date - 1 day + N years` (a 28 February when that year has no
    29 February). For a child born (birth date <= today):
      * cutoff "birthday": valid until the age-reaching day, i.e. the day
        before the N-th birthday;
      * cutoff "fiscal_year_end": valid until the first 31 March on or after
        the age-reaching day (N歳に達する日以後の最初の3月31日), the school-year
        rule of 児童手当. A child born on 1 April 2010 reaches 18 on 31 March
        2028, so the card runs to 31 March 2028; one born on 2 April 2010
        reaches 18 on 1 April 2028, so it runs to 31 March 2029.
    With several children the youngest (latest date) counts. A birth date in
    the future is not a born child and is ignored.
pregnancy (months optional)
    Eligible from when the due date is entered (at most ten months ahead; a
    due date further out is treated as a typing mistake) until the due date
    plus a grace period: `rule.months` when the secretariat set it, else
    PREGNANCY_GRACE_MONTHS (3). The grace covers a late birth and the weeks a
    new parent needs to add the baby's birth date, after which the child rule
    takes over.
married_within (months N)
    Married on or before today and today <= marriage date + N months; valid
    until marriage date + N months (31 January + 1 month = 28/29 February).
planning_marriage (months N)
    The planned marriage date is at most N months ahead (planned date <=
    today + N months) and today <= planned date + N months; valid until the
    planned date + N months. Once the planned date has passed, the couple is
    taken to have married on it, so the card does not vanish the day after
    the wedding; entering the real marriage date switches to married_within.

A programme with no enabled rule issues no card ("not issued at the moment").
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from directory.masters.models import EligibilityRule, Programme

PREGNANCY_GRACE_MONTHS = 3
PREGNANCY_MAX_LEAD_MONTHS = 10
PROFILE_URL_NAME = "accounts:profile"
PROFILE_URL_FALLBACK = "/accounts/mypage/profile/"

Kind = EligibilityRule.Kind


# --- date arithmetic -------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months; a missing day becomes the month's last day."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, years * 12)


def age_reaching_day(birth_date: datetime.date, age: int) -> datetime.date:
    """The day a person born on `birth_date` reaches `age` (the day before the birthday)."""
    return add_years(birth_date - datetime.timedelta(days=1), age)


def fiscal_year_end_on_or_after(day: datetime.date) -> datetime.date:
    """The first 31 March on or after `day`."""
    march_31 = datetime.date(day.year, 3, 31)
    return march_31 if day <= march_31 else datetime.date(day.year + 1, 3, 31)


def child_valid_until(birth_date: datetime.date, *, age_limit: int, cutoff: str) -> datetime.date:
    reached = age_reaching_day(birth_date, age_limit)
    if cutoff == EligibilityRule.Cutoff.FISCAL_YEAR_END:
        return fiscal_year_end_on_or_after(reached)
    return reached


# --- results ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why one rule is not met: a stable code (for tests and the API) and a sentence."""

    code: str
    message: str


@dataclass(frozen=True)
class RuleOutcome:
    kind: str
    eligible: bool
    valid_until: datetime.date | None = None
    reason: Reason | None = None


@dataclass(frozen=True)
class ProgrammeEligibility:
    programme: Programme
    eligible: bool
    valid_until: datetime.date | None
    basis: str | None = None  # the rule kind that gives valid_until
    reasons: tuple[Reason, ...] = ()
    action: str = ""
    action_url: str = ""
    outcomes: tuple[RuleOutcome, ...] = field(default=(), repr=False)

    @property
    def reason_codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


# --- the rules -------------------------------------------------------------------


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _child_rule(rule, birth_dates: list[datetime.date], today) -> RuleOutcome:
    age_limit = rule.age_limit or 18
    cutoff = rule.cutoff or EligibilityRule.Cutoff.BIRTHDAY
    born = [birth for birth in birth_dates if birth <= today]
    if not born:
        return RuleOutcome(rule.kind, False, reason=Reason(
            "no_children",
            _("No child's birth date is registered in your profile."),
        ))
    valid_until = max(
        child_valid_until(birth, age_limit=age_limit, cutoff=cutoff) for birth in born
    )
    if today <= valid_until:
        return RuleOutcome(rule.kind, True, valid_until)
    return RuleOutcome(rule.kind, False, valid_until, Reason(
        "children_over_age_limit",
        _("Every child registered in your profile is past the age limit (%(age)s). "
          "The card was valid until %(date)s.") % {"age": age_limit, "date": _day(valid_until)},
    ))


def _pregnancy_rule(rule, due_date, today) -> RuleOutcome:
    if due_date is None:
        return RuleOutcome(rule.kind, False, reason=Reason(
            "no_due_date", _("No due date is registered in your profile."),
        ))
    if due_date > add_months(today, PREGNANCY_MAX_LEAD_MONTHS):
        return RuleOutcome(rule.kind, False, reason=Reason(
            "due_date_too_far",
            _("The due date in your profile (%(date)s) is more than %(months)s months "
              "away. Please check it.") % {"date": _day(due_date),
                                            "months": PREGNANCY_MAX_LEAD_MONTHS},
        ))
    months = rule.months if rule.months else PREGNANCY_GRACE_MONTHS
    valid_until = add_months(due_date, months)
    if today <= valid_until:
        return RuleOutcome(rule.kind, True, valid_until)
    return RuleOutcome(rule.kind, False, valid_until, Reason(
        "due_date_passed",
        _("The due date in your profile (%(date)s) has passed. Add your child's birth "
          "date to keep the card.") % {"date": _day(due_date)},
    ))


def _married_rule(rule, marriage_date, today) -> RuleOutcome:
    months = rule.months or 12
    if marriage_date is None:
        return RuleOutcome(rule.kind, False, reason=Reason(
            "no_marriage_date", _("No marriage date is registered in your profile."),
        ))
    if marriage_date > today:
        return RuleOutcome(rule.kind, False, reason=Reason(
            "marriage_date_in_future",
            _("The marriage date in your profile (%(date)s) is in the future. If it is "
              "the date you plan to marry, enter it as the planned marriage date.")
            % {"date": _day(marriage_date)},
        ))
    valid_until = add_months(marriage_date, months)
    if today <= valid_until:
        return RuleOutcome(rule.kind, True, valid_until)
    return RuleOutcome(rule.kind, False, valid_until, Reason(
        "married_too_long_ago",
        _("The pass is for couples within %(months)s months of marrying; it was valid "
          "until %(date)s.") % {"months": months, "date": _day(valid_until)},
    ))


def _planning_rule(rule, planned_date, today) -> RuleOutcome:
    months = rule.months or 12
    if planned_date is None:
        return RuleOutcome(rule.kind, False, reason=Reason(
            "no_planned_marriage_date",
            _("No planned marriage date is registered in your profile."),
        ))
    if planned_date > add_months(today, months):
        return RuleOutcome(rule.kind, False, reason=Reason(
            "planned_marriage_too_far",
            _("The planned marriage date (%(date)s) is more than %(months)s months away. "
              "The pass becomes available on %(from)s.")
            % {"date": _day(planned_date), "months": months,
               "from": _day(add_months(planned_date, -months))},
        ))
    valid_until = add_months(planned_date, months)
    if today <= valid_until:
        return RuleOutcome(rule.kind, True, valid_until)
    return RuleOutcome(rule.kind, False, valid_until, Reason(
        "planned_marriage_too_long_ago",
        _("The planned marriage date (%(date)s) is more than %(months)s months ago; the "
          "pass was valid until %(until)s.")
        % {"date": _day(planned_date), "months": months, "until": _day(valid_until)},
    ))


def _outcome(rule, facts: dict, today: datetime.date) -> RuleOutcome | None:
    if rule.kind == Kind.CHILD_UNDER_AGE:
        return _child_rule(rule, facts["birth_dates"], today)
    if rule.kind == Kind.PREGNANCY:
        return _pregnancy_rule(rule, facts["due_date"], today)
    if rule.kind == Kind.MARRIED_WITHIN:
        return _married_rule(rule, facts["marriage_date"], today)
    if rule.kind == Kind.PLANNING_MARRIAGE:
        return _planning_rule(rule, facts["planned_marriage_date"], today)
    return None  # an unknown kind (added to the data before the code) is ignored


def profile_url() -> str:
    try:
        return reverse(PROFILE_URL_NAME)
    except NoReverseMatch:
        return PROFILE_URL_FALLBACK


def _action(kinds: set[str]) -> str:
    child = kinds & {Kind.CHILD_UNDER_AGE, Kind.PREGNANCY}
    marriage = kinds & {Kind.MARRIED_WITHIN, Kind.PLANNING_MARRIAGE}
    if child == {Kind.CHILD_UNDER_AGE, Kind.PREGNANCY}:
        return _("Add or correct your children's birth dates or your due date in your profile.")
    if Kind.CHILD_UNDER_AGE in child:
        return _("Add or correct your children's birth dates in your profile.")
    if Kind.PREGNANCY in child:
        return _("Add or correct your due date in your profile.")
    if marriage == {Kind.MARRIED_WITHIN, Kind.PLANNING_MARRIAGE}:
        return _("Enter your marriage date, or the date you plan to marry, in your profile.")
    if Kind.MARRIED_WITHIN in marriage:
        return _("Enter your marriage date in your profile.")
    if Kind.PLANNING_MARRIAGE in marriage:
        return _("Enter the date you plan to marry in your profile.")
    return ""


def _enabled_rules(programme: Programme) -> list[EligibilityRule]:
    rules = getattr(programme, "enabled_rules", None)
    if rules is None:  # not from selectors.programmes_with_rules(): filter the prefetch
        rules = [rule for rule in programme.eligibility_rules.all() if rule.enabled]
    return [rule for rule in rules if rule.enabled]


def programme_eligibility(programme: Programme, facts: dict,
                          today: datetime.date) -> ProgrammeEligibility:
    outcomes = [
        outcome for rule in _enabled_rules(programme)
        if (outcome := _outcome(rule, facts, today)) is not None
    ]
    if not outcomes:
        return ProgrammeEligibility(
            programme=programme, eligible=False, valid_until=None,
            reasons=(Reason("not_issued", _("This card is not being issued at the moment.")),),
        )
    met = [outcome for outcome in outcomes if outcome.eligible]
    if met:
        best = max(met, key=lambda outcome: outcome.valid_until)
        return ProgrammeEligibility(
            programme=programme, eligible=True, valid_until=best.valid_until,
            basis=best.kind, outcomes=tuple(outcomes),
        )
    return ProgrammeEligibility(
        programme=programme, eligible=False, valid_until=None,
        reasons=tuple(outcome.reason for outcome in outcomes if outcome.reason),
        action=_action({outcome.kind for outcome in outcomes}),
        action_url=profile_url(),
        outcomes=tuple(outcomes),
    )


def member_facts(member) -> dict:
    """The dates the rules read. `member.children.all()` uses a prefetch when there is one."""
    return {
        "birth_dates": [child.birth_date for child in member.children.all()],
        "due_date": member.due_date,
        "marriage_date": member.marriage_date,
        "planned_marriage_date": member.planned_marriage_date,
    }


def member_eligibility(
    member,
    *,
    today: datetime.date,
    programmes: Iterable[Programme] | None = None,
) -> list[ProgrammeEligibility]:
    """One result per programme, in the programmes' order.

    Pass `programmes` from `selectors.programmes_with_rules()` and a member from
    `selectors.member_with_children()` and this runs no query at all.
    """
    if programmes is None:
        from directory.members.selectors import programmes_with_rules

        programmes = programmes_with_rules()
    facts = member_facts(member)
    return [programme_eligibility(programme, facts, today) for programme in programmes]


def eligibility_for(member, programme_code: str, *, today: datetime.date,
                    programmes: Iterable[Programme] | None = None) -> ProgrammeEligibility | None:
    for result in member_eligibility(member, today=today, programmes=programmes):
        if result.programme.code == programme_code:
            return result
    return None
