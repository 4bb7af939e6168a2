"""Translating an event into English in a real browser: the secretariat submits the
event for English with wagtail-localize and gets its translation editor for the new
English event, with the Japanese text to translate."""

import pytest

from tests.e2e.conftest import E2E_MARKS, SECRETARIAT_EMAIL

pytestmark = E2E_MARKS

TITLE = "親子で楽しむ秋の工作教室"


@pytest.fixture
def event(demo_site):
    from tests.factories import EventFactory

    return EventFactory(title=TITLE, summary="段ボールで工作します。")


def test_secretariat_opens_the_translation_editor_for_an_event(
    demo_site, event, page, login_admin
):
    from wagtail.models import Locale

    from directory.events.models import Event

    login_admin(page, SECRETARIAT_EMAIL)
    submit_url = f"/admin/localize/submit/snippet/events/event/{event.pk}/"
    # (The listing's "Translate" button is checked in tests/directory/test_translated_content.py.)
    page.goto(submit_url)
    form = page.locator('form:has(input[name="locales"])')
    form.locator('input[name="locales"]').first.check()
    form.locator('input[type="submit"]').click()
    page.wait_for_url(lambda url: "/admin/snippets/events/event/edit/" in url)

    english = Event.objects.get(translation_key=event.translation_key,
                                locale=Locale.objects.get(language_code="en"))
    assert f"/admin/snippets/events/event/edit/{english.pk}/" in page.url
    assert english.legacy_id is None
    # wagtail-localize's editor (a React app) shows the segments to translate.
    page.get_by_text(TITLE).first.wait_for()
    page.get_by_text("段ボールで工作します。").first.wait_for()
