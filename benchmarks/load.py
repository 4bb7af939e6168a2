"""Load figures through nginx + gunicorn with wrk, on 127.0.0.1 only (`make bench`).

    .venv/bin/python benchmarks/load.py [--duration 10] [--connections 32] [--threads 2]

1. BENCH_DB (default portal_load) must hold 100,000 shops; if it has fewer, it is seeded
   with `KEEP_DB=1 BENCH_DB=… benchmarks/seed_100k.sh` (about two minutes), and kept.
2. benchmarks/stack.py starts Redis, gunicorn (GUNICORN_INSTANCES × GUNICORN_WORKERS,
   default 1 × 5 = 2 × cores + 1 on 2 cores), a django-q2 cluster and nginx with the
   anonymous page cache of deploy/nginx/portal.conf.
3. wrk runs each case for --duration seconds: the home page and a shop search through
   nginx (as configured: cached when the response may be cached), the same search
   with the cache bypassed, the shop list API, a signed-in member's card page, the same
   home page bytes served by nginx as a static file (the physical limit), and a mixed
   uncached load at ≈140 req/s then at 3× (wrk's per-request delay, closed loop).
4. Prints requests/s, p50/p95/p99 and errors per case and a Markdown table.

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
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import ROOT, Stack, psql  # noqa: E402

SEARCH = "/shops/?q=" + quote("カフェ")

WRK_LUA = r"""
local paths = {PATHS}
local headers = {HEADERS}
local delay_ms = {DELAY}
local counter = 0
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
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status))
end
"""


def lua_table(items):
    return "{" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "}"


def lua_headers(headers):
    return "{" + ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items()) + "}"


def wrk(stack, name, paths, *, headers=None, duration, connections, threads, delay_ms=0):
    script = Path(tempfile.mkstemp(suffix=".lua", dir=stack.tmp)[1])
    script.write_text(WRK_LUA.replace("{PATHS}", lua_table(paths))
                      .replace("{HEADERS}", lua_headers(headers or {}))
                      .replace("{DELAY}", str(delay_ms)))
    result = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
         "--timeout", "5s", "-s", str(script), stack.url("")],
        capture_output=True, text=True, timeout=duration + 60)
    match = re.search(r"WRKJSON (\{.*\})", result.stdout)
    if not match:
        raise RuntimeError(f"wrk failed for {name}:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(match.group(1))
    figures.update(name=name, connections=connections, threads=threads, delay_ms=delay_ms)
    print(f"{name:<44} {figures['rps']:>9.1f} req/s  p50 {figures['p50']:>7.1f} ms  "
          f"p95 {figures['p95']:>7.1f} ms  p99 {figures['p99']:>7.1f} ms  "
          f"errors {figures['errors']}", flush=True)
    return figures


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - localhost
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - localhost
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def shops_in(db):
    try:
        return int(psql("-c", "SELECT count(*) FROM shops_shop", db=db).strip() or 0)
    except subprocess.CalledProcessError:
        return 0


def member_session(stack):
    """A session cookie of a seeded member, made like a login would (no password needed)."""
    out = stack.manage("shell", "-c", (
        "import time;"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY;"
        "from django.contrib.sessions.backends.cached_db import SessionStore;"
        "from directory.members.models import Member;"
        "m = Member.objects.select_related('user').order_by('pk').first();"
        "s = SessionStore();"
        "s[SESSION_KEY] = str(m.user.pk);"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend';"
        "s[HASH_SESSION_KEY] = m.user.get_session_auth_hash();"
        "now = int(time.time());"
        "s['staffauth_login_at'] = now; s['staffauth_seen_at'] = now;"
        "s['staffauth_is_staff'] = False;"
        "s.create(); print('SESSIONKEY', s.session_key)"))
    return re.search(r"SESSIONKEY (\S+)", out).group(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    for tool in ("wrk", "nginx", "redis-server", "psql"):
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
                  env_extra={"STAFF_TWO_FACTOR_REQUIRED": "false"})
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

        results.append(wrk(stack, "static file (nginx, same bytes as /)",
                           ["/__static_copy/home.html"], **common))
        results.append(wrk(stack, f"home / through nginx ({cacheable['/']})", ["/"], **common))
        results.append(wrk(stack, f"shop search through nginx ({cacheable[SEARCH]})",
                           [SEARCH], **common))
        results.append(wrk(stack, "shop search uncached (cache bypassed)", [SEARCH],
                           headers={"X-Bench-Nocache": "1"}, **common))
        # What the nginx cache gives once pages may be cached (see docs/performance.md):
        # a bench-only location that ignores the CSRF Set-Cookie. Not the shipped config.
        fetch(stack.url("/__whatif/"))
        _, second, _ = fetch(stack.url("/__whatif/"))
        if second.get("X-Cache-Status") == "HIT":
            results.append(wrk(stack, "home / if cacheable (bench-only, see notes)",
                               ["/__whatif/"], **common))
            results.append(wrk(stack, "shop search if cacheable (bench-only)",
                               ["/__whatif" + SEARCH], **common))
        status, _, _ = fetch(stack.url("/api/v1/shops/"))
        if status == 200:
            results.append(wrk(stack, "shop list API /api/v1/shops/", ["/api/v1/shops/"],
                               **common))
        else:
            notes.append(f"/api/v1/shops/ answered {status}: the shop list API is not "
                         "available in this tree, not measured")
        session = member_session(stack)
        status, _, _ = fetch(stack.url("/card/"), {"Cookie": f"sessionid={session}"})
        if status == 200:
            results.append(wrk(stack, "member card /card/ (signed in)", ["/card/"],
                               headers={"Cookie": f"sessionid={session}"}, **common))
        else:
            notes.append(f"/card/ answered {status} for a signed-in member: not measured")

        # Mixed, uncached, at ≈140 req/s and then 3× that (closed loop: each of N
        # connections waits 100 ms after each answer).
        ids = psql("-c", "SELECT id FROM shops_shop WHERE live ORDER BY id LIMIT 40",
                   db=db).split()
        words = ["カフェ", "パン", "美容", "ラーメン", "書店", "こども", "眼鏡", "スーパー"]
        mix = ["/", "/shops/", "/events/", "/faminavi/"]
        mix += ["/shops/?q=" + quote(word) for word in words]
        mix += [f"/shops/{shop_id}/" for shop_id in ids]
        for label, conns in (("mixed uncached ≈140 req/s", 14), ("mixed uncached burst 3×", 42)):
            results.append(wrk(stack, label, mix, headers={"X-Bench-Nocache": "1"},
                               duration=args.duration, connections=conns,
                               threads=args.threads, delay_ms=100))
    finally:
        stack.stop()

    static = results[0]["rps"]
    print()
    print(f"shops in {db}: {shops}; gunicorn {instances} × {workers} workers; nginx 1 worker; "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s on 127.0.0.1, "
          f"{os.cpu_count()} cores shared by everything")
    print()
    print("| case | req/s | p50 ms | p95 ms | p99 ms | errors | vs static |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = f"{100 * r['rps'] / static:.0f} %"
        print(f"| {r['name']} (c={r['connections']}) | {r['rps']:.0f} | {r['p50']:.1f} | "
              f"{r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | {ratio} |")
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
