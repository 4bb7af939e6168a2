"""Web Push: device registration (device ↔ member) and campaign registration.

Sending (pywebpush with VAPID, schedules, approval of campaigns) is the push
issue's work (notifications/); these only write the rows it will read.
(They belong in notifications/services.py once that exists.)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from api.problems import conflict
from directory.members.eligibility import add_years, member_eligibility
from directory.members.models import Member
from notifications.models import Campaign, PushSubscription


@dataclass(frozen=True)
class SubscriptionData:
    endpoint: str
    p256dh: str
    auth: str
    device_label: str = ""
    user_agent: str = ""
    general_news_only: bool = False


@transaction.atomic
def push_subscription_register(*, data: SubscriptionData, member: Member | None,
                               user=None) -> tuple[PushSubscription, bool]:
    """プッシュ通知ユーザ登録: store a browser's subscription, linked to `member` when
    the caller is one. Re-registering the same endpoint updates it, but only with its
    own auth secret (proof that the caller holds the subscription); a signed-out
    re-registration keeps the existing link. Returns (subscription, created)."""
    existing = PushSubscription.objects.select_for_update().filter(
        endpoint=data.endpoint).first()
    if existing is not None and not constant_time_compare(existing.auth, data.auth):
        raise conflict(_("This push endpoint is registered with other keys."))
    subscription = existing or PushSubscription(endpoint=data.endpoint)
    subscription.p256dh = data.p256dh
    subscription.auth = data.auth
    subscription.device_label = data.device_label
    subscription.user_agent = data.user_agent[:300]
    subscription.general_news_only = data.general_news_only
    if member is not None:
        subscription.member = member
    if user is not None:
        subscription.user = user
    subscription.full_clean()
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError as error:  # registered concurrently
        raise conflict(_("This push endpoint was registered at the same time.")) from error
    return subscription, existing is None


@transaction.atomic
def push_subscription_remove(*, endpoint: str, auth: str) -> bool:
    """Forget a subscription (the browser unsubscribed); needs its auth secret."""
    subscription = PushSubscription.objects.filter(endpoint=endpoint).first()
    if subscription is None or not constant_time_compare(subscription.auth, auth):
        return False
    subscription.delete()
    return True


# --- campaigns ----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, user, data: dict) -> Campaign:
    """プッシュ通知登録: a campaign as a draft, with its targeting (sent by the push issue)."""
    m2m = {name: data.pop(name, []) for name in ("programmes", "genres", "benefit_types",
                                                 "municipalities", "areas")}
    campaign = Campaign(created_by=user, status=Campaign.Status.DRAFT, **data)
    campaign.full_clean()
    campaign.save()
    for name, values in m2m.items():
        getattr(campaign, name).set(values)
    return campaign


def campaign_audience(campaign: Campaign, *, today: datetime.date | None = None):
    """The subscriptions a campaign targets ("targets are selected from the DB").

    everyone: every subscription. Otherwise members who allow push, narrowed by each
    condition that is set (all must hold): home municipality (or its area), a
    preferred genre or benefit type in the list, the youngest child's age, and
    eligibility today for one of the programmes (computed by the card rules).
    """
    today = today or timezone.localdate()
    subscriptions = PushSubscription.objects.all()
    if campaign.everyone:
        return subscriptions
    members = Member.objects.filter(notify_by_push=True, user__is_active=True)
    municipalities = list(campaign.municipalities.values_list("pk", flat=True))
    areas = list(campaign.areas.values_list("pk", flat=True))
    if municipalities or areas:
        members = members.filter(Q(municipality_id__in=municipalities)
                                 | Q(municipality__area_id__in=areas))
    genres = list(campaign.genres.values_list("pk", flat=True))
    if genres:
        members = members.filter(preferred_genres__in=genres)
    kinds = list(campaign.benefit_types.values_list("pk", flat=True))
    if kinds:
        members = members.filter(preferred_benefit_types__in=kinds)
    if campaign.child_age_min is not None or campaign.child_age_max is not None:
        members = members.annotate(youngest=Max("children__birth_date"))
        if campaign.child_age_min is not None:
            members = members.filter(youngest__lte=add_years(today, -campaign.child_age_min))
        if campaign.child_age_max is not None:
            members = members.filter(
                youngest__gt=add_years(today, -(campaign.child_age_max + 1)))
    member_ids = set(members.values_list("pk", flat=True).distinct())
    programmes = list(campaign.programmes.all())
    if programmes and member_ids:
        codes = {programme.code for programme in programmes}
        eligible = set()
        for member in Member.objects.filter(pk__in=member_ids).prefetch_related("children"):
            if any(result.eligible and result.programme.code in codes
                   for result in member_eligibility(member, today=today)):
                eligible.add(member.pk)
        member_ids = eligible
    return subscriptions.filter(member_id__in=member_ids, general_news_only=False)
