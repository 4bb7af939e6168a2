"""Sending a campaign through a local fake push service: what arrives decrypts to the
message (RFC 8291 aes128gcm), carries VAPID (exp ≤ 12 h) and a TTL; 404/410 remove
the subscription; every send is recorded."""

import base64
import datetime
import json
import time

import http_ece
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications import services
from notifications.fakepush import subscriber_keys
from notifications.models import Campaign, Delivery, PushSubscription
from tests.factories import MemberFactory


def subscribe(fake_push, name, member=None, *, general_news_only=False):
    private, p256dh, auth, auth_raw = subscriber_keys()
    row = PushSubscription.objects.create(
        endpoint=fake_push.endpoint(name), p256dh=p256dh, auth=auth, member=member,
        user=member.user if member else None, general_news_only=general_news_only)
    return row, private, auth_raw


def campaign_for(user, **values):
    values = {"title": "夏のキャンペーン", "body": "協賛店で使えるクーポンが届きました。",
              "link": "/news/summer/", **values}
    municipalities = values.pop("municipalities", [])
    campaign = Campaign.objects.create(created_by=user, **values)
    campaign.municipalities.set(municipalities)
    return campaign


def jwt_claims(authorization: str) -> dict:
    token = authorization.split("t=")[1].split(",")[0]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_campaign_arrives_encrypted_and_decrypts_to_the_message(
        fake_push, member, secretariat, osaka_city, django_capture_on_commit_callbacks):
    row, private, auth = subscribe(fake_push, "member-phone", member)
    campaign = campaign_for(secretariat, municipalities=[osaka_city])

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_request_send(campaign=campaign, user=secretariat)

    assert len(fake_push.received) == 1
    request = fake_push.received[0]
    assert request.path == "/push/member-phone"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) > 0
    message = json.loads(http_ece.decrypt(request.body, private_key=private,
                                          auth_secret=auth, version="aes128gcm"))
    assert message["title"] == "夏のキャンペーン"
    assert message["body"] == "協賛店で使えるクーポンが届きました。"
    assert message["url"].startswith("/notifications/open/")
    assert request.headers["authorization"].startswith("vapid t=")
    claims = jwt_claims(request.headers["authorization"])
    assert claims["aud"] == fake_push.origin
    assert 0 < claims["exp"] - time.time() <= 12 * 3600
    assert claims["sub"].startswith("mailto:")

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    assert (campaign.target_count, campaign.sent_count, campaign.failed_count) == (1, 1, 0)
    assert Delivery.objects.get().result == Delivery.Result.SENT
    row.refresh_from_db()
    assert row.last_success_at is not None


def test_410_and_404_remove_the_subscription_and_other_errors_are_failures(
        fake_push, member, secretariat, osaka_city, django_capture_on_commit_callbacks):
    kept, _key, _auth = subscribe(fake_push, "ok", member)
    other = MemberFactory(notify_by_push=True)
    gone, _key, _auth = subscribe(fake_push, "gone", other)
    missing, _key, _auth = subscribe(fake_push, "missing", MemberFactory(notify_by_push=True))
    broken, _key, _auth = subscribe(fake_push, "broken", MemberFactory(notify_by_push=True))
    fake_push.respond("gone", 410)
    fake_push.respond("missing", 404)
    fake_push.respond("broken", 500)
    campaign = campaign_for(secretariat, municipalities=[osaka_city])

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_request_send(campaign=campaign, user=secretariat)

    assert {r.path for r in fake_push.received} == {"/push/ok", "/push/gone", "/push/missing",
                                                    "/push/broken"}
    assert set(PushSubscription.objects.values_list("pk", flat=True)) == {kept.pk, broken.pk}
    campaign.refresh_from_db()
    assert (campaign.sent_count, campaign.failed_count, campaign.removed_count) == (1, 1, 2)
    assert campaign.status == Campaign.Status.SENT
    results = sorted(Delivery.objects.values_list("result", "status_code"))
    assert results == [("failed", 500), ("removed", 404), ("removed", 410), ("sent", 201)]
    broken.refresh_from_db()
    assert broken.last_failure_at is not None and broken.last_success_at is None


def test_batches_cover_the_whole_audience(fake_push, member, secretariat, osaka_city, settings,
                                          django_capture_on_commit_callbacks):
    settings.PUSH_BATCH_SIZE = 2
    settings.PUSH_CONCURRENCY = 2
    for index in range(5):
        subscribe(fake_push, f"device-{index}", MemberFactory(notify_by_push=True))
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_request_send(campaign=campaign, user=secretariat)
    campaign.refresh_from_db()
    assert len(fake_push.received) == 5
    assert (campaign.target_count, campaign.sent_count, campaign.batches_pending) == (5, 5, 0)
    assert campaign.status == Campaign.Status.SENT


def test_targeting_leaves_out_others_and_general_news_only_devices(
        fake_push, member, secretariat, osaka_city, sakai_city,
        django_capture_on_commit_callbacks):
    subscribe(fake_push, "osaka", member)
    subscribe(fake_push, "sakai", MemberFactory(notify_by_push=True, municipality=sakai_city))
    subscribe(fake_push, "anonymous", None, general_news_only=True)
    subscribe(fake_push, "opted-out", MemberFactory(notify_by_push=False))
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_request_send(campaign=campaign, user=secretariat)
    assert [r.path for r in fake_push.received] == ["/push/osaka"]


