"""Push: device registration (device ↔ member) and campaign registration."""

import datetime

from directory.masters.models import Programme
from notifications.models import Campaign, PushSubscription
from tests.api.conftest import client_for, token_for
from tests.factories import ChildFactory, MemberFactory

ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123"
KEYS = {"p256dh": "B" + "A" * 86, "auth": "c" * 22}


def subscription(**overrides):
    return {"endpoint": ENDPOINT, "keys": dict(KEYS), "device_label": "Android", **overrides}


def test_anonymous_registration_is_general_news_only(api, masters):
    response = api.post("/api/v1/push/subscriptions", subscription(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["linked_to_member"] is False
    row = PushSubscription.objects.get()
    assert row.general_news_only is True and row.member is None


def test_member_links_the_device_and_lists_it(api, member):
    api.post("/api/v1/push/subscriptions", subscription(), format="json")
    client = api.as_token(token_for(member.user))
    response = client.post("/api/v1/push/subscriptions", subscription(), format="json")
    assert response.status_code == 200  # the same device, now linked
    assert response.json()["linked_to_member"] is True
    assert PushSubscription.objects.get().member == member
    listing = client.get("/api/v1/push/subscriptions").json()["results"]
    assert [row["device_label"] for row in listing] == ["Android"]


def test_someone_elses_endpoint_cannot_be_taken_over(api, member):
    other = MemberFactory()
    client_for(api.validator, other.user).post("/api/v1/push/subscriptions", subscription(),
                                                format="json")
    client = api.as_token(token_for(member.user))
    forged = subscription(keys={"p256dh": KEYS["p256dh"], "auth": "d" * 22})
    response = client.post("/api/v1/push/subscriptions", forged, format="json")
    assert response.status_code == 409
    assert PushSubscription.objects.get().member == other


def test_endpoints_must_be_push_services(api, masters):
    for endpoint in ("http://fcm.googleapis.com/x", "https://127.0.0.1/x",
                     "https://evil.example/fcm.googleapis.com", "https://localhost/x",
                     "https://user:pw@fcm.googleapis.com/x"):
        response = api.post("/api/v1/push/subscriptions", subscription(endpoint=endpoint),
                            format="json")
        assert response.status_code == 400, endpoint
        assert response.json()["errors"][0]["field"] == "endpoint"
    assert not PushSubscription.objects.exists()


def test_removal_needs_the_secret(api, masters):
    api.post("/api/v1/push/subscriptions", subscription(), format="json")
    response = api.post("/api/v1/push/subscriptions/remove",
                        {"endpoint": ENDPOINT, "auth": "x" * 22}, format="json")
    assert response.json() == {"removed": False}
    response = api.post("/api/v1/push/subscriptions/remove",
                        {"endpoint": ENDPOINT, "auth": KEYS["auth"]}, format="json")
    assert response.json() == {"removed": True}
    assert not PushSubscription.objects.exists()


def test_campaign_registration_and_audience(schema_validator, secretariat_user, osaka_city):
    young = MemberFactory()
    ChildFactory(member=young, birth_date=datetime.date.today() - datetime.timedelta(days=400))
    older = MemberFactory(municipality=osaka_city)
    ChildFactory(member=older, birth_date=datetime.date.today() - datetime.timedelta(days=3650))
    for index, member in enumerate((young, older)):
        PushSubscription.objects.create(member=member, endpoint=f"{ENDPOINT}{index}",
                                        p256dh=KEYS["p256dh"], auth=KEYS["auth"])
    PushSubscription.objects.create(endpoint=f"{ENDPOINT}anon", p256dh=KEYS["p256dh"],
                                    auth=KEYS["auth"], general_news_only=True)
    client = client_for(schema_validator, secretariat_user)
    response = client.post("/api/v1/manage/push/campaigns", {
        "title": "1歳の子育て応援", "body": "イベントのお知らせ", "link": "/events/",
        "municipalities": ["271004"], "child_age_min": 0, "child_age_max": 2,
        "programmes": [Programme.objects.get(code="maido").code],
    }, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and data["audience"] == 1
    campaign = Campaign.objects.get()
    assert campaign.created_by == secretariat_user
    assert client.get(f"/api/v1/manage/push/campaigns/{campaign.pk}").json()["audience"] == 1
    everyone = client.post("/api/v1/manage/push/campaigns",
                           {"title": "全員", "body": "b", "everyone": True}, format="json")
    assert everyone.json()["audience"] == 3


def test_campaign_input_is_checked(schema_validator, secretariat_user):
    client = client_for(schema_validator, secretariat_user)
    response = client.post("/api/v1/manage/push/campaigns", {
        "title": "x", "body": "y", "link": "javascript:alert(1)", "child_age_min": 5,
        "child_age_max": 2, "genres": ["nope"]}, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"link"}
    response = client.post("/api/v1/manage/push/campaigns", {
        "title": "x", "body": "y", "child_age_min": 5, "child_age_max": 2}, format="json")
    assert {e["field"] for e in response.json()["errors"]} == {"child_age_max"}
    assert not Campaign.objects.exists()


def test_only_the_secretariat_registers_campaigns(schema_validator, member, municipal_user,
                                                  auditor_user):
    for user in (member.user, municipal_user, auditor_user):
        response = client_for(schema_validator, user).post(
            "/api/v1/manage/push/campaigns", {"title": "x", "body": "y"}, format="json")
        assert response.status_code == 403
    assert not Campaign.objects.exists()
