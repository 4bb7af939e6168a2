"""The FAQ assistant through its page, its API and its counters."""

import datetime

import pytest
from django.test import override_settings

from cms_pages.assistant import page_counts, services
from cms_pages.assistant.models import (
    AnswerFeedback,
    AssistantDay,
    ShopView,
    Synonym,
    UnansweredQuestion,
    ZeroResultSearch,
)
from cms_pages.models import FaqItem
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def ask(client, question):
    return client.post("/api/v1/assistant", {"question": question}, content_type="application/json")


def test_api_answers_from_the_faq_with_alternatives(masters, client):
    response = ask(client, "ﾊﾟｽﾜｰﾄﾞわすれた")
    assert response.status_code == 200
    data = response.json()
    assert data["answered"] is True
    assert data["answer"]["question"] == "パスワードを忘れました。"
    assert "再設定" in data["answer"]["answer_text"]
    assert len(data["alternatives"]) <= 2
    assert AssistantDay.objects.get().count == 1
    assert AssistantDay.objects.get().answered == 1


def test_a_place_and_a_facility_link_into_the_shop_search(masters, client):
    data = ask(client, "堺市 授乳室").json()
    assert data["shop_search"]["url"] == "/shops/?municipality=271403&facility=nursing-room"
    assert "堺市" in data["shop_search"]["text"]
    assert client.get(data["shop_search"]["url"]).status_code == 200


def test_unanswered_questions_are_logged_masked(masters, client):
    data = ask(client, "明日の天気は？ 090-1234-5678 hanako@example.jp").json()
    assert data["answered"] is False and data["answer"] is None
    row = UnansweredQuestion.objects.get()
    assert "1234" not in row.text and "hanako" not in row.text
    assert row.count == 1
    ask(client, "明日の天気は？ 080-9999-0000 taro@example.jp")
    assert UnansweredQuestion.objects.get().count == 2


@pytest.mark.parametrize("question", ["", "   ", "あ" * 10_000])
def test_bad_questions_get_a_problem_not_a_500(masters, client, question):
    response = ask(client, question)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "question"
    assert not AssistantDay.objects.exists()


def test_wrong_types_are_refused(masters, client):
    for body in ({"question": 12}, {"question": None}, {}, {"question": "a", "x": 1}):
        assert client.post("/api/v1/assistant", body, content_type="application/json") \
            .status_code == 400


@override_settings(API_THROTTLE_RATES={"ip": "600/minute", "token": "1200/minute",
                                       "assistant": "3/minute"})
def test_floods_are_throttled(masters, client):
    statuses = [ask(client, "退会したい").status_code for _ in range(5)]
    assert statuses[:3] == [200] * 3 and statuses[3:] == [429, 429]


def test_feedback_is_counted_per_entry(masters, client):
    item = FaqItem.objects.get(question="パスワードを忘れました。")
    for helpful in (True, True, False):
        response = client.post("/api/v1/assistant/feedback", {"faq_id": item.pk, "helpful": helpful},
                               content_type="application/json")
        assert response.status_code == 204
    assert AnswerFeedback.objects.get(helpful=True).count == 2
    assert AnswerFeedback.objects.get(helpful=False).count == 1
    response = client.post("/api/v1/assistant/feedback", {"faq_id": 999999, "helpful": True},
                           content_type="application/json")
    assert response.status_code == 404


