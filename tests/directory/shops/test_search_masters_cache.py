"""The search's masters are read once per process and re-read when a master changes;
the ordering step reads only ids and gives the same order as sorting in Python."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.masters.cache import VERSION_KEY, masters_cached
from directory.masters.models import BenefitType, Genre
from directory.shops import selectors
from directory.shops.models import Shop
from directory.shops.selectors import ShopQuery, ShopResults
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def masters_queries(captured) -> list[str]:
    """Reads of the masters themselves (not the shops' prefetches that join them)."""
    return [q["sql"] for q in captured.captured_queries
            if q["sql"].startswith('SELECT "masters_')]


def test_the_second_search_reads_no_master(client, osaka_city):
    ShopFactory(name="キャッシュ店")
    client.get("/shops/", {"keyword": "キャッシュ"})
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/shops/", {"keyword": "キャッシュ", "genre": "cafe"})
    assert response.status_code == 200
    assert masters_queries(captured) == []
    with CaptureQueriesContext(connection) as api:
        response = client.get("/api/v1/shops", {"benefit_type": "discount"})
    assert response.status_code == 200
    assert masters_queries(api) == []


def test_saving_a_master_is_seen_by_the_next_search(client, osaka_city):
    client.get("/shops/")
    genre = Genre.objects.get(code="cafe")
    genre.name = "喫茶店（改名）"
    genre.save()
    assert "喫茶店（改名）" in client.get("/shops/").content.decode()

    # a new benefit type is a valid filter at once; a deleted one no longer is
    assert client.get("/api/v1/shops", {"benefit_type": "stamp"}).status_code == 400
    stamp = BenefitType.objects.create(code="stamp", name="スタンプ")
    assert client.get("/api/v1/shops", {"benefit_type": "stamp"}).status_code == 200
    stamp.delete()
    assert client.get("/api/v1/shops", {"benefit_type": "stamp"}).status_code == 400


def test_another_process_rebuilds_when_the_shared_version_changes(osaka_city):
    """Other processes only see the version in the shared cache: dropping it (what a save
    in any process does) makes this process build again."""
    from django.core.cache import cache

    builds = []
    assert masters_cached("test", lambda: builds.append(1) or len(builds)) == 1
    assert masters_cached("test", lambda: builds.append(1) or len(builds)) == 1
    cache.delete(VERSION_KEY)
    assert masters_cached("test", lambda: builds.append(1) or len(builds)) == 2


def test_the_masters_are_committed_before_other_processes_rebuild(osaka_city,
                                                                 django_capture_on_commit_callbacks):
    from django.core.cache import cache

    selectors.search_masters()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Genre.objects.filter(code="cafe").first().save()
    cache.add(VERSION_KEY, "rebuilt-from-the-old-rows-by-another-process")
    for callback in callbacks:
        callback()
    assert cache.get(VERSION_KEY) is None


def test_ordered_ids_are_newest_first_with_ties_broken_by_id(osaka_city):
    now = timezone.now()
    shops = [ShopFactory(name=f"順序{index}") for index in range(8)]
    stamps = [now, now, now - timedelta(days=1), now + timedelta(days=1), now,
              now - timedelta(days=2), now + timedelta(days=1), now]
    for shop, stamp in zip(shops, stamps, strict=True):
        Shop.objects.filter(pk=shop.pk).update(updated_at=stamp)
    query = ShopQuery(keyword="順序")
    rows = Shop.objects.filter(pk__in=[s.pk for s in shops]).values_list("updated_at", "pk")
    expected = [pk for _updated, pk in sorted(rows, reverse=True)]

    results = ShopResults(query)
    assert results.count() == 8
    assert [shop.pk for shop in results[0:8]] == expected
    assert [shop.pk for shop in results[3:6]] == expected[3:6]
    # only the ids: no timestamp is read for the ordering step
    with CaptureQueriesContext(connection) as captured:
        ShopResults(query).count()
    ordering = [q["sql"] for q in captured.captured_queries if "matches" in q["sql"]]
    assert len(ordering) == 1
    assert re.match(r'SELECT matches\.id FROM', ordering[0])
