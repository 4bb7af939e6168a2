"""Shop-posted events go through the event approval workflow (イベント承認) the same
way as shops: the owner drafts and submits, the secretariat approves (publishes)
or requests changes; nothing is public before."""

import datetime
import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.events.models import Event
from tests.directory.shops.owner_helpers import (
    EVENT_NS,
    edit_url,
    post_edit,
    workflow_action_url,
)
from tests.factories import owner_with_shop

pytestmark = pytest.mark.django_db


def _event_form(shop, osaka_city, **overrides):
    start = datetime.date.today() + datetime.timedelta(days=7)
    data = {
        "title": "親子でパンづくり",
        "summary": "親子で参加できるパン教室です。",
        # Draftail's content state (the rich text editor posts JSON).
        "body": json.dumps({"blocks": [{"key": "a1b2c", "type": "unstyled",
                                        "text": "エプロンがあると便利です。", "depth": 0,
                                        "inlineStyleRanges": [], "entityRanges": []}],
                            "entityMap": {}}),
        "starts_on": start.isoformat(),
        "ends_on": start.isoformat(),
        "time_note": "10:00〜12:00",
        "venue": "ひまわり食堂",
        "municipality": str(osaka_city.pk),
        "shop": str(shop.pk),
        "organiser": "",
        "url": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def owner_client(published_shop):
    client = Client()
    client.force_login(published_shop[0].user)
    return client


def test_owner_posts_an_event_for_their_shop_and_it_waits_for_approval(
    client, owner_client, published_shop, secretariat, osaka_city
):
    _owner, shop = published_shop
    response = owner_client.post(reverse(f"{EVENT_NS}:add"),
                                 _event_form(shop, osaka_city, **{"action-submit": "1"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="親子でパンづくり")
    assert not event.live and event.workflow_in_progress
    assert event.get_workflow().name == "イベント承認"
    assert any("イベントの承認申請" in m.subject for m in mail.outbox)
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404
    assert "親子でパンづくり" not in client.get(reverse("events:list")).content.decode()
    # Locked for the owner while in moderation.
    post_edit(owner_client, edit_url(event.pk, EVENT_NS), title="こっそり変更")
    event.refresh_from_db()
    assert event.get_latest_revision_as_object().title == "親子でパンづくり"
    assert "承認待ち" in owner_client.get(reverse("wagtailadmin_home")).content.decode()

    reviewer = Client()
    reviewer.force_login(secretariat)
    reviewer.post(workflow_action_url(event, "reject", EVENT_NS),
                  {"comment": "持ち物を書いてください。"})
    assert "持ち物を書いてください。" in owner_client.get(
        reverse("wagtailadmin_home")).content.decode()
    post_edit(owner_client, edit_url(event.pk, EVENT_NS), action="submit",
              summary="エプロンをお持ちください。")
    event.refresh_from_db()
    reviewer.post(workflow_action_url(event, "approve", EVENT_NS))
    event.refresh_from_db()
    assert event.live and event.summary == "エプロンをお持ちください。"
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 200


def test_owner_cannot_post_an_event_for_another_owners_unpublished_shop(
    owner_client, osaka_city, masters
):
    _other_owner, other = owner_with_shop(name="よその未公開店", live=False)
    response = owner_client.post(reverse(f"{EVENT_NS}:add"),
                                 _event_form(other, osaka_city, **{"action-submit": "1"}))
    assert response.status_code == 200  # the form comes back: not a choice
    assert not Event.objects.filter(title="親子でパンづくり").exists()


def test_owner_has_no_publish_button_on_events(owner_client, published_shop, osaka_city):
    _owner, shop = published_shop
    owner_client.post(reverse(f"{EVENT_NS}:add"), _event_form(shop, osaka_city))
    event = Event.objects.get(title="親子でパンづくり")
    html = owner_client.get(edit_url(event.pk, EVENT_NS)).content.decode()
    assert 'name="action-submit"' in html and 'name="action-publish"' not in html
