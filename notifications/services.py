"""Web Push sending (RFC 8030 / 8291 / 8292 with pywebpush) and the campaign workflow.

A campaign moves draft → (awaiting_approval →) scheduled → sending → sent:

* ``campaign_request_send`` checks it (a target that is not empty, a payload that
  fits, a time in the future) and either schedules it (a django-q2 ``Schedule`` run
  once at the time, or a task now) or, for a campaign to everyone, waits for a
  second secretariat member's ``campaign_approve``.
* ``campaign_dispatch`` (a task) fixes the audience, splits it into batches of
  ``PUSH_BATCH_SIZE`` and queues one ``send_batch`` task per batch.
* ``send_batch`` encrypts (aes128gcm) and POSTs each message with at most
  ``PUSH_CONCURRENCY`` requests in flight, with a VAPID token (``exp`` ≤ 12 h) per
  push service origin and a TTL; records each delivery; 404/410 delete the
  subscription.

Endpoints are POSTed to only when they pass ``endpoint_allowed`` again at send time,
so a row that got in some other way cannot make the server call an internal address.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Campaign, Delivery, PushSubscription, VapidKey

DEFAULT_ENDPOINT_HOST_SUFFIXES = (
    "fcm.googleapis.com", "android.googleapis.com", "push.services.mozilla.com",
    "notify.windows.com", "push.apple.com",
)
# RFC 8291: a push message body is at most 4096 bytes; aes128gcm adds an 86-byte header,
# a 16-byte tag and a 1-byte padding delimiter to the JSON we send.
MAX_MESSAGE_BYTES = 4096
ENCRYPTION_OVERHEAD = 86 + 16 + 1
VAPID_MAX_HOURS = 12
CLICK_SALT = "notifications.click"
SCHEDULE_PREFIX = "push-campaign-"


def _setting(name, default):
    return getattr(settings, name, default)


# --- endpoints --------------------------------------------------------------------------


def endpoint_allowed(url: str) -> bool:
    """https on a known push service's host (PUSH_ENDPOINT_HOST_SUFFIXES), or an exact
    origin listed in PUSH_ENDPOINT_EXTRA_ORIGINS (a local fake push service in tests
    and benchmarks only)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        return False
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if origin in [o.lower().rstrip("/") for o in _setting("PUSH_ENDPOINT_EXTRA_ORIGINS", [])]:
        return True
    if parts.scheme != "https":
        return False
    suffixes = _setting("PUSH_ENDPOINT_HOST_SUFFIXES", DEFAULT_ENDPOINT_HOST_SUFFIXES)
    return any(host == suffix or host.endswith("." + suffix) for suffix in suffixes)


# --- VAPID --------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_VAPID_CACHE: dict[str, object] = {}


def vapid():
    """The server's VAPID key (py_vapid.Vapid02): PUSH_VAPID_PRIVATE_KEY (PEM, or the raw
    32-byte key in base64url) or, when unset, a key generated once and kept in the DB."""
    from py_vapid import Vapid02

    configured = _setting("PUSH_VAPID_PRIVATE_KEY", "")
    cache_key = configured or "db"
    if cache_key in _VAPID_CACHE:
        return _VAPID_CACHE[cache_key]
    if configured:
        if "BEGIN" in configured:
            key = Vapid02.from_pem(configured.encode())
        else:
            key = Vapid02.from_raw(configured.encode())
    else:
        row = VapidKey.objects.order_by("pk").first()
        if row is None:
            generated = Vapid02()
            generated.generate_keys()
            row = VapidKey.objects.create(private_pem=generated.private_pem().decode())
        key = Vapid02.from_pem(row.private_pem.encode())
    _VAPID_CACHE.clear()
    _VAPID_CACHE[cache_key] = key
    return key


