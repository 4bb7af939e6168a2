"""CPU time per uncached request of the hot public paths, and where it goes (issue 20).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_perf \\
        .venv/bin/python benchmarks/cpu_per_request.py [--repeat 5] [--profile docs/profiles]

Every request goes through django.test.Client (the whole request: middleware, URL
routing, forms, queries, templates, JSON), as an anonymous visitor, with nothing cached
in front of Django. The figure is this process's CPU time (time.process_time) per
request: what the app server pays for the page, which other load on a shared machine
does not inflate (waiting for a CPU or for PostgreSQL costs no CPU time). Each URL is
requested --repeat times and the median kept; the table gives p50/p95 over the URLs of
each kind and the goal of issue 20 for it. Exits 1 when a kind's p50 misses its goal.

--profile DIR also runs every kind's URLs once more under cProfile and writes
DIR/<kind>.txt: the functions by cumulative and by own time, and a folded call-stack
summary (the share of each path of the call tree, a text flame graph).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from directory.shops.models import Shop  # noqa: E402

GOALS_MS = {  # issue 20, goal 1: median CPU per uncached request
    "shop search": 5.0,
    "shop detail": 5.0,
    "events list": 5.0,
    "faminavi list": 5.0,
    "api shops list": 3.0,
}
WORDS = ["カフェ", "パン", "美容", "ラーメン", "書店", "こども", "眼鏡", "スーパー", "寿司", "歯科"]


def cases() -> dict[str, list[str]]:
    live = Shop.objects.public().order_by("-pk").values_list("pk", flat=True)
    shop_ids = list(live[:4000:200])
    return {
        "shop search": ["/shops/"] + [f"/shops/?keyword={quote(word)}" for word in WORDS]
        + ["/shops/?genre=cafe", "/shops/?area=osaka-city&page=2",
           "/shops/?lat=34.70&lng=135.50&radius=3"],
        "shop detail": [f"/shops/{pk}/" for pk in shop_ids],
        "events list": ["/events/", "/events/?order=updated", "/events/?past=1",
                        "/events/?page=2"],
        "faminavi list": ["/faminavi/", "/faminavi/?page=2"],
        "api shops list": ["/api/v1/shops"] + [f"/api/v1/shops?keyword={quote(word)}"
                                                for word in WORDS],
    }


def percentile(values: list[float], fraction: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(fraction * len(values)) - 1))]


def folded(stats: pstats.Stats, *, depth: int = 6, floor: float = 0.015) -> str:
    """A text flame graph: cumulative time of the call paths under Django's
    _get_response (the view and its response, after the middleware), from cProfile's
    caller graph. A call that is nearly all of its caller's time (a wrapper) is folded
    into it ("a > b"), so each line is a real split of the time."""
    raw = stats.stats  # {func: (cc, nc, tt, ct, callers{func: (cc, nc, tt, ct)})}

    def name(func):
        filename, line, function = func
        short = filename.split("site-packages/")[-1].split("/wt/perf/")[-1]
        return f"{short.rsplit('/', 1)[-1]}:{function}"

    children: dict = defaultdict(list)
    for func, (_cc, _nc, _tt, _ct, callers) in raw.items():
        for caller, (_c, _n, _t, ct) in callers.items():
            children[caller].append((ct, func))
    roots = [func for func in raw
             if func[2] == "get" and func[0].endswith("django/test/client.py")]
    total = max((raw[func][3] for func in roots), default=0.0) or 1.0
    lines: list[str] = []

    def walk(func, seen, level, prefix):
        if level >= depth:
            return
        for ct, child in sorted(children.get(func, []), reverse=True)[:8]:
            if ct / total < floor or child in seen:
                continue
            label, node = [name(child)], child
            # fold wrappers: while one child holds ≥ 90 % of this node's time
            while True:
                kids = sorted(children.get(node, []), reverse=True)
                if not kids or kids[0][0] < 0.9 * ct or kids[0][1] in seen or len(label) > 12:
                    break
                node = kids[0][1]
                label.append(name(node))
            text = " > ".join(label if len(label) <= 3 else [label[0], "…", label[-1]])
            lines.append(f"{'  ' * level}{100 * ct / total:5.1f} %  {text}")
            walk(node, seen | {child, node}, level + 1, prefix)

    entry = [func for func in raw if func[2] == "_get_response"
             and func[0].endswith("django/core/handlers/base.py")]
    for root in entry:
        lines.append(f"{100 * raw[root][3] / total:5.1f} %  the view and its response "
                     "(middleware excluded)")
        walk(root, {root}, 1, "")
    return "\n".join(lines)


def profile(client: Client, kind: str, urls: list[str], directory: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for url in urls:
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"# {kind}: cProfile of {len(urls)} uncached requests (django.test.Client)\n"
              f"# benchmarks/cpu_per_request.py --profile; times are for all {len(urls)} "
              "requests together, inflated by the profiler\n\n## call tree (share of the "
              "requests' time)\n\n")
    out.write(folded(stats) + "\n\n## by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(45)
    out.write("\n## by own time\n")
    stats.sort_stats("tottime").print_stats(35)
    text = out.getvalue().replace(str(Path(sys.prefix)), "<venv>")
    (directory / (kind.replace(" ", "-") + ".txt")).write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=Path, help="write cProfile summaries here")
    parser.add_argument("--only", action="append", help="kinds to run (default: all)")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    client = Client(HTTP_HOST="127.0.0.1")
    kinds = {kind: urls for kind, urls in cases().items()
             if not args.only or kind in args.only}
    for urls in kinds.values():  # warm the per-process caches and connections once
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    print(f"{'kind':16} {'URLs':>5} {'cpu p50 ms':>11} {'cpu p95 ms':>11} {'wall p50':>9} "
          f"{'goal':>6}  verdict")
    missed = []
    for kind, urls in kinds.items():
        cpu, wall = [], []
        for url in urls:
            runs, walls = [], []
            for _ in range(args.repeat):
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                runs.append((time.process_time() - start_cpu) * 1000)
                walls.append((time.perf_counter() - start) * 1000)
            cpu.append(statistics.median(runs))
            wall.append(statistics.median(walls))
        p50 = statistics.median(cpu)
        goal = GOALS_MS[kind]
        verdict = "met" if p50 <= goal else "MISSED"
        if p50 > goal:
            missed.append(kind)
        print(f"{kind:16} {len(urls):5d} {p50:11.2f} {percentile(cpu, 0.95):11.2f} "
              f"{statistics.median(wall):9.2f} {goal:6.1f}  {verdict}", flush=True)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        for kind, urls in kinds.items():
            profile(client, kind, urls, args.profile)
        print(f"profiles written to {args.profile}/")
    if missed:
        raise SystemExit(f"CPU goal missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
