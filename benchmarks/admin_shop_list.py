"""Time the secretariat's admin shop list against the database in DATABASE_URL.

Usage (after `manage.py seed_demo --shops 100000` on that database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
        .venv/bin/python benchmarks/admin_shop_list.py [--runs 30]

Prints the shop count, the query count of one request and p50/p95/max server
time over the runs for the plain list, a keyword search, and filtered views.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from directory.accounts.models import User  # noqa: E402
from directory.masters.models import Municipality  # noqa: E402
from directory.shops.models import Shop  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    user = User.objects.get(email="admin@example.jp")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = reverse("wagtailsnippets_shops_shop:list")
    municipality = Municipality.objects.get(code="271004")
    cases = {
        "list": {},
        "search カフェ": {"q": "カフェ"},
        "filter municipality": {"municipality": municipality.pk},
        "page 100": {"p": 100},
    }
    print(f"shops: {Shop.objects.count()}  database: {connection.vendor}")
    for name, params in cases.items():
        client.get(url, params)  # warm up
        executed = []

        def count(execute, sql, *rest, executed=executed):
            executed.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(url, params)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{name:22} queries={len(executed):3d}  p50={statistics.median(timings):6.1f} ms  "
              f"p95={p95:6.1f} ms  max={timings[-1]:6.1f} ms")


if __name__ == "__main__":
    main()
