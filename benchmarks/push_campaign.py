"""A push campaign to 100,000 subscriptions against a local fake push service.

Usage (a migrated database of its own; never a real push service):
    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE portal_push_bench'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_push_bench
    .venv/bin/python manage.py migrate
    nice -n 10 .venv/bin/python benchmarks/push_campaign.py [--subscriptions 100000]
        [--workers 2] [--batch 500] [--concurrency 50]

What it does:
1. starts the fake push service (notifications/fakepush.py) in a process of its own,
   answering 201 to every POST and counting them;
2. replaces the benchmark's subscriptions with N new ones (bulk insert; each with a
   real P-256 key pair, so every message is really encrypted);
3. makes a campaign to everyone, approved, and times ``campaign_dispatch``: the
   audience fixed and one django-q2 task per batch queued (target: < 10 s);
4. starts a django-q2 cluster (``manage.py qcluster``, ORM broker) with --workers and
   times until the campaign is "sent": messages per second = N / that time
   (target: ≥ 500/s);
5. prints the peak memory (VmHWM) of the cluster's processes and of this process,
   sampled every 0.2 s (bounded: it must not grow with N, as each task holds one batch).
"""

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def _fake_service(ready, counter, stop):
    """The fake push service on aiohttp's server (faster than notifications/fakepush.py's
    http.server, which the tests use to record requests): 201 to every POST, counted."""
    import asyncio

    from aiohttp import web

    count = 0

    async def push(request):
        nonlocal count
        await request.read()
        count += 1
        return web.Response(status=201)

    async def run():
        app = web.Application()
        app.router.add_post("/push/{name}", push)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        ready.put(f"http://127.0.0.1:{port}")
        while not stop.is_set():
            counter.value = count
            await asyncio.sleep(0.05)
        counter.value = count
        await runner.cleanup()

    asyncio.run(run())


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for child in Path("/proc").iterdir():
        if not child.name.isdigit():
            continue
        try:
            ppid = int((child / "stat").read_text().split(") ")[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            pids += _tree(int(child.name))
    return pids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()

    ready, counter, stop = multiprocessing.Queue(), multiprocessing.Value("l", 0), \
        multiprocessing.Event()
    fake = multiprocessing.Process(target=_fake_service, args=(ready, counter, stop),
                                   daemon=True)
    fake.start()
    origin = ready.get(timeout=10)
    os.environ["PUSH_ENDPOINT_EXTRA_ORIGINS"] = origin
    os.environ["PUSH_BATCH_SIZE"] = str(args.batch)
    os.environ["PUSH_CONCURRENCY"] = str(args.concurrency)
    os.environ["Q_WORKERS"] = str(args.workers)

    import django

    django.setup()
    from django.db import connection
    from django_q.models import OrmQ, Task

    from notifications import services
    from notifications.fakepush import subscriber_keys
    from notifications.models import Campaign, Delivery, PushSubscription

    print(f"fake push service: {origin}  database: {connection.settings_dict['NAME']}")
    OrmQ.objects.all().delete()
    Task.objects.filter(func="notifications.tasks.send_batch").delete()
    Delivery.objects.all().delete()
    PushSubscription.objects.all().delete()
    Campaign.objects.filter(title__startswith="benchmark").delete()

    started = time.perf_counter()
    keys = [subscriber_keys()[1:3] for _ in range(100)]
    rows = (PushSubscription(endpoint=f"{origin}/push/{i}", p256dh=keys[i % 100][0],
                             auth=keys[i % 100][1], general_news_only=True)
            for i in range(args.subscriptions))
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 5000:
            PushSubscription.objects.bulk_create(batch)
            batch = []
    PushSubscription.objects.bulk_create(batch)
    print(f"subscriptions: {PushSubscription.objects.count()} "
          f"(inserted in {time.perf_counter() - started:.1f} s)")

    campaign = Campaign.objects.create(title="benchmark お知らせ", body="本文 " * 40,
                                       link="/news/", everyone=True,
                                       status=Campaign.Status.SCHEDULED)
    started = time.perf_counter()
    batches = services.campaign_dispatch(campaign.pk)
    queued = time.perf_counter() - started
    print(f"queued: {batches} batches of {args.batch} in {queued:.2f} s "
          f"(OrmQ rows: {OrmQ.objects.count()})")

    cluster = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "qcluster"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    started = time.perf_counter()
    peak_cluster = 0
    first_message = None
    cpu = {}
    while True:
        time.sleep(0.2)
        for pid in _tree(cluster.pid):
            peak_cluster = max(peak_cluster, _peak_kib(pid))
            cpu[pid] = _cpu_seconds(pid)
        if first_message is None and counter.value:
            first_message = time.perf_counter() - started
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.SENT:
            break
        if time.perf_counter() - started > 1800:
            print("gave up after 30 minutes")
            break
    elapsed = time.perf_counter() - started
    os.killpg(cluster.pid, signal.SIGTERM)
    try:
        cluster.wait(timeout=15)
    except subprocess.TimeoutExpired:  # a worker still polling the broker
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait(timeout=15)
    stop.set()
    fake.join(timeout=5)

    rate = campaign.sent_count / elapsed if elapsed else 0
    steady = campaign.sent_count / (elapsed - (first_message or 0)) if first_message else 0
    print(f"delivered: sent {campaign.sent_count}, failed {campaign.failed_count}, "
          f"removed {campaign.removed_count}; fake service received {counter.value}")
    print(f"time from cluster start to 'sent': {elapsed:.1f} s -> {rate:.0f} messages/s "
          f"({steady:.0f}/s after the first message at {first_message or 0:.1f} s)")
    sender_cpu = sum(cpu.values())
    print(f"cluster CPU time: {sender_cpu:.1f} s = "
          f"{1000 * sender_cpu / max(campaign.sent_count, 1):.2f} ms per message; "
          f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"peak RSS: largest cluster process {peak_cluster / 1024:.0f} MiB; "
          f"this process {_peak_kib(os.getpid()) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
