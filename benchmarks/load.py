"""Load figures through nginx + gunicorn with wrk, on 127.0.0.1 only (`make bench`).

    .venv/bin/python benchmarks/load.py [--duration 10] [--connections 32] [--threads 2]

1. BENCH_DB (default portal_load) must hold 100,000 shops; if it has fewer, it is seeded
   with `KEEP_DB=1 BENCH_DB=… benchmarks/seed_100k.sh` (about two minutes), and kept.
2. benchmarks/stack.py starts Redis, gunicorn (GUNICORN_INSTANCES × GUNICORN_WORKERS,
   default 1 × 5 = 2 × cores + 1 on 2 cores), a django-q2 cluster and nginx running
   deploy/nginx/portal.conf (its per-IP page limits lifted: wrk runs from one address).
3. wrk runs each case for --duration seconds: the home page and a shop search through
   nginx (as configured: cached when the response may be cached), the same search
   with the cache bypassed, the shop list API, a signed-in member's card page, the same
   home page bytes served by nginx as a static file (the physical limit), and a mixed
   uncached load at ≈140 req/s then at 3× (wrk's per-request delay, closed loop).
4. Checks that every path of a case answers 2xx before the run, counts non-2xx answers
   during it (wrk itself counts only >= 400), prints requests/s, p50/p95/p99, errors and
   non-2xx per case and a Markdown table, and exits non-zero when a case got a non-2xx
   answer or could not be measured.

Everything started is stopped at the end (the database is kept for the next run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import site_mix  # noqa: E402
from stack import ROOT, Stack, fetch, psql  # noqa: E402

SEARCH = "/shops/?keyword=" + quote("カフェ")
# The API has no trailing slashes (api/urls.py): "/api/v1/shops/" would be a 308.
API_LIST = "/api/v1/shops"
CARD = site_mix.CARD
MIX_WORDS = ["カフェ", "パン", "美容", "ラーメン", "書店", "こども", "眼鏡", "スーパー"]
MIX_PAGES = ["/", "/shops/", "/events/", "/faminavi/"] + [
    "/shops/?keyword=" + quote(word) for word in MIX_WORDS]


def shop_path(shop_id):
    return f"/shops/{shop_id}/"


class Non2xx(Exception):
    """A case's path does not answer 2xx before the run: the case is not measured."""

WRK_LUA = r"""
local paths = {PATHS}
local headers = {HEADERS}
local delay_ms = {DELAY}
local counter = 0
local threads = {}
-- Every thread counts the answers that are not 2xx (wrk itself only counts >= 400 as
-- errors, so a 3xx redirect would pass unnoticed); done() adds them up.
setup = function(thread)
  table.insert(threads, thread)
end
init = function(args)
  non2xx = 0
  first_bad = 0
end
response = function(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == 0 then first_bad = status end
  end
end
request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, headers)
end
if delay_ms > 0 then
  delay = function() return delay_ms end
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  local bad, first = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    if first == 0 then first = thread:get("first_bad") end
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "errors": %d, "status_errors": %d, "non2xx": %d, "first_non2xx_status": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status, bad, first))
end
"""


def lua_table(items):
    return "{" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "}"


def lua_headers(headers):
    return "{" + ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items()) + "}"


def check_2xx(stack, name, paths, headers=None):
    """Every distinct path of a case must answer 2xx (no redirect, no error) before wrk runs."""
    bad = {}
    for path in dict.fromkeys(paths):
        status, _, _ = fetch(stack.url(path), headers)
        if not 200 <= status <= 299:
            bad[path] = status
    if bad:
        raise Non2xx(f"{name}: not measured, non-2xx before the run: "
                     + ", ".join(f"{path} → {status}" for path, status in bad.items()))


def wrk(stack, name, paths, *, headers=None, duration, connections, threads, delay_ms=0):
    check_2xx(stack, name, paths, headers)
    script = Path(tempfile.mkstemp(suffix=".lua", dir=stack.tmp)[1])
    figures = run_wrk(script, stack.url(""), paths, headers=headers, duration=duration,
                      connections=connections, threads=threads, delay_ms=delay_ms)
    figures.update(name=name)
    print(f"{name:<44} {figures['rps']:>9.1f} req/s  p50 {figures['p50']:>7.1f} ms  "
          f"p95 {figures['p95']:>7.1f} ms  p99 {figures['p99']:>7.1f} ms  "
          f"errors {figures['errors']}  non-2xx {figures['non2xx']}", flush=True)
    return figures