def test_a_campaign_to_everyone_waits_for_a_second_secretariat_member(
        fake_push, member, secretariat, second_secretariat,
        django_capture_on_commit_callbacks):
    subscribe(fake_push, "member", member)
    subscribe(fake_push, "anonymous", None, general_news_only=True)
    campaign = campaign_for(secretariat, everyone=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_request_send(campaign=campaign, user=secretariat)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.AWAITING_APPROVAL
    assert fake_push.received == []

    with pytest.raises(ValidationError):  # not by the one who asked
        services.campaign_approve(campaign=campaign, user=secretariat)
    assert fake_push.received == []

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_approve(campaign=campaign, user=second_secretariat)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.approved_by == second_secretariat
    assert sorted(r.path for r in fake_push.received) == ["/push/anonymous", "/push/member"]


def test_a_scheduled_campaign_is_a_django_q_schedule(fake_push, member, secretariat,
                                                     osaka_city,
                                                     django_capture_on_commit_callbacks):
    from django_q.models import Schedule

    subscribe(fake_push, "member", member)
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    when = timezone.now() + datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_request_send(campaign=campaign, user=secretariat, when=when)
    schedule = Schedule.objects.get(name=f"push-campaign-{campaign.pk}")
    assert schedule.func == "notifications.tasks.campaign_dispatch"
    assert schedule.next_run == when and schedule.schedule_type == Schedule.ONCE
    assert fake_push.received == []  # nothing before the time

    with django_capture_on_commit_callbacks(execute=True):  # the cluster runs it at `when`
        from notifications import tasks
        tasks.campaign_dispatch(campaign.pk)
    assert len(fake_push.received) == 1

    cancelled = campaign_for(secretariat, municipalities=[osaka_city])
    services.campaign_request_send(campaign=cancelled, user=secretariat, when=when)
    services.campaign_cancel(campaign=cancelled, user=secretariat)
    assert not Schedule.objects.filter(name=f"push-campaign-{cancelled.pk}").exists()


@pytest.mark.parametrize("problem", ["past", "empty", "too_long"])
def test_bad_campaigns_are_refused_and_nothing_is_sent(fake_push, member, secretariat,
                                                       osaka_city, sakai_city, problem,
                                                       django_capture_on_commit_callbacks):
    subscribe(fake_push, "member", member)
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    when = None
    if problem == "past":
        when = timezone.now() - datetime.timedelta(minutes=1)
    elif problem == "empty":
        campaign.municipalities.set([sakai_city])
    else:
        campaign.body = "👶" * 1000  # 1,000 characters (the field's limit), 4,000 bytes
        campaign.save()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        services.campaign_request_send(campaign=campaign, user=secretariat, when=when)
    assert error.value.messages
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert fake_push.received == [] and not Delivery.objects.exists()


def test_endpoints_off_the_allow_list_are_never_posted_to(fake_push, member, secretariat,
                                                          osaka_city, settings,
                                                          django_capture_on_commit_callbacks):
    row, _key, _auth = subscribe(fake_push, "member", member)
    settings.PUSH_ENDPOINT_EXTRA_ORIGINS = []  # e.g. a row that got in before a change
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_request_send(campaign=campaign, user=secretariat)
    assert fake_push.received == []
    assert Delivery.objects.get().result == Delivery.Result.FAILED


def test_test_send_goes_to_the_senders_own_devices_only(fake_push, member, secretariat,
                                                         second_secretariat, osaka_city):
    subscribe(fake_push, "member", member)
    own, private, auth = subscribe(fake_push, "secretariat-laptop")
    own.user = secretariat
    own.save()
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    result = services.campaign_test_send(campaign=campaign, user=secretariat)
    assert result.sent == 1
    assert [r.path for r in fake_push.received] == ["/push/secretariat-laptop"]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and campaign.sent_count == 0
    assert Delivery.objects.get().is_test is True

    with pytest.raises(ValidationError):  # someone with no device of their own
        services.campaign_test_send(campaign=campaign, user=second_secretariat)


def test_subscriptions_without_success_for_30_days_are_pruned(fake_push, member):
    now = timezone.now()
    old = now - datetime.timedelta(days=31)
    stale, _k, _a = subscribe(fake_push, "stale", member)
    recovered, _k, _a = subscribe(fake_push, "recovered", member)
    quiet, _k, _a = subscribe(fake_push, "quiet", member)
    PushSubscription.objects.filter(pk=stale.pk).update(
        created_at=old, last_success_at=old, last_failure_at=now)
    PushSubscription.objects.filter(pk=recovered.pk).update(
        created_at=old, last_success_at=now, last_failure_at=old)
    PushSubscription.objects.filter(pk=quiet.pk).update(created_at=old)  # never sent to
    assert services.subscriptions_prune(now=now) == 1
    assert set(PushSubscription.objects.values_list("endpoint", flat=True)) == {
        recovered.endpoint, quiet.endpoint}


def test_clicks_are_counted_through_the_link(client, member, secretariat):
    campaign = campaign_for(secretariat)
    url = services.click_url(campaign)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/news/summer/"
    campaign.refresh_from_db()
    assert campaign.click_count == 1
    assert client.get(url[:-3] + "xx/").status_code == 404
    campaign.refresh_from_db()
    assert campaign.click_count == 1
