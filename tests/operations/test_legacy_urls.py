"""The legacy site's addresses keep working after the switch."""

import pytest

from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(masters):
    return {
        "live": ShopFactory(legacy_id=1234, live=True),
        "hidden": ShopFactory(legacy_id=1235, live=False),
        "head": ShopFactory(legacy_id=2000, live=True, is_chain_head=True),
        "new": ShopFactory(legacy_id=None, live=True),
    }


@pytest.mark.parametrize("path", ["/maidoko/kaiin/joken/kekka/private/", "/chain/"])
def test_legacy_shop_pages_redirect_permanently(client, shops, path):
    response = client.get(path, {"page": "1234"})
    assert response.status_code == 301
    assert response["Location"] == f"/shops/{shops['live'].pk}/"
    assert client.get(path, {"page": "2000"})["Location"] == f"/shops/{shops['head'].pk}/"


def test_a_shop_made_in_the_portal_is_found_by_its_new_id(client, shops):
    response = client.get("/chain/", {"page": str(shops["new"].pk)})
    assert response.status_code == 301
    assert response["Location"] == f"/shops/{shops['new'].pk}/"


@pytest.mark.parametrize("page", ["999999", "1235", "", "abc", "１２３４", "1" * 40, "-1"])
def test_unknown_or_unpublished_ids_get_a_helpful_404(client, shops, page):
    response = client.get("/maidoko/kaiin/joken/kekka/private/", {"page": page})
    assert response.status_code == 404
    body = response.content.decode()
    assert "協賛店が見つかりません" in body
    assert 'role="search"' in body and 'name="keyword"' in body and 'action="/shops/"' in body
    assert '<label class="p-form__label" for="legacy-search-keyword">' in body


def test_legacy_paths_without_id_redirect(client, masters):
    assert client.get("/maidoko/kaiin/joken/")["Location"] == "/shops/"
    assert client.get("/maidoko/kaiin/joken/kekka/").status_code == 301
    assert client.get("/maidoko/")["Location"] == "/"


def test_legacy_urls_refuse_post(client, shops):
    assert client.post("/chain/?page=1234").status_code == 405
