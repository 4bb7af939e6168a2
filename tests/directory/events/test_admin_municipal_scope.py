"""Municipal staff in the back office: their municipality only, as in the API
(out_of_scope), and what they create stays theirs from the first autosave."""

import datetime

import pytest
from django.urls import reverse

from directory.accounts.roles import MUNICIPAL_STAFF
from directory.events.models import Event
from directory.faminavi.models import Article
from tests.directory.shops.owner_helpers import get_edit_form
from tests.factories import ArticleFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

EVENT_NS = "wagtailsnippets_events_event"
ARTICLE_NS = "wagtailsnippets_faminavi_article"
OUT_OF_SCOPE = "ご自身の市区町村の情報だけを登録できます。"
# What Draftail posts for one paragraph.
BODY = ('{"blocks":[{"key":"a1b2c","text":"本文です。","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[],"data":{}}],"entityMap":{}}')


@pytest.fixture
def osaka_staff(osaka_city):
    return UserFactory(groups=[MUNICIPAL_STAFF], municipality=osaka_city)


def _event_form(client, **changes):
    data = get_edit_form(client, reverse(f"{EVENT_NS}:add"))
    start = datetime.date.today() + datetime.timedelta(days=7)
    data.update({"title": "親子リトミック", "starts_on": start.isoformat(),
                 "ends_on": start.isoformat(), "venue": "中央会館"})
    data.update(changes)
    return data


def _municipality_options(html: str, name="municipality"):
    import re

    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


@pytest.mark.parametrize("namespace", [EVENT_NS, ARTICLE_NS])
def test_the_form_offers_only_their_municipality_already_chosen(client, osaka_staff, osaka_city,
                                                                namespace):
    client.force_login(osaka_staff)
    html = client.get(reverse(f"{namespace}:add")).content.decode()
    assert _municipality_options(html) == [str(osaka_city.pk)]
    assert get_edit_form(client, reverse(f"{namespace}:add"))["municipality"] == str(osaka_city.pk)


def test_a_forged_event_for_another_municipality_is_refused(client, osaka_staff, sakai_city):
    client.force_login(osaka_staff)
    data = _event_form(client, municipality=str(sakai_city.pk))
    for action in (None, "submit"):
        post = dict(data, **({f"action-{action}": "1"} if action else {}))
        response = client.post(reverse(f"{EVENT_NS}:add"), post)
        assert response.status_code == 200
        assert OUT_OF_SCOPE in response.content.decode()
    assert not Event.objects.exists()


def test_a_forged_article_for_another_municipality_is_refused(client, osaka_staff, sakai_city):
    client.force_login(osaka_staff)
    data = get_edit_form(client, reverse(f"{ARTICLE_NS}:add"))
    data.update({"title": "堺の子育て", "body": BODY, "municipality": str(sakai_city.pk),
                 "action-submit": "1"})
    response = client.post(reverse(f"{ARTICLE_NS}:add"), data)
    assert response.status_code == 200
    assert OUT_OF_SCOPE in response.content.decode()
    assert not Article.objects.exists()


def test_a_forged_edit_cannot_move_an_event_to_another_municipality(client, osaka_staff,
                                                                    osaka_city, sakai_city):
    event = EventFactory(municipality=osaka_city, live=False)
    client.force_login(osaka_staff)
    url = reverse(f"{EVENT_NS}:edit", args=[event.pk])
    data = get_edit_form(client, url)
    data["municipality"] = str(sakai_city.pk)
    response = client.post(url, data)
    assert OUT_OF_SCOPE in response.content.decode()
    event.refresh_from_db()
    assert event.municipality == osaka_city


@pytest.mark.parametrize("namespace", [EVENT_NS, ARTICLE_NS])
def test_what_they_create_by_autosave_stays_theirs_after_further_edits(client, osaka_staff,
                                                                       osaka_city, namespace):
    """Wagtail 8's autosave creates the record; the creator and municipality must be in
    that first revision, or the next save (restored from it) drops them and the author
    gets 404 on their own record."""
    client.force_login(osaka_staff)
    add_url = reverse(f"{namespace}:add")
    data = get_edit_form(client, add_url)
    data.update({"title": "はじめての下書き", "body": BODY})
    if namespace == EVENT_NS:
        data.update(_event_form(client, title="はじめての下書き"))
    # The autosave: the same form, asking for JSON, while the author is still typing.
    response = client.post(add_url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    payload = response.json()
    assert payload["success"] is True
    model = Event if namespace == EVENT_NS else Article
    record = model.objects.get(pk=payload["pk"])
    assert record.created_by == osaka_staff
    assert record.municipality == osaka_city
    assert record.latest_revision.content["created_by"] == osaka_staff.pk

    # Editing on, twice (autosave and a save), as the same user.
    edit_url = reverse(f"{namespace}:edit", args=[record.pk])
    for title in ("二度目の保存", "三度目の保存"):
        form = get_edit_form(client, edit_url)
        form["title"] = title
        assert client.post(edit_url, form).status_code == 302
    assert client.get(edit_url).status_code == 200
    record.refresh_from_db()
    assert record.created_by == osaka_staff
    assert record.municipality == osaka_city
    assert record.latest_revision.object_str == "三度目の保存"


def test_dashboard_shows_their_municipalitys_events_and_articles_by_status(
        client, osaka_staff, osaka_city, sakai_city):
    EventFactory(title="大阪市の親子まつり", municipality=osaka_city, live=True).save_revision()
    draft = EventFactory(title="大阪市の下書き", municipality=osaka_city, live=False)
    draft.save_revision()
    EventFactory(title="堺市の親子まつり", municipality=sakai_city)
    ArticleFactory(title="大阪市の手当案内", municipality=osaka_city).save_revision()
    ArticleFactory(title="堺市の手当案内", municipality=sakai_city)
    client.force_login(osaka_staff)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "大阪市の親子まつり" in html and "大阪市の下書き" in html and "大阪市の手当案内" in html
    assert "堺市" not in html
    assert "公開中" in html and "非公開" in html
    assert 'id="municipal-events' in html and 'id="municipal-articles' in html
