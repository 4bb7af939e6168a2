"""Anonymous pages carry a content-version ETag and an unchanged one is answered 304
before any view runs, so nginx keeps pages until they change and checks them for
almost nothing (config/content_version.py, issue 20)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.masters.models import Genre
from tests.factories import EventFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/shops/?keyword=%E5%BA%97", "/events/", "/faminavi/"])
def test_an_unchanged_anonymous_page_is_revalidated_without_rendering(client, masters, path):
    ShopFactory(name="テスト店")
    first = client.get(path)
    assert first.status_code == 200
    tag = first["ETag"]
    assert tag.startswith('W/"cv-')
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag
    assert len(queries) == 0  # no view, no session, no database
    # another page's tag is the same version: also 304 (ETags are compared per URL)
    assert client.get("/shops/", HTTP_IF_NONE_MATCH=tag).status_code == 304


@pytest.mark.parametrize("change", ["publish shop", "unpublish event", "rename genre",
                                    "new page revision published", "language"])
def test_any_change_to_what_pages_show_makes_a_new_tag(client, masters, change):
    shop, event = ShopFactory(), EventFactory()
    tag = client.get("/shops/")["ETag"]
    if change == "publish shop":
        shop.name = "新しい名前"
        shop.save_revision().publish()
    elif change == "unpublish event":
        event.unpublish()
    elif change == "rename genre":
        genre = Genre.objects.first()
        genre.name = "改名"
        genre.save()
    elif change == "new page revision published":
        from wagtail.models import Page

        page = Page.objects.filter(depth=2).first().specific
        page.save_revision().publish()
    else:
        client.cookies["django_language"] = "en"
    response = client.get("/shops/", HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200
    assert response["ETag"] != tag


def test_personal_and_private_answers_are_never_tagged(client, masters):
    shop = ShopFactory()
    assert "ETag" in client.get(shop.get_absolute_url())
    assert "ETag" not in client.get("/accounts/login/")
    # an API answer keeps its own (strong) ETag of the body
    assert not client.get("/api/v1/shops")["ETag"].startswith('W/"cv-')
    client.force_login(UserFactory())
    assert "ETag" not in client.get(shop.get_absolute_url())
