"""The campaign screens of the back office, through HTTP: the form's checks, the live
count, test send, send now / schedule with bad input, and who may use them."""

import datetime

from django.utils import timezone

from directory.accounts import roles
from notifications.models import Campaign, PushSubscription
from tests.factories import UserFactory
from tests.notifications.test_sending import campaign_for, subscribe

ADD_URL = "/admin/snippets/notifications/campaign/add/"


def form_data(**overrides):
    return {"title": "お知らせ", "body": "本文です。", "link": "/news/", "icon": "",
            "child_age_min": "", "child_age_max": "", **overrides}


def test_the_secretariat_writes_a_draft_with_its_target(client, secretariat, osaka_city):
    client.force_login(secretariat)
    assert client.get(ADD_URL).status_code == 200
    response = client.post(ADD_URL, form_data(municipalities=[osaka_city.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get()
    assert campaign.status == Campaign.Status.DRAFT and campaign.created_by == secretariat
    assert list(campaign.municipalities.all()) == [osaka_city]
    assert client.get("/admin/snippets/notifications/campaign/").status_code == 200


def test_bad_form_input_is_refused(client, secretariat, masters):
    client.force_login(secretariat)
    for bad in ({"link": "javascript:alert(1)"}, {"link": "//evil.example/"},
                {"child_age_min": "5", "child_age_max": "2"},
                {"body": "👶" * 1000}):
        response = client.post(ADD_URL, form_data(**bad))
        assert response.status_code == 200, bad  # the form again, with the error
    assert not Campaign.objects.exists()


def test_the_live_count_follows_the_conditions(client, fake_push, member, secretariat,
                                               osaka_city, sakai_city):
    subscribe(fake_push, "osaka", member)
    client.force_login(secretariat)
    url = "/admin/push/audience-count/"
    assert client.post(url, {"municipalities": [osaka_city.pk]}).json()["count"] == 1
    assert client.post(url, {"municipalities": [sakai_city.pk]}).json()["count"] == 0
    assert client.post(url, {"everyone": "on"}).json()["count"] == 1
    assert client.post(url, {"municipalities": ["x", "-1"], "child_age_min": "abc"}).status_code == 200


def test_send_screen_refuses_bad_input_and_sends_nothing(client, fake_push, member, secretariat,
                                                         osaka_city, sakai_city):
    subscribe(fake_push, "osaka", member)
    client.force_login(secretariat)
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    url = f"/admin/push/campaigns/{campaign.pk}/"
    page = client.get(url).content.decode()
    assert "1 台" in page or "1 device" in page

    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"action": "schedule", "scheduled_at": past}, follow=True)
    assert "未来" in response.content.decode()
    response = client.post(url, {"action": "schedule", "scheduled_at": "not a date"}, follow=True)
    assert response.status_code == 200
    response = client.post(url, {"action": "test"}, follow=True)
    assert "端末" in response.content.decode()  # no device of the sender's own

    empty = campaign_for(secretariat, municipalities=[sakai_city])
    response = client.post(f"/admin/push/campaigns/{empty.pk}/", {"action": "send_now"},
                           follow=True)
    assert "対象" in response.content.decode()
    assert fake_push.received == []
    assert set(Campaign.objects.values_list("status", flat=True)) == {"draft"}


def test_send_now_and_the_results(client, fake_push, member, secretariat, osaka_city,
                                  django_capture_on_commit_callbacks):
    subscribe(fake_push, "osaka", member)
    client.force_login(secretariat)
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    url = f"/admin/push/campaigns/{campaign.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send_now"})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.sent_count == 1
    page = client.get(url).content.decode()
    assert 'data-testid="campaign-results"' in page
    response = client.post(f"/admin/snippets/notifications/campaign/edit/{campaign.pk}/",
                           form_data(title="changed"))
    assert response.status_code == 200  # a sent campaign is not edited
    campaign.refresh_from_db()
    assert campaign.title != "changed"


def test_only_the_secretariat_reaches_the_campaign_screens(client, member, secretariat,
                                                           osaka_city):
    campaign = campaign_for(secretariat, municipalities=[osaka_city])
    owner = UserFactory(groups=[roles.SHOP_OWNER], is_staff=True)
    for user in (owner, member.user):
        client.force_login(user)
        for url in (f"/admin/push/campaigns/{campaign.pk}/",
                    "/admin/snippets/notifications/campaign/"):
            assert client.get(url).status_code in (302, 403), (user, url)
        response = client.post(f"/admin/push/campaigns/{campaign.pk}/", {"action": "send_now"})
        assert response.status_code in (302, 403)
        assert client.post("/admin/push/audience-count/", {}).status_code in (302, 403)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_the_approver_sees_the_approve_button(client, fake_push, member, secretariat,
                                              second_secretariat,
                                              django_capture_on_commit_callbacks):
    subscribe(fake_push, "member", member)
    campaign = campaign_for(secretariat, everyone=True)
    client.force_login(secretariat)
    url = f"/admin/push/campaigns/{campaign.pk}/"
    client.post(url, {"action": "send_now"})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.AWAITING_APPROVAL
    assert 'value="approve"' not in client.get(url).content.decode()
    client.post(url, {"action": "approve"})
    assert fake_push.received == []

    client.force_login(second_secretariat)
    assert 'value="approve"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "approve"})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and len(fake_push.received) == 1
    assert PushSubscription.objects.count() == 1
