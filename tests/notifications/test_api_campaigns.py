"""The campaign API (プッシュ通知登録) refuses what could never be sent."""

import datetime

from django.utils import timezone

from notifications.models import Campaign


def test_oversized_and_past_campaigns_are_refused_by_the_api(client, secretariat):
    client.force_login(secretariat)
    response = client.post("/api/v1/manage/push/campaigns",
                           {"title": "x", "body": "👶" * 1000}, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["body"]
    past = (timezone.now() - datetime.timedelta(minutes=5)).isoformat()
    response = client.post("/api/v1/manage/push/campaigns",
                           {"title": "x", "body": "y", "scheduled_at": past},
                           content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["scheduled_at"]
    assert not Campaign.objects.exists()
    response = client.post("/api/v1/manage/push/campaigns", {"title": "x", "body": "y" * 1000},
                           content_type="application/json")
    assert response.status_code == 201
