"""Scale-out on this machine (DESIGN.md "Scale"): two gunicorn instances of 3 workers with
shared sessions (database read through Redis), a django-q2 cluster on Redis, nginx
balancing them. A staff member signs in (password + TOTP) on one instance and carries on
on the other; nginx keeps serving without a failed request (one client retry allowed)
while each instance in turn is killed and restarted; the login limit holds whichever
worker answers; a bulk import previewed on one instance is applied on the other.
Everything is torn down at the end.

Run by `make scaleout` (and CI after `make e2e`); about a minute. Needs nginx,
redis-server and the PostgreSQL server on 127.0.0.1.
"""

import csv
import io
import os
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from stack import Stack  # noqa: E402

from staffauth import totp  # noqa: E402

pytestmark = [pytest.mark.scaleout]

EMAIL, PASSWORD = "scaleout-admin@example.jp", "scaleout-password-2026"
SECRET = totp.secret_generate()


@pytest.fixture(scope="module")
def stack():
    if os.environ.get("PORTAL_SCALEOUT") != "1":
        pytest.skip("the scale-out test runs with `make scaleout` (PORTAL_SCALEOUT=1)")
    # deploy/nginx/portal.conf as shipped, except the per-IP page limits: the restart
    # test's traffic all comes from 127.0.0.1 (the login forms keep their limit).
    # 3 gunicorn workers per instance: the limits are counted across workers (one shared
    # Redis cache), whichever worker answers.
    with Stack(app_instances=2, workers_per_instance=3, page_limits=False) as running:
        running.manage("shell", "-c", (
            "from directory.accounts.models import User;"
            "from staffauth.models import StaffTOTPDevice;"
            f"u = User.objects.create_superuser('{EMAIL}', '{PASSWORD}');"
            f"StaffTOTPDevice.objects.create(user=u, secret='{SECRET}')"
        ))
        yield running


def _csrf(session, url):
    response = session.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