def vapid_public_key() -> str:
    """The applicationServerKey for PushManager.subscribe (uncompressed point, base64url)."""
    from cryptography.hazmat.primitives import serialization

    return _b64(vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def vapid_headers(origin: str, *, now: float | None = None) -> dict[str, str]:
    """The Authorization header for one push service origin, valid 12 hours at most."""
    hours = min(_setting("PUSH_VAPID_HOURS", VAPID_MAX_HOURS), VAPID_MAX_HOURS)
    expires = int(now or time.time()) + int(hours * 3600) - 60
    subject = _setting("PUSH_VAPID_SUBJECT", "mailto:push@example.jp")
    return vapid().sign({"aud": origin, "exp": expires, "sub": subject})


# --- payload ------------------------------------------------------------------------------


def click_url(campaign: Campaign) -> str:
    """The link the notification opens: counts the click, then redirects to the campaign's
    link (signed so that only real campaign links count)."""
    token = signing.dumps(campaign.pk, salt=CLICK_SALT, compress=False)
    return reverse("notifications:click", args=[token])


def campaign_payload(campaign: Campaign) -> bytes:
    """The JSON the service worker shows as a notification (always visible)."""
    data = {
        "title": campaign.title,
        "body": campaign.body,
        "url": click_url(campaign) if campaign.pk else (campaign.link or "/"),
        "icon": campaign.icon or "/static/icons/icon-192.png",
        "tag": f"campaign-{campaign.pk or 0}",
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def payload_fits(campaign: Campaign) -> bool:
    return len(campaign_payload(campaign)) + ENCRYPTION_OVERHEAD <= MAX_MESSAGE_BYTES


# --- audience -----------------------------------------------------------------------------


def campaign_audience(campaign: Campaign, *, today: datetime.date | None = None):
    from api.services.push import campaign_audience as audience

    return audience(campaign, today=today)


# --- workflow -------------------------------------------------------------------------------


def _check_sendable(campaign: Campaign, *, when: datetime.datetime | None):
    errors = {}
    if when is not None and when <= timezone.now():
        errors["scheduled_at"] = _("The sending time must be in the future.")
    if not payload_fits(campaign):
        errors["body"] = _("The notification is too long: shorten the title, body or link "
                           "(a push message holds at most 4 KB).")
    if not errors and not campaign_audience(campaign).exists():
        errors["__all__"] = _("No subscription matches these conditions: nothing would be "
                              "sent. Change the target.")
    if errors:
        raise ValidationError(errors)


def _schedule_name(campaign: Campaign) -> str:
    return f"{SCHEDULE_PREFIX}{campaign.pk}"


def _schedule(campaign: Campaign):
    from django_q.models import Schedule
    from django_q.tasks import async_task

    Schedule.objects.filter(name=_schedule_name(campaign)).delete()
    campaign.status = Campaign.Status.SCHEDULED
    campaign.save(update_fields=["status", "scheduled_at", "approved_by",
                                 "approval_requested_by"])
    if campaign.scheduled_at:
        Schedule.objects.create(
            name=_schedule_name(campaign), func="notifications.tasks.campaign_dispatch",
            args=repr(campaign.pk), schedule_type=Schedule.ONCE, repeats=1,
            next_run=campaign.scheduled_at)
    else:
        pk = campaign.pk
        transaction.on_commit(lambda: async_task("notifications.tasks.campaign_dispatch", pk))


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_request_send(*, campaign: Campaign, user,
                          when: datetime.datetime | None = None) -> Campaign:
    """Send now (when=None) or at `when`; a campaign to everyone waits for approval."""
    campaign = _locked(campaign)
    if campaign.status != Campaign.Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent."))
    _check_sendable(campaign, when=when)
    campaign.scheduled_at = when
    campaign.approval_requested_by = user
    if campaign.everyone:
        campaign.status = Campaign.Status.AWAITING_APPROVAL
        campaign.save(update_fields=["status", "scheduled_at", "approval_requested_by"])
        return campaign
    _schedule(campaign)
    return campaign


@transaction.atomic
def campaign_approve(*, campaign: Campaign, user) -> Campaign:
    """A second secretariat member approves a campaign to everyone (four eyes)."""
    campaign = _locked(campaign)
    if not user.has_perm("notifications.approve_campaign"):
        raise PermissionDenied
    if campaign.status != Campaign.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This campaign is not waiting for approval."))
    if campaign.approval_requested_by_id == user.pk:
        raise ValidationError(_("Another secretariat member must approve a campaign to "
                                "everyone."))
    _check_sendable(campaign, when=campaign.scheduled_at)
    campaign.approved_by = user
    _schedule(campaign)
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, user) -> Campaign:
    """Back to draft before sending has started (removes the schedule)."""
    from django_q.models import Schedule

    campaign = _locked(campaign)
    if campaign.status not in (Campaign.Status.AWAITING_APPROVAL, Campaign.Status.SCHEDULED):
        raise ValidationError(_("This campaign can no longer be stopped."))
    Schedule.objects.filter(name=_schedule_name(campaign)).delete()
    campaign.status = Campaign.Status.DRAFT
    campaign.approved_by = None
    campaign.save(update_fields=["status", "approved_by"])
    return campaign


def campaign_test_send(*, campaign: Campaign, user) -> BatchResult:
    """Send the campaign to the sender's own devices only (not counted in the totals)."""
    ids = list(PushSubscription.objects.filter(user=user).values_list("pk", flat=True)[:20])
    if not ids:
        raise ValidationError(_("You have no device registered for notifications. Turn "
                                "notifications on from your account page on this "
                                "browser first."))
    if not payload_fits(campaign):
        raise ValidationError(_("The notification is too long: shorten the title, body or "
                                "link (a push message holds at most 4 KB)."))
    return send_batch(campaign_id=campaign.pk, subscription_ids=ids, is_test=True)


def campaign_dispatch(campaign_id: int) -> int:
    """Fix the audience and queue its batches; returns the number of batches."""
    from django_q.tasks import async_task

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != Campaign.Status.SCHEDULED:
            return 0
        ids = list(campaign_audience(campaign).order_by("pk").values_list("pk", flat=True))
        size = max(int(_setting("PUSH_BATCH_SIZE", 500)), 1)
        batches = [ids[i:i + size] for i in range(0, len(ids), size)]
        now = timezone.now()
        campaign.target_count = len(ids)
        campaign.batches_pending = len(batches)
        campaign.started_at = now
        campaign.status = Campaign.Status.SENDING if batches else Campaign.Status.SENT
        if not batches:
            campaign.sent_at = now
        campaign.save(update_fields=["target_count", "batches_pending", "started_at",
                                     "status", "sent_at"])

        def queue():
            for batch in batches:
                async_task("notifications.tasks.send_batch", campaign_id, batch,
                           group=_schedule_name(campaign))

        transaction.on_commit(queue)
    return len(batches)


@transaction.atomic
def campaign_for_news_page(*, page, user=None) -> Campaign | None:
    """Push a news page published with "send a push notification" to every subscription
    (members and general-news devices), once per page: later publications of the same
    page send nothing. The page's own approval in the editorial workflow (author →
    secretariat) is the approval a campaign to everyone needs, so it is sent at once."""
    if Campaign.objects.select_for_update().filter(news_page_id=page.pk).exists():
        return None
    campaign = Campaign(title=page.title[:100], body=(page.intro or page.title)[:1000],
                        link=page.url or "", everyone=True, news_page_id=page.pk,
                        created_by=user, approval_requested_by=user, approved_by=user)
    while not payload_fits(campaign) and len(campaign.body) > 1:
        campaign.body = campaign.body[: len(campaign.body) * 3 // 4].rstrip() + "…"
    campaign.save()
    _schedule(campaign)
    return campaign


# --- sending ----------------------------------------------------------------------------------


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    removed: int = 0


def _origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


async def _deliver_all(rows, payload: bytes,
                       headers_by_origin: dict[str, dict[str, str]],
                       ) -> list[tuple[int, str, int | None]]:
    """POST every message, PUSH_CONCURRENCY at a time; returns (pk, host, status).
    No database access here (it runs in an event loop): the VAPID headers per origin
    are made before."""
    import aiohttp
    from pywebpush import WebPusher

    concurrency = max(int(_setting("PUSH_CONCURRENCY", 50)), 1)
    ttl = int(_setting("PUSH_TTL_SECONDS", 86400)) or 86400
    timeout = aiohttp.ClientTimeout(total=float(_setting("PUSH_TIMEOUT_SECONDS", 10)))
    semaphore = asyncio.Semaphore(concurrency)
    results: list[tuple[int, str, int | None]] = []

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(pk, endpoint, p256dh, auth):
            host = (urlsplit(endpoint).hostname or "")[:200]
            if not endpoint_allowed(endpoint):
                results.append((pk, host, None))
                return
            headers = {**headers_by_origin[_origin(endpoint)], "Urgency": "normal"}
            info = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
            async with semaphore:
                try:
                    response = await WebPusher(info, aiohttp_session=session).send_async(
                        data=payload, headers=headers, ttl=ttl,
                        content_encoding="aes128gcm", timeout=timeout)
                    results.append((pk, host, response.status))
                except Exception:  # noqa: BLE001 - any failure of one device is a failed delivery
                    results.append((pk, host, None))

        await asyncio.gather(*(one(*row) for row in rows))
    return results


def send_batch(*, campaign_id: int, subscription_ids: list[int],
               is_test: bool = False) -> BatchResult:
    """Send one batch and record it; 404/410 delete the subscription."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    result = BatchResult()
    if campaign is None:
        return result
    rows = list(PushSubscription.objects.filter(pk__in=subscription_ids).values_list(
        "pk", "endpoint", "p256dh", "auth"))
    headers = {origin: vapid_headers(origin) for origin in
               {_origin(endpoint) for _pk, endpoint, _p, _a in rows if endpoint_allowed(endpoint)}}
    payload = campaign_payload(campaign)
    outcomes = asyncio.run(_deliver_all(rows, payload, headers)) if rows else []
    sent_ids, failed_ids, removed_ids, deliveries = [], [], [], []
    for pk, host, code in outcomes:
        if code is not None and 200 <= code < 300:
            sent_ids.append(pk)
            kind = Delivery.Result.SENT
        elif code in (404, 410):
            removed_ids.append(pk)
            kind = Delivery.Result.REMOVED
        else:
            failed_ids.append(pk)
            kind = Delivery.Result.FAILED
        deliveries.append(Delivery(
            campaign_id=campaign_id, endpoint_host=host, result=kind, status_code=code,
            is_test=is_test, subscription_id=None if kind == Delivery.Result.REMOVED else pk))
    result = BatchResult(sent=len(sent_ids), failed=len(failed_ids), removed=len(removed_ids))
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.bulk_create(deliveries, batch_size=1000)
        if sent_ids:
            PushSubscription.objects.filter(pk__in=sent_ids).update(last_success_at=now)
        if failed_ids:
            PushSubscription.objects.filter(pk__in=failed_ids).update(last_failure_at=now)
        if removed_ids:
            PushSubscription.objects.filter(pk__in=removed_ids).delete()
        if not is_test:
            Campaign.objects.filter(pk=campaign_id).update(
                sent_count=F("sent_count") + result.sent,
                failed_count=F("failed_count") + result.failed,
                removed_count=F("removed_count") + result.removed,
                batches_pending=F("batches_pending") - 1)
            Campaign.objects.filter(pk=campaign_id, batches_pending=0,
                                    status=Campaign.Status.SENDING).update(
                status=Campaign.Status.SENT, sent_at=now)
    return result


def subscriptions_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete subscriptions that failed and have had no successful delivery for 30 days."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=int(_setting("PUSH_PRUNE_DAYS", 30)))
    stale = PushSubscription.objects.filter(last_failure_at__isnull=False).filter(
        Q(last_success_at__isnull=True, created_at__lt=cutoff)
        | Q(last_success_at__lt=cutoff, last_failure_at__gt=F("last_success_at")))
    count, _detail = stale.delete()
    return count


def campaign_click(token: str) -> Campaign | None:
    """Count a click from a notification; the campaign, or None for a bad token."""
    try:
        pk = signing.loads(token, salt=CLICK_SALT)
    except signing.BadSignature:
        return None
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is not None:
        Campaign.objects.filter(pk=pk).update(click_count=F("click_count") + 1)
    return campaign


# --- a member's devices -------------------------------------------------------------------


@transaction.atomic
def subscription_delete_for_user(*, user, pk: int) -> bool:
    """Remove one of the user's own devices (another user's id removes nothing)."""
    count, _detail = PushSubscription.objects.filter(user=user, pk=pk).delete()
    return count > 0


@transaction.atomic
def subscriptions_delete_all_for_user(*, user) -> int:
    count, _detail = PushSubscription.objects.filter(
        Q(user=user) | Q(member__user=user)).delete()
    return count