def run_wrk(script, base_url, paths, *, headers=None, duration, connections, threads,
            delay_ms=0):
    """Runs wrk with WRK_LUA against base_url; the figures include the non-2xx count."""
    script = Path(script)
    script.write_text(WRK_LUA.replace("{PATHS}", lua_table(paths))
                      .replace("{HEADERS}", lua_headers(headers or {}))
                      .replace("{DELAY}", str(delay_ms)))
    result = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
         "--timeout", "5s", "-s", str(script), base_url],
        capture_output=True, text=True, timeout=duration + 60)
    match = re.search(r"WRKJSON (\{.*\})", result.stdout)
    if not match:
        raise RuntimeError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(match.group(1))
    figures.update(connections=connections, threads=threads, delay_ms=delay_ms)
    return figures


def shops_in(db):
    try:
        return int(psql("-c", "SELECT count(*) FROM shops_shop", db=db).strip() or 0)
    except subprocess.CalledProcessError:
        return 0


MEMBER_SESSIONS = """
import time
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from directory.members.models import Member

now = int(time.time())
for member in Member.objects.select_related("user").order_by("pk")[:COUNT]:
    session = SessionStore()
    session[SESSION_KEY] = str(member.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
    session["staffauth_login_at"] = session["staffauth_seen_at"] = now
    session["staffauth_is_staff"] = False
    session.create()
    print("SESSIONKEY", session.session_key)
"""


