"""benchmarks/load.py measures what it says: every path answers 2xx, and non-2xx answers
during a wrk run are counted (wrk itself only counts >= 400 as errors)."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.factories import MemberFactory, ShopFactory

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import load  # noqa: E402
import site_mix  # noqa: E402


@pytest.mark.django_db
def test_every_benchmarked_path_answers_2xx_without_a_redirect(client, masters):
    shop = ShopFactory()
    paths = [load.SEARCH, load.API_LIST, *load.MIX_PAGES, load.shop_path(shop.pk),
             *site_mix.PAGES, *site_mix.LISTS]
    for path in paths:
        response = client.get(path)
        assert 200 <= response.status_code <= 299, (path, response.status_code)
    member = MemberFactory()
    client.force_login(member.user)
    for path in (load.CARD, site_mix.FAVOURITES):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)


def test_the_api_list_path_has_no_trailing_slash():
    assert load.API_LIST == "/api/v1/shops"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        status = {"/ok": 200, "/moved/": 308, "/gone": 404}[self.path]
        body = b"x"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if status == 308:
            self.send_header("Location", "/ok")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_wrk_counts_redirects_and_errors_as_non_2xx(tiny_server, tmp_path):
    figures = load.run_wrk(tmp_path / "case.lua", tiny_server, ["/ok", "/moved/", "/gone"],
                           duration=1, connections=1, threads=1, delay_ms=20)
    assert figures["requests"] >= 3
    # One in three answers is 200: the 308 and the 404 are both counted.
    assert figures["non2xx"] >= figures["requests"] * 2 // 3 - 1
    assert figures["non2xx"] < figures["requests"]
    assert figures["first_non2xx_status"] in (308, 404)

    only_ok = load.run_wrk(tmp_path / "ok.lua", tiny_server, ["/ok"], duration=1,
                           connections=1, threads=1, delay_ms=20)
    assert only_ok["requests"] >= 1
    assert only_ok["non2xx"] == 0


def test_a_case_whose_path_is_not_2xx_is_not_measured(tiny_server):
    class FakeStack:
        def url(self, path):
            return tiny_server + path

    with pytest.raises(load.Non2xx, match="/moved/ → 308"):
        load.check_2xx(FakeStack(), "case", ["/ok", "/moved/"])
    load.check_2xx(FakeStack(), "case", ["/ok"])


def test_make_bench_fails_when_an_issue_20_goal_is_missed():
    """`make bench` exits non-zero when a site-mix phase misses p95 < 300 ms, 0 non-2xx or
    98 % of the asked rate, or a cached page is under 90 % of the static file's rate."""
    mix = {"name": "site mix sustained 140 req/s", "target_rps": 140, "rps": 139.0,
           "p95": 120.0, "non2xx": 0}
    cached = {"name": "home / through nginx (HIT)", "goal": "cached", "rps": 45_500}
    assert load.goals_missed([mix, cached], 50_000) == []
    slow = {**mix, "p95": 300.0}
    short = {**mix, "rps": 137.0}
    failing = {**mix, "non2xx": 1}
    under = {**cached, "rps": 44_000}
    missed = load.goals_missed([slow, short, failing, under], 50_000)
    assert len(missed) == 4, missed
    assert load.goals_missed([cached], None)  # no static figure: not met