def test_the_page_works_without_javascript_and_escapes_html(masters, client):
    assert client.get("/assistant/").status_code == 200
    response = client.post("/assistant/", {"question": "<script>alert(1)</script>退会したい"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "退会するにはどうすればいいですか？" in body
    empty = client.post("/assistant/", {"question": ""})
    assert empty.status_code == 400 and "質問を入力してください" in empty.content.decode()
    long = client.post("/assistant/", {"question": "あ" * 10_000})
    assert long.status_code == 400 and "500" in long.content.decode()


def test_the_page_feedback_and_its_bad_input(masters, client):
    item = FaqItem.objects.get(question="退会するにはどうすればいいですか？")
    assert client.post("/assistant/feedback/", {"faq_id": item.pk, "helpful": "yes"}).status_code == 200
    assert AnswerFeedback.objects.get().count == 1
    for data in ({"faq_id": "x", "helpful": "yes"}, {"faq_id": item.pk, "helpful": "maybe"},
                 {"faq_id": 10**12, "helpful": "no"}):
        assert client.post("/assistant/feedback/", data).status_code == 400
    assert AnswerFeedback.objects.get().count == 1


def test_the_page_is_rate_limited(masters, client):
    statuses = [client.post("/assistant/", {"question": "退会"}).status_code for _ in range(22)]
    assert statuses[-1] == 429 and statuses[0] == 200


def test_the_panel_is_on_every_page(masters, client):
    body = client.get("/").content.decode()
    assert 'data-assistant-dialog' in body and 'href="/assistant/"' in body


def test_synonyms_edited_by_the_secretariat_change_answers(masters, client):
    assert ask(client, "ポイ活したい").json()["answered"] is False
    synonym = Synonym.objects.get(term="退会")
    synonym.variants += "\nポイ活"
    synonym.save()
    assert ask(client, "ポイ活したい").json()["answer"]["question"] == "退会するにはどうすればいいですか？"


def test_alternative_phrasings_are_matched(masters, client):
    item = FaqItem.objects.get(question="紙のカードはありますか？")
    item.alternative_questions = "カードを印刷して持ち歩きたい"
    item.save()
    data = ask(client, "印刷して持ち歩きたい").json()
    assert data["answer"]["question"] == "紙のカードはありますか？"


def _nginx_line(response, at=1765100000.5):
    """What deploy/nginx/portal.conf's portal_counts log writes for this answer (nginx
    logs only marked answers; cache hits carry the stored mark)."""
    mark = response.headers.get("X-Portal-Count")
    return f'{at:.3f} {response.status_code} "{mark}"\n' if mark else ""


def test_zero_result_searches_and_shop_views_are_counted_from_the_count_log(
        masters, client, settings, tmp_path):
    """Issue 20: the views only mark their answers; nothing is written per view, and
    the counts come from nginx's log, so cache hits (the same marked answer sent again)
    count too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log = tmp_path / "portal-counts.log"
    settings.PAGE_COUNT_LOGS = [str(log)]
    settings.PAGE_COUNT_STATE_DIR = tmp_path / "state"
    shop = ShopFactory()
    lines = []
    with CaptureQueriesContext(connection) as queries:
        for params in ({"keyword": "存在しないお店ｶﾌｪ"}, {"keyword": "存在しないお店ｶﾌｪ"},
                       {"keyword": shop.name}):
            lines.append(_nginx_line(client.get("/shops/", params)))
        detail = client.get(f"/shops/{shop.pk}/")
        lines += [_nginx_line(detail)] * 3  # one answer from the app, two from the cache
    assert not [q for q in queries.captured_queries
                if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert ZeroResultSearch.objects.count() == ShopView.objects.count() == 0
    # a 404 (unpublished shop) and an unmarked page are not counted; a partial line waits
    lines.append(f'1765100001.000 404 "shop {shop.pk + 1000}"\n')
    log.write_text("".join(lines) + '1765100002.000 200 "shop')
    assert page_counts.page_counts_flush() == 6
    assert list(ZeroResultSearch.objects.values_list("term", "count")) == [("存在しないお店かふぇ", 2)]
    assert ShopView.objects.get(shop=shop).count == 3
    # the next run reads only what was added since (the partial line, now complete)
    with log.open("a") as handle:
        handle.write(f' {shop.pk}"\n')
    assert page_counts.page_counts_flush() == 1
    assert ShopView.objects.get(shop=shop).count == 4
    assert page_counts.page_counts_flush() == 0
    # a rotated log (a new file) is read from its start
    log.unlink()
    log.write_text(_nginx_line(detail))
    assert page_counts.page_counts_flush() == 1
    assert ShopView.objects.get(shop=shop).count == 5


def test_page_counts_are_scheduled_every_minute(db):
    from django_q.models import Schedule

    from cms_pages.assistant.apps import COUNT_TASK, _ensure_schedule

    Schedule.objects.filter(func=COUNT_TASK).delete()
    _ensure_schedule(sender=None)
    schedule = Schedule.objects.get(func=COUNT_TASK)
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 1)


@override_settings(ANALYTICS_RETENTION_DAYS=30)
def test_retention_deletes_old_counters(masters):
    today = datetime.date(2026, 6, 1)
    ZeroResultSearch.objects.create(day=today - datetime.timedelta(days=31), term="old", count=1)
    ZeroResultSearch.objects.create(day=today - datetime.timedelta(days=30), term="kept", count=1)
    assert services.analytics_purge(today=today) == 1
    assert list(ZeroResultSearch.objects.values_list("term", flat=True)) == ["kept"]


def test_the_purge_is_scheduled_daily(db):
    from django_q.models import Schedule

    from cms_pages.assistant.apps import PURGE_TASK

    assert Schedule.objects.filter(func=PURGE_TASK, schedule_type=Schedule.DAILY).exists()


def test_related_links_show_on_the_faq_page_and_in_answers(masters, client):
    from wagtail.models import Page

    privacy = Page.objects.get(depth=3, slug="privacy")
    item = FaqItem.objects.get(question="個人情報はどのように扱われますか？")
    item.related_links = [("link", {"page": privacy, "url": "", "text": ""}),
                          ("link", {"page": None, "url": "https://example.jp/guide",
                                    "text": "ガイド"})]
    item.save()
    body = client.get("/faq/").content.decode()
    assert f'href="{privacy.url}"' in body and 'href="https://example.jp/guide"' in body
    links = ask(client, "個人情報の扱いは？").json()["answer"]["links"]
    assert links == [{"text": privacy.title, "url": privacy.url},
                     {"text": "ガイド", "url": "https://example.jp/guide"}]