def test_session_moves_between_instances_and_nginx_survives_restarts(stack):
    session = requests.Session()
    # 1. Password on instance 0.
    login = stack.app_url(0, "/admin/login/")
    response = session.post(login, data={
        "csrfmiddlewaretoken": _csrf(session, login), "username": EMAIL,
        "password": PASSWORD, "next": "/admin/"}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    response = session.get(stack.app_url(1, "/admin/"), allow_redirects=False, timeout=10)
    assert response.status_code == 302 and "/admin/2fa/verify/" in response.headers["Location"]
    # 2. Second factor on instance 1 (the session written by instance 0).
    verify = stack.app_url(1, "/admin/2fa/verify/")
    response = session.post(verify, data={
        "csrfmiddlewaretoken": _csrf(session, verify), "code": totp.totp(SECRET),
        "next": "/admin/"}, allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    # 3. Signed in everywhere: each instance directly and through nginx.
    for url in (stack.app_url(0, "/admin/"), stack.app_url(1, "/admin/"), stack.url("/admin/")):
        response = session.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 200, (url, response.status_code)

    # 4. The django-q2 cluster takes tasks from Redis and stores results.
    out = stack.manage("shell", "-c", (
        "from django_q.tasks import async_task, result;"
        "task = async_task('math.copysign', 2, -1);"
        "print('result', result(task, wait=30000))"), timeout=60)
    assert "result -2.0" in out

    # 5. Traffic through nginx while each instance is killed and restarted.
    stats = {"ok": 0, "retried": 0, "failed": 0, "errors": []}
    stop = threading.Event()

    def one(path, expected):
        try:
            r = session.get(stack.url(path), allow_redirects=False, timeout=10)
            return r.status_code == expected, f"{path}: {r.status_code}"
        except requests.RequestException as error:
            return False, f"{path}: {type(error).__name__}"

    def traffic():
        anonymous = requests.Session()
        while not stop.is_set():
            for path, expected, client in (("/admin/", 200, session),
                                           ("/healthz", 200, anonymous),
                                           ("/admin/pages/", 200, session)):
                good, detail = one(path, expected) if client is session else (
                    _anon(anonymous, path, expected))
                if good:
                    stats["ok"] += 1
                    continue
                good, detail2 = one(path, expected) if client is session else (
                    _anon(anonymous, path, expected))
                if good:
                    stats["retried"] += 1
                else:
                    stats["failed"] += 1
                    stats["errors"].append((detail, detail2))

    def _anon(client, path, expected):
        try:
            r = client.get(stack.url(path), allow_redirects=False, timeout=10)
            return r.status_code == expected, f"{path}: {r.status_code}"
        except requests.RequestException as error:
            return False, f"{path}: {type(error).__name__}"

    threads = [threading.Thread(target=traffic) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for index in range(2):
            time.sleep(1.5)
            stack.kill_app(index, signal.SIGKILL)
            time.sleep(2)
            stack.start_app(index)
            stack.wait_app(index)
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    print(f"through nginx during kills: {stats['ok']} ok, {stats['retried']} ok after one "
          f"retry, {stats['failed']} failed")
    assert stats["failed"] == 0, stats["errors"][:10]
    assert stats["ok"] > 50
    # Both instances served traffic again after their restart.
    for index in range(2):
        log = (stack.tmp / f"app{index}-access.log").read_text()
        assert "/admin/" in log


def test_quick_login_posts_over_the_nginx_limit_get_429(stack):
    """The shipped login limit (6 r/min, burst 10 per IP): quick POSTs beyond it are
    refused by nginx with 429 before they reach the app."""
    client = requests.Session()
    statuses, bodies = [], []
    for index in range(25):
        response = client.post(stack.url("/accounts/login/"), data={
            "username": f"nobody{index}@example.jp", "password": "wrong-password-1"},
            allow_redirects=False, timeout=10)
        statuses.append(response.status_code)
        bodies.append(response.text)
    assert statuses[0] != 429, statuses
    refused = [index for index, status in enumerate(statuses) if status == 429]
    # at most 1 + burst 10 (+1 if a token refilled meanwhile) get through
    assert len(refused) >= 25 - 12, statuses
    assert all("429 Too Many Requests" in bodies[index] for index in refused)
    assert all(status == 429 for status in statuses[12:]), statuses


EVENT_SETUP = """
import datetime
from wagtail.models import Site
from directory.events.models import Event
from directory.masters.models import Municipality
# The refresh GETs carry the site's host name, which nginx keys its cache on ($host).
Site.objects.filter(is_default_site=True).update(hostname="127.0.0.1", port=80)
today = datetime.date.today()
event = Event.objects.create(
    title="更新前のイベント", starts_on=today, ends_on=today + datetime.timedelta(days=30),
    municipality=Municipality.objects.order_by("pk").first(), live=True)
print("EVENTPK", event.pk)
"""

EVENT_PUBLISH = """
from directory.events.models import Event
event = Event.objects.get(pk=PK)
event.title = "更新後のイベント"
event.save_revision().publish()
"""


def test_publishing_refreshes_every_language_copy_of_a_detail_page(stack):
    """nginx keeps detail pages 10 minutes (X-Accel-Expires) and one copy per language
    cookie; publishing an event refreshes both copies at once through the refresh
    listener (config/frontend_cache.py, run by the django-q2 cluster on Redis)."""
    stack.manage("load_masters")
    pk = re.search(r"EVENTPK (\d+)", stack.manage("shell", "-c", EVENT_SETUP)).group(1)
    path = f"/events/{pk}/"
    languages = {"ja": {}, "en": {"Cookie": "django_language=en"}}
    for headers in languages.values():
        requests.get(stack.url(path), headers=headers, timeout=10)
        cached = requests.get(stack.url(path), headers=headers, timeout=10)
        assert cached.headers["X-Cache-Status"] == "HIT" and "更新前のイベント" in cached.text

    stack.manage("shell", "-c", EVENT_PUBLISH.replace("PK", pk))
    refreshed = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(refreshed) < len(languages):
        for language, headers in languages.items():
            response = requests.get(stack.url(path), headers=headers, timeout=10)
            if "更新後のイベント" in response.text:
                refreshed[language] = response.headers["X-Cache-Status"]
        time.sleep(0.5)
    # Served from the cache (HIT), so the refresh stored it: the 10 minutes had not run out.
    assert refreshed == {"ja": "HIT", "en": "HIT"}


RESET_LOGIN_LIMIT = """
from directory.accounts import ratelimit, services
ratelimit.rate_limit_reset(scope=services.LOGIN_IP_SCOPE, key="127.0.0.1")
"""


def _held_posts(port: int, path: str, bodies: list[bytes], cookie: str) -> list[tuple[int, str]]:
    """POST each body on its own connection, all at once on distinct gunicorn workers: every
    request is sent but its last byte, so each sync worker that accepted one is held reading
    it and the next connection must go to another worker; then the last bytes are sent.
    Returns (status, worker pid from the access log) per request, in order."""
    connections = []
    for body in bodies:
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\n"
                f"Connection: close\r\n\r\n").encode()
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(head + body[:-1])
        connections.append((sock, body[-1:]))
        time.sleep(0.3)  # accepted by a worker before the next connection arrives
    statuses = []
    for sock, last in connections:
        sock.sendall(last)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        sock.close()
        statuses.append(int(answer.split(b" ", 2)[1]))
    return statuses


def _login_pids(stack, index: int, count: int) -> list[str]:
    lines = [line for line in (stack.tmp / f"app{index}-access.log").read_text().splitlines()
             if '"POST /accounts/login/ ' in line]
    return [re.search(r"<(\d+)>$", line).group(1) for line in lines[-count:]]


def test_the_sixth_failed_login_from_one_address_is_refused_by_every_worker(stack):
    """Finding 7 of issue 16: with the local-memory cache each of the 3 workers counted its
    own 5 failures (15 in all). With the shared cache the per-address limit (5 in 5 min)
    holds across workers: 3 failures answered by 3 different workers and 2 more, then the
    6th, 7th and 8th attempts, again each on its own worker, are all refused with 429."""
    stack.manage("shell", "-c", RESET_LOGIN_LIMIT)
    port = stack.app_ports[1]  # straight to one instance: nginx's own login limit aside
    session = requests.Session()
    token = _csrf(session, stack.app_url(1, "/accounts/login/"))
    cookie = f"csrftoken={session.cookies['csrftoken']}"

    def bodies(first, count):
        return [(f"csrfmiddlewaretoken={token}&email=nobody{n}%40example.jp"
                 f"&password=wrong-password-{n}").encode() for n in range(first, first + count)]

    try:
        first = _held_posts(port, "/accounts/login/", bodies(0, 3), cookie)
        first_pids = _login_pids(stack, 1, 3)
        then = _held_posts(port, "/accounts/login/", bodies(3, 2), cookie)
        refused = _held_posts(port, "/accounts/login/", bodies(5, 3), cookie)
        refused_pids = _login_pids(stack, 1, 3)
    finally:
        stack.manage("shell", "-c", RESET_LOGIN_LIMIT)
    assert first == [200, 200, 200] and then == [200, 200], (first, then)
    assert refused == [429, 429, 429], refused
    # Answered by all three workers each time, so no worker had a count of its own.
    assert len(set(first_pids)) == 3 and len(set(refused_pids)) == 3, (first_pids,
                                                                        refused_pids)


BULK_SECRETARIAT = """
from directory.accounts.models import User
from directory.masters.services import masters_load
from directory.shops.models import Shop, ShopBenefit
from directory.masters.models import Municipality, Programme
masters_load()
shop = Shop.objects.create(name="一括前の店", postcode="540-8570", address="中央区大手前2丁目",
    municipality=Municipality.objects.get(code="271004"), live=True)
ShopBenefit.objects.create(shop=shop, programme=Programme.objects.get(code="maido"),
    title="5%引き")
print("SHOPPK", shop.pk)
"""


def _signed_in_admin(stack) -> requests.Session:
    session = requests.Session()
    login = stack.app_url(0, "/admin/login/")
    response = session.post(login, data={
        "csrfmiddlewaretoken": _csrf(session, login), "username": EMAIL,
        "password": PASSWORD, "next": "/admin/"}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    verify = stack.app_url(0, "/admin/2fa/verify/")
    token = _csrf(session, verify)
    for _attempt in range(3):  # a code used by the other test is refused as a replay
        response = session.post(verify, data={
            "csrfmiddlewaretoken": token, "code": totp.totp(SECRET), "next": "/admin/"},
            allow_redirects=False, timeout=10)
        if response.status_code == 302:
            return session
        time.sleep(30)
        token = _csrf(session, verify)
    raise AssertionError("the second factor was refused")


def test_bulk_import_previewed_on_one_instance_is_applied_on_the_other(stack):
    """The uploaded file is kept between preview and apply in the shared cache, not in a
    worker's memory: the preview answered by instance 0 is applied by instance 1."""
    pk = re.search(r"SHOPPK (\d+)", stack.manage("shell", "-c", BULK_SECRETARIAT)).group(1)
    session = _signed_in_admin(stack)
    exported = session.get(stack.app_url(0, "/admin/shops/bulk/export/?format=csv"),
                           timeout=30)
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    header = rows[0]
    row = next(row for row in rows[1:] if row[header.index("id")] == pk)
    row[header.index("name")] = "一括後の店"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, row])
    page = stack.app_url(0, "/admin/shops/bulk/")
    preview = session.post(page, data={"csrfmiddlewaretoken": _csrf(session, page)},
                           files={"file": ("shops.csv", buffer.getvalue().encode("utf-8"))},
                           timeout=60)
    assert preview.status_code == 200, preview.text[:1000]
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.text).group(1)
    apply_page = stack.app_url(1, "/admin/shops/bulk/")
    applied = session.post(apply_page, data={
        "csrfmiddlewaretoken": _csrf(session, apply_page), "apply": "1", "token": token},
        allow_redirects=False, timeout=60)
    assert applied.status_code == 302, applied.text[:1000]
    out = stack.manage("shell", "-c", f"from directory.shops.models import Shop;"
                                      f"print('NAME', Shop.objects.get(pk={pk}).name)")
    assert "NAME 一括後の店" in out