def member_sessions(stack, count=1):
    """Session cookies of `count` seeded members, made like a login would (no password
    needed)."""
    out = stack.manage("shell", "-c", MEMBER_SESSIONS.replace("COUNT", str(int(count))))
    return re.findall(r"SESSIONKEY (\S+)", out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cold-seconds", type=int, default=60,
                        help="seconds of the site mix's cold start at 140 req/s")
    parser.add_argument("--mix-seconds", type=int, default=120,
                        help="seconds of the realistic site mix sustained at 140 req/s "
                             "(0: skip the site mix)")
    parser.add_argument("--burst-seconds", type=int, default=20,
                        help="seconds of the site mix's 3× burst")
    parser.add_argument("--cpus", default="",
                        help="pin the gunicorn processes to these CPUs (taskset -c, e.g. 0: "
                             "the app on one of two cores)")
    parser.add_argument("--mix-only", action="store_true",
                        help="only the site mix (benchmarks/site_mix.py), not the wrk cases")
    args = parser.parse_args(argv)
    for tool in ("wrk", "nginx", "redis-server", "psql") + (("taskset",) if args.cpus else ()):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (`make apt`)")

    db = os.environ.get("BENCH_DB", "portal_load")
    shops = shops_in(db)
    if shops < 100_000:
        print(f"{db} has {shops} shops: seeding 100,000 (benchmarks/seed_100k.sh)", flush=True)
        subprocess.run(["bash", "benchmarks/seed_100k.sh"], cwd=ROOT, check=True,
                       env={**os.environ, "KEEP_DB": "1", "BENCH_DB": db})
        shops = shops_in(db)

    instances = int(os.environ.get("GUNICORN_INSTANCES", 1))
    workers = int(os.environ.get("GUNICORN_WORKERS", 5))
    stack = Stack(db_name=db, create_db=False, keep_db=True, app_instances=instances,
                  workers_per_instance=workers, nginx_workers=1,
                  # every request comes from 127.0.0.1: lift the per-IP page limits
                  page_limits=False, bench=True, app_cpus=args.cpus,
                  env_extra={"STAFF_TWO_FACTOR_REQUIRED": "false",
                             # wrk is one client address: lift the API's per-IP and
                             # per-token throttles as benchmarks/api.py does.
                             "API_THROTTLE_IP": "100000000/minute",
                             "API_THROTTLE_TOKEN": "100000000/minute"})
    common = {"duration": args.duration, "connections": args.connections,
              "threads": args.threads}
    results, notes = [], []
    try:
        print("migrating", db, flush=True)
        stack.manage("migrate", "--noinput", "-v0")
        stack.start()
        # The physical limit: the home page's bytes as a static file.
        status, headers, body = fetch(stack.url("/"))
        assert status == 200, status
        (stack.tmp / "static_copy" / "home.html").write_bytes(body)
        cacheable = {}
        for path in ("/", SEARCH):
            fetch(stack.url(path))
            _, second, _ = fetch(stack.url(path))
            cacheable[path] = second.get("X-Cache-Status", "?")
            if cacheable[path] != "HIT":
                reason = "Set-Cookie: " + second.get("Set-Cookie", "")[:40] if (
                    "Set-Cookie" in second) else second.get("Cache-Control", "")
                notes.append(f"{path}: second request was {cacheable[path]}, not HIT "
                             f"(response carries {reason.strip()}…)")
        print("cache status on a repeated anonymous request:", cacheable, flush=True)

        def case(name, paths, goal="", **kwargs):
            try:
                results.append({**wrk(stack, name, paths, **{**common, **kwargs}),
                                "goal": goal})
            except Non2xx as error:
                print(error, flush=True)
                notes.append(str(error))

        first_shop = psql("-c", "SELECT id FROM shops_shop WHERE live ORDER BY id LIMIT 1",
                          db=db).strip()
        for path in (shop_path(first_shop), "/events/"):
            fetch(stack.url(path))
        if not args.mix_only:
            case("static file (nginx, same bytes as /)", ["/__static_copy/home.html"])
            case(f"home / through nginx ({cacheable['/']})", ["/"], goal="cached")
            case(f"shop search through nginx ({cacheable[SEARCH]})", [SEARCH], goal="cached")
            case("shop detail through nginx", [shop_path(first_shop)], goal="cached")
            case("events through nginx", ["/events/"], goal="cached")
            case("shop search uncached (cache bypassed)", [SEARCH],
                 headers={"X-Bench-Nocache": "1"})
        # What the nginx cache gives once pages may be cached (see docs/performance.md):
        # a bench-only location that ignores the CSRF Set-Cookie. Not the shipped config.
        fetch(stack.url("/__whatif/"))
        _, second, _ = fetch(stack.url("/__whatif/"))
        if second.get("X-Cache-Status") == "HIT" and not args.mix_only:
            case("home / if cacheable (bench-only, see notes)", ["/__whatif/"])
            case("shop search if cacheable (bench-only)", ["/__whatif" + SEARCH])
        sessions = member_sessions(stack, site_mix.MEMBERS)
        if not args.mix_only:
            case(f"shop list API {API_LIST}", [API_LIST])
            case(f"member card {CARD} (signed in)", [CARD],
                 headers={"Cookie": f"sessionid={sessions[0]}"})

        # Mixed, uncached, at ≈140 req/s and then 3× that (closed loop: each of N
        # connections waits 100 ms after each answer).
        ids = psql("-c", "SELECT id FROM shops_shop WHERE live ORDER BY id LIMIT 40",
                   db=db).split()
        mix = MIX_PAGES + [shop_path(shop_id) for shop_id in ids]
        for label, conns in (("mixed uncached ≈140 req/s", 14), ("mixed uncached burst 3×", 42)):
            if not args.mix_only:
                case(label, mix, headers={"X-Bench-Nocache": "1"}, connections=conns,
                     delay_ms=100)

        # The whole site, realistic mix, open loop (benchmarks/site_mix.py); the cache
        # holds only what the cases above left in it (the home page and one search).
        if args.mix_seconds:
            for figures in site_mix.run_mix(stack, psql, db, sessions,
                                            cold_seconds=args.cold_seconds,
                                            sustained_seconds=args.mix_seconds,
                                            burst_seconds=args.burst_seconds):
                results.append(figures)
                print(f"{figures['name']:<44} {figures['rps']:>9.1f} req/s  "
                      f"p50 {figures['p50']:>7.1f} ms  p95 {figures['p95']:>7.1f} ms  "
                      f"p99 {figures['p99']:>7.1f} ms  errors {figures['errors']}  "
                      f"non-2xx {figures['non2xx']}  nginx cache HIT "
                      f"{100 * figures['cache_hit_share']:.0f} %  app {figures['app_rps']:.1f} "
                      f"req/s (p95 {figures['app_p95']:.0f} ms); last answers "
                      f"{figures['drain_seconds']:.1f} s after the phase", flush=True)
                for kind, row in figures["kinds"].items():
                    print(f"    {kind:<28} n {row['n']:>6}  p95 {row['p95']:>7.1f} ms",
                          flush=True)
    finally:
        stack.stop()

    static = next((r["rps"] for r in results if r["name"].startswith("static file")), None)
    print()
    pinned = f" pinned to CPU {args.cpus}" if args.cpus else ""
    print(f"shops in {db}: {shops}; gunicorn {instances} × {workers} workers{pinned}; "
          "nginx 1 worker; "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s on 127.0.0.1, "
          f"{os.cpu_count()} cores shared by everything")
    print()
    print("| case | req/s | p50 ms | p95 ms | p99 ms | errors | non-2xx | vs static |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = f"{100 * r['rps'] / static:.0f} %" if static and "target_rps" not in r else "–"
        print(f"| {r['name']} (c={r['connections']}) | {r['rps']:.0f} | {r['p50']:.1f} | "
              f"{r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | {r['non2xx']} | {ratio} |")
    for r in results:
        if "target_rps" in r:
            met = (r["p95"] < 300 and not r["non2xx"]
                   and r["rps"] >= 0.98 * r["target_rps"])
            notes.append(
                f"{r['name']}: {'meets' if met else 'misses'} the goal (p95 < 300 ms, no "
                f"errors, ≥ 98 % of the {r['target_rps']:.0f} req/s asked): {r['rps']:.1f} "
                f"req/s, p95 {r['p95']:.0f} ms, {r['non2xx']} non-2xx; nginx cache HIT "
                f"{100 * r['cache_hit_share']:.0f} %, the app answered {r['app_rps']:.1f} req/s "
                f"(p95 {r['app_p95']:.0f} ms)")
    failed = [r for r in results if r["non2xx"]]
    for r in failed:
        notes.append(f"{r['name']}: {r['non2xx']} of {r['requests']} answers were not 2xx "
                     f"(first: {r['first_non2xx_status']}); its figures do not count")
    missed = goals_missed(results, static)
    notes += [f"GOAL MISSED: {line}" for line in missed]
    for note in notes:
        print(f"- {note}")
    if failed or missed or any("not measured" in note for note in notes):
        sys.exit("some goals were missed, cases got non-2xx answers or were not measured "
                 "(see the notes)")


CACHED_SHARE = 0.90  # issue 20: cached pages at ≥ 90 % of the static-file rate
MIX_P95_MS, MIX_SHARE = 300, 0.98


def goals_missed(results: list[dict], static: float | None) -> list[str]:
    """Issue 20's goals, one line per miss: every site-mix phase p95 < 300 ms, no non-2xx
    and ≥ 98 % of the asked rate; home, search, shop detail and events through nginx's
    cache at ≥ 90 % of the static file's rate (same run)."""
    missed = []
    for r in results:
        if "target_rps" in r:
            if r["p95"] >= MIX_P95_MS:
                missed.append(f"{r['name']}: p95 {r['p95']:.0f} ms ≥ {MIX_P95_MS} ms")
            if r["non2xx"]:
                missed.append(f"{r['name']}: {r['non2xx']} non-2xx answers")
            if r["rps"] < MIX_SHARE * r["target_rps"]:
                missed.append(f"{r['name']}: {r['rps']:.1f} req/s < 98 % of "
                              f"{r['target_rps']:.0f}")
        elif r.get("goal") == "cached":
            if not static:
                missed.append(f"{r['name']}: no static-file rate to compare with")
            elif r["rps"] < CACHED_SHARE * static:
                missed.append(f"{r['name']}: {r['rps']:.0f} req/s = "
                              f"{100 * r['rps'] / static:.0f} % of the static file "
                              f"({static:.0f} req/s), under 90 %")
    return missed

if __name__ == "__main__":
    main()
