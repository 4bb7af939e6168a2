"""The public event list and detail pages."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def days(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def events(osaka_city, sakai_city):
    return {
        "later": EventFactory(title="来月のイベント", starts_on=days(20), ends_on=days(30)),
        "ongoing": EventFactory(title="開催中のイベント", starts_on=days(-2), ends_on=days(1)),
        "today": EventFactory(title="今日までのイベント", starts_on=days(-5), ends_on=days(0)),
        "sakai": EventFactory(title="堺のイベント", starts_on=days(3), ends_on=days(4),
                              municipality=sakai_city),
        "past": EventFactory(title="終わったイベント", starts_on=days(-10), ends_on=days(-1)),
        "draft": EventFactory(title="下書きのイベント", starts_on=days(1), ends_on=days(2),
                              live=False),
    }


def test_list_shows_ongoing_and_upcoming_by_soonest_end(client, events):
    response = client.get("/events/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "イベント" in html
    order = [html.index(title) for title in
             ("今日までのイベント", "開催中のイベント", "堺のイベント", "来月のイベント")]
    assert order == sorted(order)
    assert "終わったイベント" not in html
    assert "下書きのイベント" not in html
    assert "4件" in html


def test_past_events(client, events):
    html = client.get("/events/", {"past": "1"}).content.decode()
    assert "終わったイベント" in html
    assert "来月のイベント" not in html
    assert "終了したイベント" in html


def test_filter_by_municipality(client, events):
    html = client.get("/events/", {"municipality": "271403"}).content.decode()
    assert "堺のイベント" in html
    assert "来月のイベント" not in html


def _titles_in_order(html, titles):
    positions = {title: html.index(title) for title in titles}
    return sorted(titles, key=positions.get)


def test_order_by_soonest_end_or_by_last_update(client, events):
    from directory.events.models import Event

    now = timezone.now()
    # Updated most recently: the event that ends last, then the one that ends first.
    for key, hours_ago in (("later", 1), ("today", 2), ("sakai", 3), ("ongoing", 4)):
        Event.objects.filter(pk=events[key].pk).update(
            updated_at=now - datetime.timedelta(hours=hours_ago))
    titles = ["今日までのイベント", "開催中のイベント", "堺のイベント", "来月のイベント"]

    html = client.get("/events/").content.decode()
    # The control is visible, with a label, and the default is the soonest end date.
    assert '<label class="p-form__label" for="id_order">' in html
    assert "並び順" in html and "終了日が近い順" in html and "更新日が新しい順" in html
    assert '<select name="order"' in html
    assert _titles_in_order(html, titles) == titles
    assert _titles_in_order(client.get("/events/", {"order": "end"}).content.decode(),
                            titles) == titles

    response = client.get("/events/", {"order": "updated"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _titles_in_order(html, titles) == [
        "来月のイベント", "今日までのイベント", "堺のイベント", "開催中のイベント"]
    assert '<option value="updated" selected>' in html
    assert "終わったイベント" not in html  # past events stay hidden in either order
    # The period tabs keep the chosen order.
    assert "?past=1&amp;order=updated" in html

    # With a municipality filter too.
    html = client.get("/events/", {"order": "updated", "municipality": "271403"}
                      ).content.decode()
    assert "堺のイベント" in html and "来月のイベント" not in html


@pytest.mark.parametrize("params", [{"municipality": "000000"}, {"municipality": "x" * 500},
                                    {"order": "random"}, {"order": "x" * 500}])
def test_unknown_municipality_is_400(client, events, params):
    response = client.get("/events/", params)
    assert response.status_code == 400
    assert "正しく選択してください" in response.content.decode()


@pytest.mark.parametrize("page", ["-1", "abc", "999999"])
def test_bad_page_numbers(client, events, page):
    assert client.get("/events/", {"page": page}).status_code == 200


def test_empty_list_message(client, masters):
    html = client.get("/events/").content.decode()
    assert "現在、開催中・開催予定のイベントはありません" in html


def test_detail(client, events):
    event = events["ongoing"]
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "開催中のイベント</h1>" in html
    assert "どなたでも参加できます。" in html
    assert "大阪府庁 本館" in html
    assert "開催日" in html


def test_past_event_detail_is_still_public(client, events):
    assert client.get(f"/events/{events['past'].pk}/").status_code == 200


def test_detail_of_non_live_event_is_404(client, events):
    assert client.get(f"/events/{events['draft'].pk}/").status_code == 404


def test_list_query_count_is_bounded(client, osaka_city, django_assert_max_num_queries):
    for index in range(30):
        EventFactory(title=f"イベント{index}")
    with django_assert_max_num_queries(8):
        response = client.get("/events/")
    assert response.content.decode().count('class="p-card"') == 20


def test_preview_template_renders_an_unsaved_event(rf, osaka_city):
    from django.contrib.auth.models import AnonymousUser

    from directory.events.models import Event

    event = Event(title="プレビューのイベント", starts_on=days(1), ends_on=days(1),
                  municipality=osaka_city, body="<p>本文</p>")
    request = rf.get("/admin/snippets/events/event/preview/")
    request.user = AnonymousUser()
    response = event.serve_preview(request, "")
    response.render()
    html = response.content.decode()
    assert "プレビューのイベント</h1>" in html
    assert "<p>本文</p>" in html
