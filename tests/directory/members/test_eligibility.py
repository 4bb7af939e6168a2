"""Eligibility rules as data, with fixed dates (never the real clock)."""

import datetime

import pytest

from directory.masters.models import EligibilityRule
from directory.members.eligibility import (
    add_months,
    age_reaching_day,
    child_valid_until,
    fiscal_year_end_on_or_after,
    member_eligibility,
)
from directory.members.selectors import member_for_user, programmes_with_rules
from tests.factories import ChildFactory, MemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date
Kind = EligibilityRule.Kind
Cutoff = EligibilityRule.Cutoff


def member_with(*, children=(), due_date=None, marriage_date=None, planned=None):
    member = MemberFactory(due_date=due_date, marriage_date=marriage_date,
                           planned_marriage_date=planned)
    for birth in children:
        ChildFactory(member=member, birth_date=birth)
    return member


def result(member, code, today):
    results = {r.programme.code: r for r in member_eligibility(member, today=today)}
    return results[code]


def child(member, today):
    return result(member, "maido", today)


def marriage(member, today):
    return result(member, "enjoy", today)


def set_rule(code, kind, **fields):
    EligibilityRule.objects.filter(programme__code=code, kind=kind).update(**fields)


# --- date arithmetic -------------------------------------------------------------

@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2024, 5, 10), 12, D(2025, 5, 10)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2025, 11, 30), 3, D(2026, 2, 28)),
    (D(2025, 3, 31), -1, D(2025, 2, 28)),
    (D(2025, 12, 15), 1, D(2026, 1, 15)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("birth", "age", "reached"), [
    (D(2010, 4, 1), 18, D(2028, 3, 31)),
    (D(2010, 4, 2), 18, D(2028, 4, 1)),
    # Born on 29 February: reaches the age on 28 February of a common year…
    (D(2008, 2, 29), 18, D(2026, 2, 28)),
    # …and of a leap year too (the day before 29 February is 28 February).
    (D(2012, 2, 29), 16, D(2028, 2, 28)),
    # Born on 1 March after a 29 February: the day before is 29 February.
    (D(2012, 3, 1), 16, D(2028, 2, 29)),
    (D(2008, 3, 1), 18, D(2026, 2, 28)),
    (D(2010, 1, 1), 18, D(2027, 12, 31)),
])
def test_age_reaching_day(birth, age, reached):
    assert age_reaching_day(birth, age) == reached


def test_fiscal_year_end_on_or_after():
    assert fiscal_year_end_on_or_after(D(2028, 3, 31)) == D(2028, 3, 31)
    assert fiscal_year_end_on_or_after(D(2028, 4, 1)) == D(2029, 3, 31)
    assert fiscal_year_end_on_or_after(D(2028, 1, 1)) == D(2028, 3, 31)


def test_child_valid_until_both_cutoffs():
    assert child_valid_until(D(2010, 4, 1), age_limit=18, cutoff=Cutoff.FISCAL_YEAR_END) == D(2028, 3, 31)
    assert child_valid_until(D(2010, 4, 2), age_limit=18, cutoff=Cutoff.FISCAL_YEAR_END) == D(2029, 3, 31)
    assert child_valid_until(D(2010, 4, 2), age_limit=18, cutoff=Cutoff.BIRTHDAY) == D(2028, 4, 1)
    assert child_valid_until(D(2008, 2, 29), age_limit=18, cutoff=Cutoff.BIRTHDAY) == D(2026, 2, 28)
    assert child_valid_until(D(2008, 2, 29), age_limit=18, cutoff=Cutoff.FISCAL_YEAR_END) == D(2026, 3, 31)


# --- the child rule (seeded: under 18, fiscal-year-end cut-off) --------------------

def test_born_1_april_and_2_april_differ_by_a_school_year(masters):
    april_1 = member_with(children=[D(2010, 4, 1)], marriage_date=None)
    april_2 = member_with(children=[D(2010, 4, 2)], marriage_date=None)

    first = child(april_1, D(2028, 3, 31))
    assert first.eligible and first.valid_until == D(2028, 3, 31)
    assert first.basis == Kind.CHILD_UNDER_AGE
    assert not child(april_1, D(2028, 4, 1)).eligible

    second = child(april_2, D(2028, 4, 1))
    assert second.eligible and second.valid_until == D(2029, 3, 31)
    assert child(april_2, D(2029, 3, 31)).eligible
    assert not child(april_2, D(2029, 4, 1)).eligible


