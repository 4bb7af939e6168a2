"""The FAQ in English: translating the FAQ page with wagtail-localize translates its
questions (FaqItem is translatable), /en/faq/ shows them, and the assistant answers
from the FAQ of the visitor's language, in Japanese when there is no English FAQ."""

import pytest
from django.conf import settings
from django.core.cache import cache
from wagtail.models import Page

from cms_pages.models import FaqItem
from tests.translation import english, translate

pytestmark = pytest.mark.django_db

QUESTION = "パスワードを忘れました。"
ANSWER = ("ログイン画面の「パスワードを忘れた方」から登録したメールアドレスを入力してください。"
          "再設定用のメールをお送りします。")
STRINGS = {
    "よくある質問": "Frequently asked questions",
    "ログイン": "Signing in",
    QUESTION: "I forgot my password.",
    ANSWER: "Enter your e-mail address under “Forgot your password?” on the sign-in "
            "screen. We will send you an e-mail to set a new one.",
}


def japanese_faq():
    return Page.objects.get(depth=3, slug="faq", locale__language_code="ja").specific


@pytest.fixture
def english_faq(home):
    translate(home, {})
    return translate(japanese_faq(), STRINGS)


def ask(client, question, language=None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/api/v1/assistant", {"question": question},
                           content_type="application/json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_translating_the_faq_page_translates_its_questions(masters, english_faq):
    japanese = japanese_faq()
    japanese_items = list(japanese.faq_items.all())
    english_items = list(FaqItem.objects.filter(page=english_faq))
    assert len(english_items) == len(japanese_items) > 1
    assert {item.locale_id for item in english_items} == {english().pk}
    assert {item.translation_key for item in english_items} == {
        item.translation_key for item in japanese_items}
    item = next(item for item in english_items if item.question == "I forgot my password.")
    assert "sign-in screen" in item.answer
    assert item.category == "Signing in"
    # The Japanese items are untouched.
    assert japanese.faq_items.filter(question=QUESTION).exists()


def test_english_faq_page_shows_english_questions(client, masters, english_faq):
    response = client.get("/en/faq/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "I forgot my password." in html
    assert "sign-in screen" in html
    assert QUESTION not in html
    html = client.get("/faq/").content.decode()
    assert QUESTION in html
    assert "I forgot my password." not in html


def test_assistant_answers_from_the_faq_of_the_language(client, masters, english_faq):
    data = ask(client, "I forgot my password", language="en")
    assert data["answered"] is True
    assert data["answer"]["question"] == "I forgot my password."

    data = ask(client, "パスワードを忘れた", language="ja")
    assert data["answer"]["question"] == QUESTION


def test_assistant_in_english_without_an_english_faq_answers_in_japanese(client, masters):
    data = ask(client, "パスワードを忘れた", language="en")
    assert data["answered"] is True
    assert data["answer"]["question"] == QUESTION
