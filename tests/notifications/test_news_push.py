"""A news page published with "send a push notification" reaches every subscription
once, through the same sending path as a campaign (local fake push service)."""

import json

import http_ece
import pytest
from wagtail.models import Page

from cms_pages.models import NewsPage
from notifications.models import Campaign, Delivery
from tests.notifications.test_sending import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def news_index(masters):
    return Page.objects.get(depth=3, slug="news").specific


def publish(page, user=None):
    page.save_revision(user=user).publish(user=user)


def test_publishing_pushes_once_to_members_and_general_news_devices(
        fake_push, member, secretariat, news_index, django_capture_on_commit_callbacks):
    _row, private, auth = subscribe(fake_push, "member-phone", member)
    subscribe(fake_push, "visitor", general_news_only=True)
    page = NewsPage(title="夏のおでかけ特集", slug="summer", intro="協賛店の夏のイベントです。",
                    send_push=True, live=False)
    news_index.add_child(instance=page)

    with django_capture_on_commit_callbacks(execute=True):
        publish(page, secretariat)

    campaign = Campaign.objects.get(news_page=page)
    assert campaign.everyone and campaign.link == page.url == "/news/summer/"
    assert campaign.status == Campaign.Status.SENT
    assert (campaign.target_count, campaign.sent_count) == (2, 2)
    assert campaign.approved_by == secretariat
    paths = sorted(request.path for request in fake_push.received)
    assert paths == ["/push/member-phone", "/push/visitor"]
    member_request = next(r for r in fake_push.received if r.path == "/push/member-phone")
    message = json.loads(http_ece.decrypt(member_request.body, private_key=private,
                                          auth_secret=auth, version="aes128gcm"))
    assert message["title"] == "夏のおでかけ特集"
    assert message["body"] == "協賛店の夏のイベントです。"

    # Editing and publishing again sends nothing more.
    page.intro = "内容を更新しました。"
    with django_capture_on_commit_callbacks(execute=True):
        publish(page, secretariat)
    assert Campaign.objects.filter(news_page=page).count() == 1
    assert len(fake_push.received) == 2
    assert Delivery.objects.count() == 2


def test_without_the_box_ticked_nothing_is_sent(
        fake_push, member, news_index, django_capture_on_commit_callbacks):
    subscribe(fake_push, "member-phone", member)
    page = NewsPage(title="静かなお知らせ", slug="quiet", send_push=False, live=False)
    news_index.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        publish(page)
    assert not Campaign.objects.exists()
    assert fake_push.received == []


def test_no_subscription_at_all_is_not_an_error(news_index, django_capture_on_commit_callbacks):
    page = NewsPage(title="だれもいない", slug="nobody", send_push=True, live=False)
    news_index.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        publish(page)
    campaign = Campaign.objects.get(news_page=page)
    assert campaign.status == Campaign.Status.SENT and campaign.target_count == 0
