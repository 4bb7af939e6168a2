"""Reads for push: a user's devices, the campaigns' results."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from notifications.models import Campaign, Delivery, PushSubscription


@dataclass
class Targeting:
    """A campaign's conditions (ids), saved or still in the form."""

    everyone: bool = False
    programmes: list = field(default_factory=list)
    genres: list = field(default_factory=list)
    benefit_types: list = field(default_factory=list)
    municipalities: list = field(default_factory=list)
    areas: list = field(default_factory=list)
    child_age_min: int | None = None
    child_age_max: int | None = None


def targeting_of(campaign: Campaign) -> Targeting:
    def ids(manager):
        return list(manager.values_list("pk", flat=True)) if campaign.pk else []

    return Targeting(
        everyone=campaign.everyone, programmes=ids(campaign.programmes),
        genres=ids(campaign.genres), benefit_types=ids(campaign.benefit_types),
        municipalities=ids(campaign.municipalities), areas=ids(campaign.areas),
        child_age_min=campaign.child_age_min, child_age_max=campaign.child_age_max)


def audience(targeting: Targeting, *, today: datetime.date | None = None):
    """The subscriptions a campaign targets.

    everyone: every subscription (signed-out visitors' general news included).
    Otherwise members who allow push, narrowed by each condition that is set (all must
    hold): home municipality (or its area), a preferred genre or benefit type in the
    list, the youngest child's age, and eligibility today for one of the programmes
    (computed by the card rules). General-news-only devices are left out.
    """
    from directory.masters.models import Programme
    from directory.members.eligibility import add_years, member_eligibility
    from directory.members.models import Member

    today = today or timezone.localdate()
    subscriptions = PushSubscription.objects.all()
    if targeting.everyone:
        return subscriptions
    members = Member.objects.filter(notify_by_push=True, user__is_active=True)
    if targeting.municipalities or targeting.areas:
        members = members.filter(Q(municipality_id__in=targeting.municipalities)
                                 | Q(municipality__area_id__in=targeting.areas))
    if targeting.genres:
        members = members.filter(preferred_genres__in=targeting.genres)
    if targeting.benefit_types:
        members = members.filter(preferred_benefit_types__in=targeting.benefit_types)
    low, high = targeting.child_age_min, targeting.child_age_max
    if low is not None or high is not None:
        members = members.annotate(youngest=Max("children__birth_date"))
        if low is not None:
            members = members.filter(youngest__lte=add_years(today, -low))
        if high is not None:
            members = members.filter(youngest__gt=add_years(today, -(high + 1)))
    if not targeting.programmes:  # all in SQL
        return subscriptions.filter(member_id__in=members.values("pk"), general_news_only=False)
    member_ids = set(members.values_list("pk", flat=True).distinct())
    if member_ids:
        codes = set(Programme.objects.filter(pk__in=targeting.programmes)
                    .values_list("code", flat=True))
        eligible = set()
        for member in Member.objects.filter(pk__in=member_ids).prefetch_related("children"):
            if any(result.eligible and result.programme.code in codes
                   for result in member_eligibility(member, today=today)):
                eligible.add(member.pk)
        member_ids = eligible
    return subscriptions.filter(member_id__in=member_ids, general_news_only=False)


def member_of_user(user):
    if user is None:
        return None
    from directory.members.models import Member

    return Member.objects.filter(user=user).first()


def devices_of_user(user):
    """The user's own devices (registered while signed in, or linked to the member)."""
    return list(PushSubscription.objects.filter(Q(user=user) | Q(member__user=user))
                .distinct().order_by("-created_at", "-pk")[:50])


def campaign_results(campaign: Campaign) -> dict:
    """Sent / failed / removed of the real send (test sends counted apart)."""
    rows = Delivery.objects.filter(campaign=campaign).values("is_test", "result").annotate(
        n=Count("pk"))
    result = {"sent": 0, "failed": 0, "removed": 0, "test_sent": 0, "test_failed": 0}
    for row in rows:
        key = ("test_" if row["is_test"] else "") + row["result"]
        if key in result:
            result[key] += row["n"]
        elif row["is_test"]:
            result["test_failed"] += row["n"]
    return result
