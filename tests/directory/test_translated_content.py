"""Events and ふぁみなび articles translated into English with wagtail-localize: one row
per event or article everywhere the public sees them, English where a translation is
published, else the Japanese original (directory/i18n.py); the back office keeps
working with translations."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from directory.accounts import roles
from directory.events.models import Event
from tests.factories import ArticleFactory, EventFactory, UserFactory
from tests.translation import english, translate

pytestmark = pytest.mark.django_db


def days(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def events(osaka_city):
    translated = EventFactory(title="夏休みこども工作教室", summary="工作を楽しもう。",
                              legacy_id=4242, starts_on=days(1), ends_on=days(2))
    untranslated = EventFactory(title="親子ヨガ", starts_on=days(3), ends_on=days(4))
    english_event = translate(translated, {"夏休みこども工作教室": "Summer craft class",
                                           "工作を楽しもう。": "Let's make things."})
    return {"translated": translated, "untranslated": untranslated, "english": english_event}


@pytest.fixture
def articles(masters):
    translated = ArticleFactory(title="児童手当のご案内", summary="手当の申請方法です。",
                                legacy_id=77)
    untranslated = ArticleFactory(title="子育て相談窓口")
    english_article = translate(translated, {"児童手当のご案内": "Child allowance",
                                             "手当の申請方法です。": "How to apply."})
    return {"translated": translated, "untranslated": untranslated,
            "english": english_article}


def card_titles(html):
    return re.findall(r'<a class="p-card__link" href="[^"]+">([^<]+)</a>', html)


# --- the translation itself -------------------------------------------------------------


def test_translation_is_a_published_english_row_without_the_legacy_id(events):
    original, translated = events["translated"], events["english"]
    assert translated.pk != original.pk
    assert translated.locale == english()
    assert translated.translation_key == original.translation_key
    assert translated.live
    assert translated.title == "Summer craft class"
    assert translated.legacy_id is None  # unique: it stays on the original
    assert original.legacy_id == 4242
    # Dates and municipality follow the original.
    assert (translated.starts_on, translated.ends_on, translated.municipality_id) == (
        original.starts_on, original.ends_on, original.municipality_id)
    assert not translated.locked


def test_new_rows_get_the_default_locale(osaka_city):
    assert EventFactory().locale.language_code == "ja"
    assert ArticleFactory().locale.language_code == "ja"


def test_updating_the_translation_keeps_one_english_row(events):
    original = events["translated"]
    original.ends_on = days(5)
    original.save()
    again = translate(original, {"夏休みこども工作教室": "Summer crafts"})
    assert again.pk == events["english"].pk
    assert again.title == "Summer crafts"
    assert again.ends_on == days(5)
    assert Event.objects.filter(translation_key=original.translation_key).count() == 2


# --- public lists and details --------------------------------------------------------------


def test_japanese_event_list_has_japanese_rows_only(client, events):
    html = client.get("/events/").content.decode()
    assert card_titles(html) == ["夏休みこども工作教室", "親子ヨガ"]
    assert "Summer craft class" not in html
    assert "2件" in html


def test_english_event_list_shows_each_event_once_with_the_fallback(client, events):
    html = in_english(client).get("/events/").content.decode()
    assert '<html lang="en">' in html
    assert card_titles(html) == ["Summer craft class", "親子ヨガ"]
    assert "夏休みこども工作教室" not in html
    assert "2 events" in html
    # The untranslated event is marked as Japanese content.
    assert re.search(r'<li class="p-card" lang="ja">\s*<h3 class="p-card__title"><a '
                     rf'class="p-card__link" href="/events/{events["untranslated"].pk}/">', html)


def test_english_event_detail_shows_the_translation(client, events):
    original, translated = events["translated"], events["english"]
    in_english(client)
    for pk in (original.pk, translated.pk):  # either address
        response = client.get(f"/events/{pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Summer craft class</h1>" in html
        assert '<article class="p-detail" lang="en">' in html
    html = client.get(f"/events/{events['untranslated'].pk}/").content.decode()
    assert "親子ヨガ</h1>" in html
    assert '<article class="p-detail" lang="ja">' in html


def test_japanese_event_detail_shows_the_original_at_either_address(client, events):
    for pk in (events["translated"].pk, events["english"].pk):
        html = client.get(f"/events/{pk}/").content.decode()
        assert "夏休みこども工作教室</h1>" in html
        assert "Summer craft class" not in html


def test_draft_translation_is_not_shown(client, osaka_city):
    event = EventFactory(title="秋まつり", starts_on=days(1), ends_on=days(2))
    translate(event, {"秋まつり": "Autumn festival"}, publish=False)
    html = in_english(client).get("/events/").content.decode()
    assert card_titles(html) == ["秋まつり"]
    assert "秋まつり</h1>" in client.get(f"/events/{event.pk}/").content.decode()


def test_withdrawn_original_withdraws_the_translation(client, events):
    original = events["translated"]
    Event.objects.filter(pk=original.pk).update(live=False)
    html = in_english(client).get("/events/").content.decode()
    assert card_titles(html) == ["親子ヨガ"]
    assert client.get(f"/events/{events['english'].pk}/").status_code == 404


def test_english_list_filters_and_past_events(client, events, sakai_city):
    in_english(client)
    html = client.get("/events/", {"municipality": "271004"}).content.decode()
    assert card_titles(html) == ["Summer craft class", "親子ヨガ"]
    html = client.get("/events/", {"municipality": "271403"}).content.decode()
    assert card_titles(html) == []
    past = EventFactory(title="春のイベント", starts_on=days(-9), ends_on=days(-8))
    translate(past, {"春のイベント": "Spring event"})
    html = client.get("/events/", {"past": "1"}).content.decode()
    assert card_titles(html) == ["Spring event"]


def test_english_event_list_query_count_is_flat(client, events, django_assert_max_num_queries):
    for index in range(10):
        event = EventFactory(title=f"イベント{index}", starts_on=days(1), ends_on=days(2))
        if index % 2:
            translate(event, {f"イベント{index}": f"Event {index}"})
    in_english(client)
    with django_assert_max_num_queries(8):
        response = client.get("/events/")
    assert len(card_titles(response.content.decode())) == 12


def test_faminavi_lists_and_details_in_both_languages(client, articles):
    html = client.get("/faminavi/").content.decode()
    assert sorted(card_titles(html)) == sorted(["児童手当のご案内", "子育て相談窓口"])
    assert "Child allowance" not in html

    in_english(client)
    html = client.get("/faminavi/").content.decode()
    assert sorted(card_titles(html)) == sorted(["Child allowance", "子育て相談窓口"])
    assert "児童手当のご案内" not in html
    html = client.get(f"/faminavi/{articles['translated'].pk}/").content.decode()
    assert "Child allowance</h1>" in html
    html = client.get(f"/faminavi/{articles['untranslated'].pk}/").content.decode()
    assert "子育て相談窓口</h1>" in html


def test_faminavi_translation_keeps_genres_and_areas(client, masters):
    from directory.masters.models import Area, Genre

    area = Area.objects.first()
    genre = Genre.objects.filter(for_articles=True).first()
    article = ArticleFactory(title="保育所の入所", areas=[area], genres=[genre])
    translated = translate(article, {"保育所の入所": "Nursery admission"})
    assert translated.legacy_id is None
    assert list(translated.areas.all()) == [area]
    assert list(translated.genres.all()) == [genre]
    html = in_english(client).get("/faminavi/", {"area": area.code,
                                                  "genre": genre.code}).content.decode()
    assert card_titles(html) == ["Nursery admission"]


def test_home_page_events_in_english(client, events):
    from wagtail.models import Site

    html = client.get("/").content.decode()
    assert "夏休みこども工作教室" in html and "Summer craft class" not in html
    html = in_english(client).get("/").content.decode()
    assert "Summer craft class" in html and "夏休みこども工作教室" not in html
    assert "親子ヨガ" in html
    assert re.search(r'<li class="p-card" lang="en">\s*<h3 class="p-card__title"><a '
                     r'class="p-card__link" href="[^"]+">Summer craft class', html)

    # Featured events chosen by the editor (the Japanese rows) are shown in English.
    home = Site.objects.get(is_default_site=True).root_page.specific
    home.featured_events.create(event=events["untranslated"], sort_order=0)
    home.featured_events.create(event=events["translated"], sort_order=1)
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert html.index("親子ヨガ") < html.index("Summer craft class")
    assert "夏休みこども工作教室" not in html


def test_sitemaps_list_each_event_and_article_once(client, events, articles):
    xml = client.get("/sitemap-events.xml").content.decode()
    assert f"http://testserver/events/{events['translated'].pk}/" in xml
    assert f"/events/{events['english'].pk}/" not in xml
    assert f"http://testserver/events/{events['untranslated'].pk}/" in xml
    xml = client.get("/sitemap-faminavi.xml").content.decode()
    assert f"http://testserver/faminavi/{articles['translated'].pk}/" in xml
    assert f"/faminavi/{articles['english'].pk}/" not in xml


# --- the back office ------------------------------------------------------------------------


def test_secretariat_gets_translate_for_an_event(client, events):
    secretariat = UserFactory(groups=[roles.SECRETARIAT])
    client.force_login(secretariat)
    event = events["untranslated"]
    url = f"/admin/localize/submit/snippet/events/event/{event.pk}/"
    # The listing offers "Translate" (wagtail-localize's button for translatable snippets).
    html = client.get("/admin/snippets/events/event/").content.decode()
    assert url in html
    assert client.get(url).status_code == 200
    response = client.post(url, {"locales": [english().pk]})
    assert response.status_code == 302
    translated = event.get_translation(english())
    assert translated.legacy_id is None
    # The translation editor opens for the English event.
    response = client.get(f"/admin/snippets/events/event/edit/{translated.pk}/")
    assert response.status_code == 200
    assert "wagtail_localize" in response.content.decode() or (
        "translation" in response.content.decode().lower())


def test_secretariat_gets_translate_for_an_article(client, articles):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    article = articles["untranslated"]
    url = f"/admin/localize/submit/snippet/faminavi/article/{article.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"locales": [english().pk]}).status_code == 302
    assert article.has_translation(english())


def test_admin_listing_shows_translations_with_a_locale_filter(client, events):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    html = client.get("/admin/snippets/events/event/").content.decode()
    assert "夏休みこども工作教室" in html and "Summer craft class" in html
    html = client.get("/admin/snippets/events/event/", {"locale": "ja"}).content.decode()
    assert "夏休みこども工作教室" in html and "Summer craft class" not in html
    html = client.get("/admin/snippets/events/event/", {"locale": "en"}).content.decode()
    assert "Summer craft class" in html
    assert "夏休みこども工作教室" not in html


def test_municipal_staff_reach_their_translations_only(client, events, sakai_city):
    staff = UserFactory(groups=[roles.MUNICIPAL_STAFF], municipality=events["english"].municipality)
    client.force_login(staff)
    translated = events["english"]
    assert client.get(f"/admin/snippets/events/event/edit/{translated.pk}/").status_code == 200
    other = UserFactory(groups=[roles.MUNICIPAL_STAFF], municipality=sakai_city)
    client.force_login(other)
    assert client.get(f"/admin/snippets/events/event/edit/{translated.pk}/").status_code == 404



def test_municipal_staff_cannot_submit_translations(client, events):
    """Translating is the secretariat's (wagtail_localize.submit_translation)."""
    event = events["untranslated"]
    client.force_login(UserFactory(groups=[roles.MUNICIPAL_STAFF],
                                   municipality=event.municipality))
    url = f"/admin/localize/submit/snippet/events/event/{event.pk}/"
    # Wagtail's admin answers a PermissionDenied with a redirect to the dashboard.
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"locales": [english().pk]}).status_code in (302, 403)
    assert not event.has_translation(english())
    assert url not in client.get("/admin/snippets/events/event/").content.decode()

    # wagtail-localize's snippet API would list every row of any snippet model.
    for model in ("events/event", "shops/shop", "members/member"):
        assert client.get(f"/admin/localize/api/snippets/{model}/").status_code == 403


def test_secretariat_keeps_wagtail_localize_snippet_api(client, events):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    response = client.get("/admin/localize/api/snippets/events/event/")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()} >= {events["translated"].pk,
                                                       events["english"].pk}


def test_language_switch_keeps_the_event_page(client, events):
    """The switch stays on the event's address, which then shows the English event."""
    url = f"/events/{events['translated'].pk}/"
    response = client.post("/i18n/setlang/", {"language": "en", "next": url},
                           HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302 and response["Location"] == url
    assert "Summer craft class</h1>" in client.get(url).content.decode()
    client.post("/i18n/setlang/", {"language": "ja", "next": url},
                HTTP_ORIGIN="http://testserver")
    assert "夏休みこども工作教室</h1>" in client.get(url).content.decode()
