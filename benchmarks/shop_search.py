"""Time the public shop search (list, near me) and detail against DATABASE_URL.

Usage (after `manage.py seed_demo --shops 100000` on that database, then
VACUUM ANALYZE):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python benchmarks/shop_search.py [--queries 240] [--seed 7]

Every request goes through django.test.Client, so the time is the server's
whole request (URL routing, form validation, queries, template rendering),
without a network. The queries are drawn with a fixed seed from the demo
data's vocabulary: one- and two-character and longer keywords in hiragana,
katakana and half-width forms, several words, words that match nothing;
every filter alone and combined; "near me" at points spread over Osaka
Prefecture (weighted like the shops, so dense city centres are frequent)
with every radius, alone and with a keyword or filters, on early and late
pages. Each URL is requested --repeat times (default 3) and its median
kept; prints p50/p95/max over the URLs, the most queries, p50/p95 of the
time spent in the database (the sum of the request's query times) and of
the Python process's CPU time (what the request costs the app server, which
other load on the machine does not inflate) per kind. The target is p95 ≤
100 ms (wall) for each kind; exits 1 if a kind misses it.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from directory.demo import BRANDS, KINDS, MUNICIPALITY_CENTRES, TOWNS  # noqa: E402
from directory.masters.models import Area, BenefitType, Facility, Genre, Municipality  # noqa: E402
from directory.shops.models import Shop  # noqa: E402

TARGET_P95_MS = 100.0
RADII = ["1", "2", "3", "5", "10", "20", "50"]
SHORT_WORDS = ["堺", "寿司", "歯科", "書店", "薬局", "靴", "虹", "光", "鶴見", "岬町", "割引",
               "ケーキ", "ぞう", "鰻", "ピザ", "ｶﾌｪ"]
LONG_WORDS = ["カフェ", "かふぇ", "ｶﾌｪ", "ラーメン", "らーめん", "ピアノ教室", "ベビー用品",
              "お好み焼き", "プレゼント", "ポイント", "ドリンク", "英会話", "写真館", "スイミング",
              "存在しない店名", "ぱんけーき", "フラワーショップ", "ﾍﾞﾋﾞｰ", "大阪市北区", "駅前"]


def half_width(text: str) -> str:
    """A rough half-width katakana form for a few common words (for variety)."""
    table = {"カ": "ｶ", "フ": "ﾌ", "ェ": "ｪ", "ラ": "ﾗ", "ー": "ｰ", "メ": "ﾒ", "ン": "ﾝ"}
    return "".join(table.get(char, char) for char in text)


class Draw:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.municipalities = list(Municipality.objects.select_related("area"))
        self.areas = list(Area.objects.all())
        self.genres = [g.code for g in Genre.objects.filter(for_shops=True, is_active=True)]
        self.facilities = [f.code for f in Facility.objects.filter(is_active=True)]
        self.benefit_types = [b.code for b in BenefitType.objects.filter(is_active=True)]
        self.centres = [(code, lat, lng) for code, (lat, lng, _w) in MUNICIPALITY_CENTRES.items()]
        self.weights = [weight for (_lat, _lng, weight) in MUNICIPALITY_CENTRES.values()]

    def keyword(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            return rng.choice(SHORT_WORDS)
        if roll < 0.55:
            return rng.choice(LONG_WORDS)
        if roll < 0.75:
            surface, reading, _genre = rng.choice(KINDS)
            return rng.choice([surface, reading, half_width(surface)])
        if roll < 0.85:
            brand, _reading = rng.choice(BRANDS)
            return f"{brand} {rng.choice(KINDS)[0]}"
        town, _reading = rng.choice(TOWNS)
        return f"{rng.choice(self.municipalities).name} {town}"

    def filters(self, *, at_least: int = 1) -> dict:
        rng = self.rng
        params: dict = {}
        options = ["genre", "facility", "programme", "benefit_type", "area", "municipality",
                   "nationwide"]
        for name in rng.sample(options, rng.randint(at_least, 4)):
            if name == "genre":
                params["genre"] = rng.sample(self.genres, rng.choice([1, 1, 2, 3]))
            elif name == "facility":
                params["facility"] = rng.sample(self.facilities, rng.choice([1, 1, 2, 3]))
            elif name == "programme":
                params["programme"] = rng.choice(["maido", "enjoy"])
            elif name == "benefit_type":
                params["benefit_type"] = rng.choice(self.benefit_types)
            elif name == "area" and "municipality" not in params:
                params["area"] = rng.choice(self.areas).code
            elif name == "municipality" and "area" not in params:
                params["municipality"] = rng.choice(self.municipalities).code
            elif name == "nationwide":
                params["nationwide"] = "1"
        return params

    def point(self) -> dict:
        rng = self.rng
        _code, lat, lng = rng.choices(self.centres, weights=self.weights)[0]
        return {"lat": f"{lat + rng.uniform(-0.03, 0.03):.3f}",
                "lng": f"{lng + rng.uniform(-0.03, 0.03):.3f}",
                "radius": rng.choice(RADII)}

    def page(self) -> dict:
        roll = self.rng.random()
        if roll < 0.7:
            return {}
        if roll < 0.9:
            return {"page": str(self.rng.randint(2, 5))}
        return {"page": str(self.rng.randint(6, 50))}


def build_cases(count: int, seed: int) -> list[tuple[str, str]]:
    draw = Draw(seed)
    kinds = {
        "keyword": lambda: {"keyword": draw.keyword(), **draw.page()},
        "keyword+filters": lambda: {"keyword": draw.keyword(), **draw.filters(), **draw.page()},
        "filters": lambda: {**draw.filters(), **draw.page()},
        "near me": lambda: {**draw.point(), **draw.page()},
        "near me+keyword/filters": lambda: {
            **draw.point(),
            **({"keyword": draw.keyword()} if draw.rng.random() < 0.5 else draw.filters()),
            **draw.page(),
        },
    }
    per_kind = max(1, count // len(kinds))
    cases = [("list (no condition)", "/shops/")]
    for kind, make in kinds.items():
        for _ in range(per_kind):
            cases.append((kind, f"/shops/?{urlencode(make(), doseq=True)}"))
    live = Shop.objects.public()
    last = live.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(seed + 1)
    heads = list(live.filter(is_chain_head=True).values_list("pk", flat=True)[:200])
    for _ in range(per_kind // 2):
        cases.append(("detail", f"/shops/{rng.randint(1, last)}/"))
    for pk in rng.sample(heads, min(len(heads), per_kind // 2)):
        cases.append(("detail", f"/shops/{pk}/"))
        cases.append(("chain search", f"/shops/?chain={pk}"))
    return cases


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=240,
                        help="searches to draw (split evenly over the kinds)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3,
                        help="times each URL is timed; its median is used, which keeps "
                             "other load on the machine from deciding the result")
    parser.add_argument("--slowest", type=int, default=8)
    parser.add_argument("--print-urls", action="store_true",
                        help="print the drawn URLs as JSON lines (kind, url) and stop "
                             "(benchmarks/site_mix.py draws its searches from them)")
    args = parser.parse_args()
    if args.print_urls:
        import json

        for kind, url in build_cases(args.queries, args.seed):
            print(json.dumps([kind, url], ensure_ascii=False))
        return

    # Per-request access logs (INFO) would be written to this terminal and timed too.
    logging.disable(logging.INFO)
    client = Client(HTTP_HOST="127.0.0.1")
    cases = build_cases(args.queries, args.seed)
    print(f"shops: {Shop.objects.public().count()} published  database: {connection.vendor}  "
          f"URLs: {len(cases)}, each timed {args.repeat}× (median per URL)")

    for _kind, url in build_cases(40, args.seed + 100):  # warm connections and caches
        client.get(url)

    timings: dict[str, list[float]] = defaultdict(list)
    db_timings: dict[str, list[float]] = defaultdict(list)
    cpu_timings: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, int] = defaultdict(int)
    statuses: dict[int, int] = defaultdict(int)
    slow: list[tuple[float, str, str]] = []
    for kind, url in cases:
        runs, db_runs, cpu_runs = [], [], []
        for _ in range(args.repeat):
            connection.queries_log.clear()  # a full log (9,000 entries) would capture nothing
            with CaptureQueriesContext(connection) as captured:
                start, cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                runs.append((time.perf_counter() - start) * 1000)
                cpu_runs.append((time.process_time() - cpu) * 1000)
            db_runs.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                raise SystemExit(f"{response.status_code} for {url}")
            queries[kind] = max(queries[kind], len(captured))
        elapsed = statistics.median(runs)
        timings[kind].append(elapsed)
        db_timings[kind].append(statistics.median(db_runs))
        cpu_timings[kind].append(statistics.median(cpu_runs))
        slow.append((elapsed, kind, url))

    print(f"statuses: {dict(statuses)}")
    print(f"{'kind':26} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} "
          f"{'db p50':>7} {'db p95':>7} {'cpu p50':>8} {'cpu p95':>8}")
    missed = []
    everything = []
    for kind, values in timings.items():
        values.sort()
        everything += values
        p95 = percentile(values, 0.95)
        if p95 > TARGET_P95_MS:
            missed.append(kind)
        db, cpu = sorted(db_timings[kind]), sorted(cpu_timings[kind])
        print(f"{kind:26} {len(values):4d} {statistics.median(values):8.1f} {p95:8.1f} "
              f"{values[-1]:8.1f} {queries[kind]:8d} {statistics.median(db):7.1f} "
              f"{percentile(db, 0.95):7.1f} {statistics.median(cpu):8.1f} "
              f"{percentile(cpu, 0.95):8.1f}")
    everything.sort()
    print(f"{'all':26} {len(everything):4d} {statistics.median(everything):8.1f} "
          f"{percentile(everything, 0.95):8.1f} {everything[-1]:8.1f}")
    print("slowest:")
    for elapsed, kind, url in sorted(slow, reverse=True)[: args.slowest]:
        print(f"  {elapsed:7.1f} ms  {kind:24} {url}")
    if missed:
        print(f"p95 above {TARGET_P95_MS:.0f} ms: {', '.join(missed)}")
        raise SystemExit(1)
    print(f"every kind within p95 ≤ {TARGET_P95_MS:.0f} ms")


if __name__ == "__main__":
    main()