def test_birthday_cutoff_is_the_day_before_the_birthday(masters):
    set_rule("maido", Kind.CHILD_UNDER_AGE, cutoff=Cutoff.BIRTHDAY)
    member = member_with(children=[D(2010, 4, 2)])
    assert child(member, D(2028, 4, 1)).valid_until == D(2028, 4, 1)
    assert child(member, D(2028, 4, 1)).eligible
    assert not child(member, D(2028, 4, 2)).eligible


def test_leap_day_birthday(masters):
    set_rule("maido", Kind.CHILD_UNDER_AGE, cutoff=Cutoff.BIRTHDAY)
    member = member_with(children=[D(2008, 2, 29)])
    assert child(member, D(2026, 2, 28)).eligible
    assert child(member, D(2026, 2, 28)).valid_until == D(2026, 2, 28)
    assert not child(member, D(2026, 3, 1)).eligible

    set_rule("maido", Kind.CHILD_UNDER_AGE, cutoff=Cutoff.FISCAL_YEAR_END)
    assert child(member, D(2026, 3, 31)).valid_until == D(2026, 3, 31)
    assert not child(member, D(2026, 4, 1)).eligible


def test_age_limit_comes_from_the_rule(masters):
    set_rule("maido", Kind.CHILD_UNDER_AGE, age_limit=15)
    member = member_with(children=[D(2010, 4, 2)])
    assert child(member, D(2025, 6, 1)).valid_until == D(2026, 3, 31)
    assert not child(member, D(2026, 4, 1)).eligible


def test_several_children_youngest_counts(masters):
    member = member_with(children=[D(2005, 6, 1), D(2012, 9, 9), D(2009, 1, 1)])
    today = D(2025, 1, 1)
    outcome = child(member, today)
    assert outcome.eligible
    assert outcome.valid_until == D(2031, 3, 31)  # 2012-09-09 reaches 18 on 2030-09-08


def test_all_children_over_the_limit(masters):
    member = member_with(children=[D(2000, 5, 5), D(2003, 3, 3)])
    outcome = child(member, D(2025, 1, 1))
    assert not outcome.eligible
    assert outcome.valid_until is None
    assert "children_over_age_limit" in outcome.reason_codes
    assert outcome.action
    assert outcome.action_url == "/accounts/mypage/profile/"


def test_a_birth_date_in_the_future_is_not_a_child(masters):
    member = member_with(children=[D(2025, 2, 1)])
    outcome = child(member, D(2025, 1, 1))
    assert not outcome.eligible
    assert "no_children" in outcome.reason_codes
    assert child(member, D(2025, 2, 1)).eligible


def test_no_children_and_no_due_date(masters):
    member = member_with()
    outcome = child(member, D(2025, 1, 1))
    assert not outcome.eligible
    assert outcome.reason_codes == ["no_children", "no_due_date"]
    assert outcome.action_url == "/accounts/mypage/profile/"
    assert "プロフィール" in outcome.action  # Japanese by default


# --- pregnancy (valid until the due date + 3 months, unless the rule says) ---------

def test_pregnancy_until_due_date_plus_grace(masters):
    member = member_with(due_date=D(2025, 6, 10))
    outcome = child(member, D(2025, 3, 1))
    assert outcome.eligible
    assert outcome.basis == Kind.PREGNANCY
    assert outcome.valid_until == D(2025, 9, 10)
    assert child(member, D(2025, 9, 10)).eligible
    late = child(member, D(2025, 9, 11))
    assert not late.eligible
    assert "due_date_passed" in late.reason_codes


def test_pregnancy_grace_from_the_rule(masters):
    set_rule("maido", Kind.PREGNANCY, months=1)
    member = member_with(due_date=D(2025, 1, 31))
    assert child(member, D(2025, 1, 1)).valid_until == D(2025, 2, 28)


def test_a_due_date_more_than_ten_months_ahead_is_refused(masters):
    today = D(2025, 1, 1)
    assert child(member_with(due_date=D(2025, 11, 1)), today).eligible
    far = child(member_with(due_date=D(2025, 11, 2)), today)
    assert not far.eligible
    assert "due_date_too_far" in far.reason_codes


def test_pregnancy_rule_disabled_is_ignored(masters):
    set_rule("maido", Kind.PREGNANCY, enabled=False)
    outcome = child(member_with(due_date=D(2025, 6, 10)), D(2025, 3, 1))
    assert not outcome.eligible
    assert outcome.reason_codes == ["no_children"]
    assert "お子さま" in outcome.action or "子" in outcome.action


def test_a_born_child_outlasts_the_pregnancy(masters):
    member = member_with(children=[D(2020, 1, 1)], due_date=D(2025, 6, 10))
    outcome = child(member, D(2025, 3, 1))
    assert outcome.basis == Kind.CHILD_UNDER_AGE
    assert outcome.valid_until == D(2038, 3, 31)


# --- marriage --------------------------------------------------------------------

