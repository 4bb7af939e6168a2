"""Who may use a programme, in plain words, from its enabled eligibility rules.

The rules are data the secretariat edits (directory.masters.EligibilityRule),
so the programme pages describe whatever is switched on, with its numbers.
"""

from django.utils.translation import gettext as _

from directory.masters.models import EligibilityRule

Kind = EligibilityRule.Kind
Cutoff = EligibilityRule.Cutoff


def _period(months: int) -> str:
    if months % 12 == 0:
        return _("%(years)s years") % {"years": months // 12} if months > 12 else _("a year")
    return _("%(months)s months") % {"months": months}


def eligibility_description(rule: EligibilityRule) -> str:
    if rule.kind == Kind.CHILD_UNDER_AGE:
        age = rule.age_limit or 18
        if rule.cutoff == Cutoff.FISCAL_YEAR_END:
            return _("Families with a child under %(age)s (until the first 31 March "
                     "after the child turns %(age)s)") % {"age": age}
        return _("Families with a child under %(age)s (until the day before the child's "
                 "%(age)s birthday)") % {"age": age}
    if rule.kind == Kind.PREGNANCY:
        return _("People expecting a baby (from when the due date is registered)")
    if rule.kind == Kind.MARRIED_WITHIN:
        return _("Couples who married within the last %(period)s") % {
            "period": _period(rule.months or 12)}
    if rule.kind == Kind.PLANNING_MARRIAGE:
        return _("Couples who plan to marry within %(period)s") % {
            "period": _period(rule.months or 12)}
    return rule.get_kind_display()


def eligibility_descriptions(programme) -> list[str]:
    rules = [rule for rule in programme.eligibility_rules.all() if rule.enabled]
    return [eligibility_description(rule) for rule in rules]
