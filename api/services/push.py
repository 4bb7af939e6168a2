"""Web Push: device registration (device ↔ member) and campaign registration.

Sending (pywebpush with VAPID, schedules, approval of campaigns) is the push
issue's work (notifications/); these only write the rows it will read.
(They belong in notifications/services.py once that exists.)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from api.problems import conflict
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
    """The subscriptions a campaign targets ("targets are selected from the DB"):
    notifications.selectors.audience with the campaign's conditions."""
    from notifications.selectors import audience, targeting_of

    return audience(targeting_of(campaign), today=today)
