"""Scale-out on this machine (DESIGN.md "Scale"): two gunicorn instances with shared
sessions (database read through Redis), a django-q2 cluster on Redis, nginx balancing
them. A staff member signs in (password + TOTP) on one instance and carries on on the
other; nginx keeps serving without a failed request (one client retry allowed) while
each instance in turn is killed and restarted. Everything is torn down at the end.

Run by `make scaleout` (and CI after `make e2e`); about a minute. Needs nginx,
redis-server and the PostgreSQL server on 127.0.0.1.
"""

import os
import re
import signal
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
    with Stack(app_instances=2, workers_per_instance=2, page_limits=False) as running:
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
