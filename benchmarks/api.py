"""Time the JSON API's shop list search and shop detail against DATABASE_URL.

Usage (on a PostgreSQL database with 100,000 shops, e.g. seeded with
`KEEP_DB=1 BENCH_DB=portal_api_bench benchmarks/seed_100k.sh`, then VACUUM ANALYZE):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_api_bench \\
        .venv/bin/python benchmarks/api.py [--queries 240] [--seed 7] [--wrk 20]

Server time: every request goes through django.test.Client, so the time is the
server's whole request — middleware, URL routing, authentication, throttles,
the input serializer and the web search's form, the selector's queries, the
output serializer, the JSON rendering and the ETag — without a network. The
searches are those of benchmarks/shop_search.py (the same seeded draw of
keywords, filters, near-me points and pages, as /api/v1/shops URLs); the
details are random and chain-head shops. Each URL is timed --repeat times and
its median kept. Targets: list search p95 ≤ 50 ms, detail p95 ≤ 20 ms; exits 1
if either is missed. Columns: wall time (p50/p95/max), the most queries, the time
the database calls took (db), and the CPU time of this process (cpu: the app
server's own work — Python, serializers, rendering — which waiting for a busy
CPU or database does not inflate).

--wrk SECONDS also measures throughput: gunicorn (2 × cores + 1 workers) serves
config.wsgi on a free port of 127.0.0.1 and wrk (2 threads, 16 connections) cycles
through the list-search URLs for that many seconds; requests/s and p50/p95/p99
are printed, then gunicorn is stopped.
"""

import argparse
import importlib.util
import logging
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = Path(__file__).resolve().parent
# This file is named like the `api` app: keep its directory off the import path.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCHMARKS]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
# The throttles stay on (their cache work is part of the time) but never refuse.
os.environ.setdefault("API_THROTTLE_IP", "1000000/minute")
os.environ.setdefault("API_THROTTLE_TOKEN", "1000000/minute")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from directory.shops.models import Shop  # noqa: E402


def _shop_search_module():
    """benchmarks/shop_search.py (its draw of searches), loaded by path."""
    spec = importlib.util.spec_from_file_location("shop_search_bench",
                                                  BENCHMARKS / "shop_search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_shop_search = _shop_search_module()
build_cases, percentile = _shop_search.build_cases, _shop_search.percentile

TARGETS_MS = {"list": 50.0, "detail": 20.0}

WRK_LUA = r"""
local paths = {PATHS}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d seconds %.1f rps %.1f p50 %.1f p95 %.1f p99 %.1f "
    .. "non2xx %d errors %d\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""


def api_cases(count: int, seed: int) -> list[tuple[str, str, str]]:
    """(group, kind, url): the web benchmark's searches and details, as API URLs."""
    cases = []
    for kind, url in build_cases(count, seed):
        if kind == "detail":
            pk = url.strip("/").split("/")[-1]
            cases.append(("detail", "detail", f"/api/v1/shops/{pk}"))
        else:
            query = url.split("?", 1)[1] if "?" in url else ""
            cases.append(("list", kind, "/api/v1/shops" + (f"?{query}" if query else "")))
    return cases


def time_cases(client, cases, repeat: int):
    timings: dict[str, list[float]] = defaultdict(list)
    groups: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    db: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, int] = defaultdict(int)
    statuses: dict[int, int] = defaultdict(int)
    slow = []
    for group, kind, url in cases:
        runs, db_runs, cpu_runs = [], [], []
        for _ in range(repeat):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                runs.append((time.perf_counter() - start) * 1000)
                cpu_runs.append((time.process_time() - start_cpu) * 1000)
            db_runs.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            statuses[response.status_code] += 1
            if response.status_code >= 500 or response.status_code == 400:
                raise SystemExit(f"{response.status_code} for {url}: {response.content[:300]}")
            queries[kind] = max(queries[kind], len(captured))
        elapsed = statistics.median(runs)
        timings[kind].append(elapsed)
        groups[group].append(elapsed)
        db[kind].append(statistics.median(db_runs))
        cpu[kind].append(statistics.median(cpu_runs))
        slow.append((elapsed, kind, url))
    return timings, groups, db, cpu, queries, statuses, slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk_run(urls: list[str], seconds: int) -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (make apt): no throughput figure")
        return
    workers = 2 * (os.cpu_count() or 1) + 1
    port = free_port()
    env = dict(os.environ, LOG_LEVEL="ERROR")
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/api/v1/shops", timeout=5)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        for url in urls[:50]:  # warm every worker's connection
            urllib.request.urlopen(base + url, timeout=30)  # noqa: S310
        paths = "{" + ", ".join('"' + url.replace('"', '\\"') + '"' for url in urls) + "}"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_LUA.replace("{PATHS}", paths))
        result = subprocess.run(  # noqa: S603
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", script.name, base],
            capture_output=True, text=True, check=True)
        Path(script.name).unlink()
        line = [row for row in result.stdout.splitlines() if row.startswith("requests ")][-1]
        print(f"wrk, {workers} gunicorn workers, 2 threads, 16 connections, {seconds} s, "
              f"{len(urls)} list-search URLs in turn:\n  {line}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slowest", type=int, default=6)
    parser.add_argument("--wrk", type=int, default=0, metavar="SECONDS",
                        help="also measure throughput with wrk against gunicorn")
    args = parser.parse_args()

    logging.disable(logging.INFO)
    client = Client(HTTP_HOST="127.0.0.1")
    cases = api_cases(args.queries, args.seed)
    print(f"shops: {Shop.objects.public().count()} published  database: {connection.vendor}  "
          f"URLs: {len(cases)}, each timed {args.repeat}× (median per URL)")
    for _group, _kind, url in api_cases(40, args.seed + 100):  # warm connections and caches
        client.get(url)
    timings, groups, db, cpu, queries, statuses, slow = time_cases(client, cases, args.repeat)

    print(f"statuses: {dict(statuses)}")
    print(f"{'kind':26} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} "
          f"{'db p50':>7} {'db p95':>7} {'cpu p50':>8} {'cpu p95':>8}")
    for kind, values in timings.items():
        values.sort()
        dbv, cpuv = sorted(db[kind]), sorted(cpu[kind])
        print(f"{kind:26} {len(values):4d} {statistics.median(values):8.1f} "
              f"{percentile(values, 0.95):8.1f} {values[-1]:8.1f} {queries[kind]:8d} "
              f"{statistics.median(dbv):7.1f} {percentile(dbv, 0.95):7.1f} "
              f"{statistics.median(cpuv):8.1f} {percentile(cpuv, 0.95):8.1f}")
    missed = []
    for group, values in groups.items():
        values.sort()
        p95 = percentile(values, 0.95)
        print(f"{group.upper() + ' (all kinds)':26} {len(values):4d} "
              f"{statistics.median(values):8.1f} {p95:8.1f} {values[-1]:8.1f}   "
              f"target p95 ≤ {TARGETS_MS[group]:.0f} ms")
        if p95 > TARGETS_MS[group]:
            missed.append(group)
    print("slowest:")
    for elapsed, kind, url in sorted(slow, reverse=True)[: args.slowest]:
        print(f"  {elapsed:7.1f} ms  {kind:24} {url}")
    if args.wrk:
        rng = random.Random(args.seed)
        urls = [url for group, _kind, url in cases if group == "list"]
        rng.shuffle(urls)
        wrk_run(urls, args.wrk)
    if missed:
        print(f"p95 above target: {', '.join(missed)}")
        raise SystemExit(1)
    print("both within target")


if __name__ == "__main__":
    main()
