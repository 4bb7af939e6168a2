"""The whole site at a fixed arrival rate (open loop) through nginx: the #8 goal "500,000
page views in an hour (≈ 140 requests/s sustained with 3× bursts), p95 < 300 ms, no
errors", measured with a realistic mix instead of one page. Run by benchmarks/load.py
(`make bench`) after its single-page cases.

Why open loop: wrk's connections wait for each answer before sending the next, so a
slow server is sent less work and its queueing never shows ("coordinated omission").
Here requests start on a fixed schedule whatever the answers do, and each latency is
counted from the moment its request was due, so time spent waiting for a free
connection or a busy worker is included.

The mix (shares of page views; an assumption, written down so it can be argued with):

| share | what | cacheable by nginx |
|---:|---|---|
| 12 % | home page | yes |
| 28 % | shop search: 400 drawn searches (benchmarks/shop_search.py), Zipf-weighted | yes |
| 30 % | shop detail: 8,500 shops (Osaka's real number) drawn from the 100,000, Zipf | yes |
|  8 % | events and ふぁみなび: lists and details, Zipf | yes |
|  7 % | news, FAQ, programme pages, the news articles | yes |
| 10 % | a signed-in member's card page (2,000 members) | no (session) |
|  5 % | a signed-in member's favourites (2,000 members) | no (session) |

Run alone with `benchmarks/site_mix.py [--cpus 0]` (load.py's stack, only these
phases; `--cpus 0` pins gunicorn to the first core with taskset so the figure holds
on a machine half as fast), or as part of `make bench`.

Zipf weights (1/rank) make a few pages popular and a long tail rare, as on real sites;
nginx caches anonymous pages as shipped (deploy/nginx/portal.conf: 60 s, detail pages of
shops, events and ふぁみなび 10 minutes because publishing refreshes them). Three phases
run back to back: a cold start at 140 req/s (the cache empty, as after a restart), the
sustained load at 140 req/s (the steady state the goal is about), then the 3× burst;
each is reported on its own. The client (Python asyncio + aiohttp) shares
the 2 cores with nginx, gunicorn, PostgreSQL and Redis; at 420 req/s it uses a few
tens of percent of one core.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import aiohttp
from stack import PYTHON, ROOT, fetch

SEED = 11
OSAKA_SHOPS = 8_500
MEMBERS = 2_000

# Paths of the demo content that every portal has (tests/operations/test_bench_load.py
# checks they answer 2xx); the news articles, events, articles and shops come from the DB.
PAGES = ["/news/", "/faq/", "/maido/", "/enjoy/"]
LISTS = ["/events/", "/faminavi/"]
CARD, FAVOURITES = "/card/", "/favourites/"

MIX = [  # (share, kind)
    (0.12, "home"),
    (0.28, "search"),
    (0.30, "shop"),
    (0.08, "events/faminavi"),
    (0.07, "pages"),
    (0.10, "card (signed in)"),
    (0.05, "favourites (signed in)"),
]


def zipf_weights(count: int) -> list[float]:
    return [1.0 / rank for rank in range(1, count + 1)]


@dataclass
class Pool:
    """The URLs of one kind with their weights, and the headers to send (a session)."""
    urls: list[str]
    weights: list[float]
    sessions: list[str] = field(default_factory=list)

    def pick(self, rng: random.Random) -> tuple[str, dict]:
        url = rng.choices(self.urls, weights=self.weights)[0]
        if self.sessions:
            return url, {"Cookie": f"sessionid={rng.choice(self.sessions)}"}
        return url, {}


def build_pools(stack, psql, db: str, sessions: list[str]) -> dict[str, Pool]:
    rng = random.Random(SEED)

    def ids(sql: str) -> list[int]:
        return [int(value) for value in psql("-c", sql, db=db).split()]

    shops = ids("SELECT id FROM shops_shop WHERE live ORDER BY id")
    shops = rng.sample(shops, min(OSAKA_SHOPS, len(shops)))
    events = ids("SELECT id FROM events_event WHERE live ORDER BY ends_on DESC, id LIMIT 300")
    articles = ids("SELECT id FROM faminavi_article WHERE live ORDER BY id")
    drawn = subprocess.run(
        [str(PYTHON), "benchmarks/shop_search.py", "--print-urls", "--queries", "400",
         "--seed", str(SEED)],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, check=True).stdout
    searches = [url for kind, url in map(json.loads, drawn.splitlines()) if kind != "detail"]
    rng.shuffle(searches)
    pages = PAGES + [
        "/" + path.split("/", 2)[2] for path in psql(
            "-c", "SELECT url_path FROM wagtailcore_page WHERE live AND depth = 4 "
                  "AND url_path LIKE '/home/news/%' ORDER BY id", db=db).split()]
    listing = LISTS + [f"/events/{pk}/" for pk in events] + [
        f"/faminavi/{pk}/" for pk in articles]
    return {
        "home": Pool(["/"], [1.0]),
        "search": Pool(searches, zipf_weights(len(searches))),
        "shop": Pool([f"/shops/{pk}/" for pk in shops], zipf_weights(len(shops))),
        "events/faminavi": Pool(listing, zipf_weights(len(listing))),
        "pages": Pool(pages, zipf_weights(len(pages))),
        "card (signed in)": Pool([CARD], [1.0], sessions),
        "favourites (signed in)": Pool([FAVOURITES], [1.0], sessions),
    }


@dataclass
class Outcome:
    kind: str
    latency_ms: float
    status: int  # 0: no answer (connection error or timeout)
    cache: str


async def _one(session, base, kind, url, headers, due, loop, outcomes):
    try:
        async with session.get(base + url, headers=headers, allow_redirects=False) as response:
            await response.read()
            status, cache = response.status, response.headers.get("X-Cache-Status", "-")
    except (TimeoutError, aiohttp.ClientError):
        status, cache = 0, "-"
    outcomes.append(Outcome(kind, (loop.time() - due) * 1000, status, cache))


async def _run(base: str, pools: dict[str, Pool], phases: list[tuple[str, float, float]],
               rng: random.Random) -> dict[str, list[Outcome]]:
    kinds = [kind for _share, kind in MIX]
    shares = [share for share, _kind in MIX]
    loop = asyncio.get_running_loop()
    results: dict[str, list[Outcome]] = {}
    connector = aiohttp.TCPConnector(limit=1024, force_close=False)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        for name, rate, seconds in phases:
            outcomes: list[Outcome] = []
            tasks = []
            start = loop.time()
            for index in range(int(rate * seconds)):
                due = start + index / rate
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                kind = rng.choices(kinds, weights=shares)[0]
                url, headers = pools[kind].pick(rng)
                tasks.append(asyncio.create_task(
                    _one(session, base, kind, url, headers, due, loop, outcomes)))
            await asyncio.gather(*tasks)
            results[name] = outcomes
            results[name + " seconds"] = loop.time() - start  # type: ignore[assignment]
    return results


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * len(values)))]


def run_mix(stack, psql, db: str, sessions: list[str], *, cold_seconds: int,
            sustained_seconds: int, burst_seconds: int, rate: float = 140.0) -> list[dict]:
    """Runs the cold start and the sustained phase at `rate`, then a burst at 3×, and
    returns one figures dict per phase (the load.py table's fields plus the nginx cache
    hit share, what reached the app and p95 per kind)."""
    pools = build_pools(stack, psql, db, sessions)
    for kind, pool in pools.items():  # every URL kind answers 2xx before the run
        url, headers = pool.pick(random.Random(0))
        status, _, _ = fetch(stack.url(url), headers)
        if not 200 <= status <= 299:
            raise RuntimeError(f"site mix: {kind} {url} answered {status} before the run")
    phases = [(f"site mix cold start {rate:.0f} req/s", rate, cold_seconds),
              (f"site mix sustained {rate:.0f} req/s", rate, sustained_seconds),
              (f"site mix burst {3 * rate:.0f} req/s", 3 * rate, burst_seconds)]
    phases = [phase for phase in phases if phase[2] > 0]
    started = time.time()
    raw = asyncio.run(_run(stack.url(""), pools, phases, random.Random(SEED)))
    figures = []
    for name, rate_, seconds in phases:
        outcomes: list[Outcome] = raw[name]
        # Requests start on schedule, so the rate is what was answered 2xx over the
        # phase's scheduled seconds; the answers still due after it are the drain.
        elapsed = raw[name + " seconds"]
        latencies = [o.latency_ms for o in outcomes]
        hits = sum(1 for o in outcomes if o.cache == "HIT")
        non2xx = [o for o in outcomes if not 200 <= o.status <= 299]
        per_kind = defaultdict(list)
        for o in outcomes:
            per_kind[o.kind].append(o.latency_ms)
        app = [o for o in outcomes if o.cache != "HIT"]
        figures.append({
            "name": name, "requests": len(outcomes), "seconds": seconds,
            "drain_seconds": max(0.0, elapsed - seconds),
            "rps": (len(outcomes) - len(non2xx)) / seconds, "target_rps": rate_,
            "p50": percentile(latencies, 0.50), "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99), "errors": sum(1 for o in outcomes if not o.status),
            "non2xx": len(non2xx),
            "first_non2xx_status": non2xx[0].status if non2xx else 0,
            "statuses": dict(Counter(o.status for o in outcomes)),
            "cache_hit_share": hits / len(outcomes) if outcomes else 0.0,
            "app_rps": len(app) / seconds,
            "app_p95": percentile([o.latency_ms for o in app], 0.95),
            "kinds": {kind: {"n": len(values), "p95": percentile(values, 0.95)}
                      for kind, values in per_kind.items()},
            "connections": "open loop", "threads": 1, "delay_ms": 0,
            "wall_seconds": time.time() - started,
        })
    return figures


if __name__ == "__main__":
    # Only the site mix, with load.py's stack and goals (exit 1 when one is missed):
    #   .venv/bin/python benchmarks/site_mix.py [--cpus 0] [--cold-seconds 60 …]
    import sys

    import load

    load.main(["--mix-only", *sys.argv[1:]])