SHOP_SETUP = """
from wagtail.models import Site
from directory.shops.models import Shop
from directory.masters.models import Municipality
Site.objects.filter(is_default_site=True).update(hostname="127.0.0.1", port=80)
shop = Shop.objects.create(name="数える店", municipality=Municipality.objects.get(code="271004"),
                           address="中央区", postcode="540-0001", live=True)
print("SHOPPK", shop.pk)
"""

COUNTS = """
from cms_pages.assistant.models import ShopView, ZeroResultSearch
print("VIEWS", sum(ShopView.objects.filter(shop_id=PK).values_list("count", flat=True)))
print("ZERO", dict(ZeroResultSearch.objects.values_list("term", "count")))
"""


def test_views_and_zero_result_searches_are_counted_cached_or_not(stack):
    """Issue 20: counted from nginx's count log for every answer, cache HITs included,
    and added up by `manage.py page_counts_flush` (the django-q2 schedule's task)."""
    stack.manage("load_masters")
    pk = re.search(r"SHOPPK (\d+)", stack.manage("shell", "-c", SHOP_SETUP)).group(1)
    detail = stack.url(f"/shops/{pk}/")
    search = stack.url("/shops/?keyword=" + quote("存在しない店"))
    statuses = [requests.get(detail, timeout=10).headers["X-Cache-Status"] for _ in range(4)]
    assert statuses.count("HIT") >= 2, statuses  # most were answered by nginx alone
    zero = [requests.get(search, timeout=10).headers["X-Cache-Status"] for _ in range(3)]
    assert "HIT" in zero, zero
    stack.manage("page_counts_flush")
    out = stack.manage("shell", "-c", COUNTS.replace("PK", pk))
    assert re.search(r"VIEWS (\d+)", out).group(1) == "4"
    assert "'存在しないてん': 3" in out or "'存在しない店': 3" in out, out
    # counted once: the next run finds nothing new
    stack.manage("page_counts_flush")
    out = stack.manage("shell", "-c", COUNTS.replace("PK", pk))
    assert re.search(r"VIEWS (\d+)", out).group(1) == "4"


