"""Translated events and ふぁみなび articles in the API: Japanese originals only by
default (existing clients see no duplicates), ``lang=en`` for the English translation
where published, else the Japanese original; an unknown language is a 400."""

import pytest

from tests.api.conftest import api_schema
from tests.factories import ArticleFactory, EventFactory
from tests.translation import translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(osaka_city):
    translated = EventFactory(title="夏休みこども工作教室", legacy_id=5150)
    untranslated = EventFactory(title="親子ヨガ")
    english_event = translate(translated, {"夏休みこども工作教室": "Summer craft class"})
    return translated, untranslated, english_event


@pytest.fixture
def articles(masters):
    translated = ArticleFactory(title="児童手当のご案内")
    untranslated = ArticleFactory(title="子育て相談窓口")
    english_article = translate(translated, {"児童手当のご案内": "Child allowance"})
    return translated, untranslated, english_article


def titles(data):
    return sorted(item["title"] for item in data["results"])


def test_event_search_default_is_japanese_only(api, events):
    data = api.get("/api/v1/events").json()
    assert data["count"] == 2
    assert titles(data) == sorted(["夏休みこども工作教室", "親子ヨガ"])
    assert titles(api.get("/api/v1/events", {"lang": "ja"}).json()) == titles(data)


def test_event_search_in_english_with_the_fallback(api, events):
    translated, untranslated, english_event = events
    data = api.get("/api/v1/events", {"lang": "en"}).json()
    assert data["count"] == 2
    assert titles(data) == sorted(["Summer craft class", "親子ヨガ"])
    by_title = {item["title"]: item for item in data["results"]}
    assert by_title["Summer craft class"]["id"] == english_event.pk
    assert by_title["Summer craft class"]["web_url"] == f"/events/{english_event.pk}/"


def test_event_detail_by_language(api, events):
    translated, untranslated, english_event = events
    assert api.get(f"/api/v1/events/{translated.pk}").json()["title"] == "夏休みこども工作教室"
    # Either id gives the row of the language asked for.
    for pk in (translated.pk, english_event.pk):
        assert api.get(f"/api/v1/events/{pk}", {"lang": "en"}).json()["title"] == (
            "Summer craft class")
        assert api.get(f"/api/v1/events/{pk}").json()["title"] == "夏休みこども工作教室"
    assert api.get(f"/api/v1/events/{untranslated.pk}", {"lang": "en"}).json()["title"] == (
        "親子ヨガ")


def test_faminavi_search_and_detail_by_language(api, articles):
    translated, untranslated, english_article = articles
    data = api.get("/api/v1/faminavi").json()
    assert titles(data) == sorted(["児童手当のご案内", "子育て相談窓口"])
    data = api.get("/api/v1/faminavi", {"lang": "en"}).json()
    assert titles(data) == sorted(["Child allowance", "子育て相談窓口"])
    assert api.get(f"/api/v1/faminavi/{translated.pk}", {"lang": "en"}).json()["title"] == (
        "Child allowance")
    assert api.get(f"/api/v1/faminavi/{english_article.pk}").json()["title"] == "児童手当のご案内"


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/faminavi"])
def test_unknown_language_is_a_400_naming_the_parameter(api, masters, path):
    for value in ("xx", "EN", ""):
        response = api.get(path, {"lang": value})
        assert response.status_code == 400, value
        assert response["Content-Type"].startswith("application/problem+json")
        errors = response.json()["errors"]
        assert [error["field"] for error in errors] == ["lang"]


def test_unknown_language_on_a_detail_is_a_400(api, events):
    response = api.get(f"/api/v1/events/{events[0].pk}", {"lang": "xx"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "lang"
    assert error["detail"] == "言語「xx」は指定できません。ja（日本語）または en（英語）を指定してください。"


def test_the_schema_documents_lang():
    schema = api_schema()
    for path in ("/api/v1/events", "/api/v1/events/{id}", "/api/v1/faminavi",
                 "/api/v1/faminavi/{id}"):
        parameters = {parameter["name"]: parameter
                      for parameter in schema["paths"][path]["get"]["parameters"]}
        assert parameters["lang"]["schema"]["enum"] == ["ja", "en"], path
        assert parameters["lang"]["in"] == "query"
        assert "400" in schema["paths"][path]["get"]["responses"]
