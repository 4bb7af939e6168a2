"""The secretariat's shop list runs a bounded number of queries, whatever the
number of shops (the 100,000-shop timing is in benchmarks/admin_shop_list.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.accounts import roles
from tests.factories import ShopBenefitFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "wagtailsnippets_shops_shop:list"
MAX_QUERIES = 30


def _count_queries(client, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(LIST_URL), params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"q": "カフェ"}, {"municipality": "", "live": "true"}])
def test_shop_list_query_count_does_not_grow_with_shops(client, masters, params):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    for _ in range(3):
        ShopBenefitFactory(shop=ShopFactory(name="カフェ少し"))
    # Warm the per-process caches (site settings, masters) so both counts compare alike.
    _count_queries(client, params)
    few = _count_queries(client, params)
    for _ in range(60):
        ShopBenefitFactory(shop=ShopFactory(name="カフェたくさん"))
    many = _count_queries(client, params)
    assert many == few
    assert many <= MAX_QUERIES


@pytest.mark.parametrize(("export_format", "content_type"), [
    ("csv", "text/csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_secretariat_exports_the_filtered_list(client, masters, sakai_city, export_format, content_type):
    client.force_login(UserFactory(groups=[roles.SECRETARIAT]))
    ShopFactory(name="大阪市のお店")
    ShopFactory(name="堺市のお店", municipality=sakai_city)
    response = client.get(reverse(LIST_URL), {"export": export_format, "municipality": sakai_city.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if export_format == "csv":
        text = body.decode("utf-8-sig")
        assert "堺市のお店" in text and "大阪市のお店" not in text
    else:
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        names = {cell.value for cell in sheet["C"]}
        assert "堺市のお店" in names and "大阪市のお店" not in names
