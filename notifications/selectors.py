"""Reads for push: a user's devices, the campaigns' results."""

from django.db.models import Count, Q

from notifications.models import Campaign, Delivery, PushSubscription


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