def test_married_within_twelve_months(masters):
    member = member_with(marriage_date=D(2024, 5, 10))
    outcome = marriage(member, D(2025, 5, 10))
    assert outcome.eligible
    assert outcome.basis == Kind.MARRIED_WITHIN
    assert outcome.valid_until == D(2025, 5, 10)
    late = marriage(member, D(2025, 5, 11))
    assert not late.eligible
    assert "married_too_long_ago" in late.reason_codes
    assert late.action_url == "/accounts/mypage/profile/"


def test_married_on_29_february(masters):
    member = member_with(marriage_date=D(2024, 2, 29))
    assert marriage(member, D(2025, 2, 28)).eligible
    assert marriage(member, D(2025, 2, 28)).valid_until == D(2025, 2, 28)
    assert not marriage(member, D(2025, 3, 1)).eligible


def test_marriage_date_in_the_future_is_not_married(masters):
    outcome = marriage(member_with(marriage_date=D(2025, 8, 1)), D(2025, 1, 1))
    assert not outcome.eligible
    assert "marriage_date_in_future" in outcome.reason_codes


def test_planning_within_twelve_months(masters):
    today = D(2025, 1, 1)
    member = member_with(planned=D(2026, 1, 1))
    outcome = marriage(member, today)
    assert outcome.eligible
    assert outcome.basis == Kind.PLANNING_MARRIAGE
    assert outcome.valid_until == D(2027, 1, 1)

    too_far = marriage(member_with(planned=D(2026, 1, 2)), today)
    assert not too_far.eligible
    assert "planned_marriage_too_far" in too_far.reason_codes
    # It becomes eligible twelve months before the planned date.
    assert marriage(member_with(planned=D(2026, 1, 2)), D(2025, 1, 2)).eligible


def test_planned_date_passed_counts_as_married_on_it(masters):
    member = member_with(planned=D(2024, 6, 1))
    assert marriage(member, D(2025, 6, 1)).eligible
    gone = marriage(member, D(2025, 6, 2))
    assert not gone.eligible
    assert "planned_marriage_too_long_ago" in gone.reason_codes


def test_latest_marriage_rule_wins(masters):
    member = member_with(marriage_date=D(2024, 3, 1), planned=D(2025, 3, 1))
    outcome = marriage(member, D(2025, 1, 1))
    assert outcome.valid_until == D(2026, 3, 1)
    assert outcome.basis == Kind.PLANNING_MARRIAGE


def test_no_marriage_dates(masters):
    outcome = marriage(member_with(), D(2025, 1, 1))
    assert not outcome.eligible
    assert outcome.reason_codes == ["no_marriage_date", "no_planned_marriage_date"]


def test_months_come_from_the_rule(masters):
    set_rule("enjoy", Kind.MARRIED_WITHIN, months=24)
    member = member_with(marriage_date=D(2024, 5, 10))
    assert marriage(member, D(2026, 5, 10)).eligible
    assert not marriage(member, D(2026, 5, 11)).eligible


# --- rules as data ---------------------------------------------------------------

def test_a_programme_with_every_rule_disabled_issues_no_card(masters):
    EligibilityRule.objects.filter(programme__code="enjoy").update(enabled=False)
    outcome = marriage(member_with(marriage_date=D(2024, 12, 1)), D(2025, 1, 1))
    assert not outcome.eligible
    assert outcome.reason_codes == ["not_issued"]
    assert outcome.action == ""


def test_results_follow_programme_order(masters):
    member = member_with(children=[D(2020, 1, 1)], marriage_date=D(2024, 12, 1))
    results = member_eligibility(member, today=D(2025, 1, 1))
    assert [r.programme.code for r in results] == ["maido", "enjoy"]
    assert all(r.eligible for r in results)


def test_no_query_per_rule(masters, django_assert_num_queries):
    member = member_with(children=[D(2020, 1, 1), D(2022, 1, 1)], marriage_date=D(2024, 12, 1))
    member = member_for_user(member.user)  # children prefetched
    programmes = programmes_with_rules()
    with django_assert_num_queries(0):
        member_eligibility(member, today=D(2025, 1, 1), programmes=programmes)
    with django_assert_num_queries(2):  # programmes + their enabled rules
        member_eligibility(member, today=D(2025, 1, 1))


def test_reasons_are_translated(masters, settings):
    from django.utils import translation

    member = member_with()
    with translation.override("en"):
        outcome = child(member, D(2025, 1, 1))
        assert outcome.reasons[0].message == "No child's birth date is registered in your profile."
    with translation.override("ja"):
        outcome = child(member, D(2025, 1, 1))
        assert outcome.reasons[0].message != "No child's birth date is registered in your profile."