def test_unchanged_pages_are_revalidated_and_a_purged_cache_is_warmed(stack):
    """Issue 20: nginx checks an expired page with its content-version ETag and the app
    answers 304 (the page stays cached until something changes); after the cache is
    emptied, `manage.py cache_warm --now` puts the most visited pages back."""
    stack.manage("load_masters")
    # The refresh GETs carry the site's host name, which nginx keys its cache on ($host).
    stack.manage("shell", "-c", "from wagtail.models import Site; Site.objects.filter("
                 "is_default_site=True).update(hostname='127.0.0.1', port=80)")
    page = stack.url("/shops/")
    requests.get(page, timeout=10)
    # The app itself answers nginx's revalidation of an unchanged page with 304.
    tag = requests.get(stack.app_url(0, "/shops/"), timeout=10).headers["ETag"]
    assert requests.get(stack.app_url(1, "/shops/"), headers={"If-None-Match": tag},
                        timeout=10).status_code == 304
    # Empty the cache (as after a full purge), warm it, and the pages are HITs at once.
    for entry in (stack.tmp / "cache").rglob("*"):
        if entry.is_file():
            entry.unlink()
    assert requests.get(page, timeout=10).headers["X-Cache-Status"] == "MISS"
    for entry in (stack.tmp / "cache").rglob("*"):
        if entry.is_file():
            entry.unlink()
    assert "warmed" in stack.manage("cache_warm", "--now")
    for path in ("/", "/shops/", "/events/", "/faminavi/"):
        assert requests.get(stack.url(path), timeout=10).headers["X-Cache-Status"] == "HIT", path
