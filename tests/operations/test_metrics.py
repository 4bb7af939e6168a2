"""/metrics: who may scrape it, and what it says (Prometheus text format 0.0.4)."""

import datetime
import json
import re

import pytest
from django.test import RequestFactory
from django.utils import timezone

from operations import metrics
from operations.backup import FORMAT_VERSION
from operations.middleware import RequestIdMiddleware

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"
SAMPLE = re.compile(
    r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?P<labels>\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (?P<value>[-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|Inf|NaN))$'
)


def parse(text):
    """{(name, frozenset(labels)): value}, checking every line on the way."""
    samples, typed = {}, set()
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in {"counter", "gauge", "histogram"}
            typed.add(name)
            continue
        match = SAMPLE.match(line)
        assert match, f"not a valid sample line: {line!r}"
        name = match["name"]
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or family in typed, f"{name} has no # TYPE"
        labels = frozenset(re.findall(r'([a-zA-Z_]+)="([^"]*)"', match["labels"] or ""))
        samples[(name, labels)] = float(match["value"].replace("Inf", "inf"))
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(response.content.decode())


# --- access ------------------------------------------------------------------------------------


def test_allowed_from_localhost_by_default(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1


def test_refused_from_another_address_without_a_token(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert b"portal_" not in response.content


def test_refused_through_a_proxy_even_from_localhost(client):
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert client.get("/metrics", HTTP_FORWARDED="for=203.0.113.9").status_code == 403


def test_allow_list_takes_networks(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "not-an-address"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics").status_code == 403  # 127.0.0.1 no longer listed


def test_bearer_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                      HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    for header in (f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN):
        assert client.get("/metrics", HTTP_AUTHORIZATION=header).status_code == 403


def test_a_wrong_token_is_refused_even_from_an_allowed_address(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403


def test_no_token_configured_refuses_any_bearer(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 403


def test_only_get(client):
    assert client.post("/metrics").status_code == 405


# --- content ----------------------------------------------------------------------------------


def test_requests_are_counted_and_timed(client):
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/no-such-page-for-metrics/")
    client.post("/healthz")  # 405
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    # 3 × /healthz and the first scrape itself
    assert delta("portal_http_requests_total", method="GET", status_class="2xx") >= 4
    assert delta("portal_http_requests_total", method="GET", status_class="4xx") >= 1
    assert delta("portal_http_requests_total", method="POST", status_class="4xx") >= 1
    assert delta("portal_http_request_duration_seconds_count") >= 6
    assert delta("portal_http_request_duration_seconds_sum") > 0
    buckets = sorted(
        (float(dict(labels)["le"].replace("+Inf", "inf")), count)
        for (name, labels), count in after.items()
        if name == "portal_http_request_duration_seconds_bucket"
    )
    assert [le for le, _ in buckets][-1] == float("inf")
    counts = [count for _, count in buckets]
    assert counts == sorted(counts)  # cumulative
    assert counts[-1] == value(after, "portal_http_request_duration_seconds_count")


def test_server_errors_are_counted(client):
    before = scrape(client)
    middleware = RequestIdMiddleware(lambda request: __import__("django").http.HttpResponse(
        status=503))
    middleware(RequestFactory().get("/broken"))
    after = scrape(client)
    assert value(after, "portal_http_server_errors_total") - value(
        before, "portal_http_server_errors_total") == 1
    assert value(after, "portal_http_requests_total", method="GET", status_class="5xx") - value(
        before, "portal_http_requests_total", method="GET", status_class="5xx") == 1


def test_unusual_methods_do_not_make_new_labels():
    metrics.record_request("BREW", 418, 0.01)
    text = metrics.render()
    assert 'method="BREW"' not in text


def test_push_results_start_at_zero_and_count(client):
    from django.core.cache import cache

    cache.delete_many([metrics._key("push", outcome) for outcome in metrics.PUSH_OUTCOMES])
    samples = scrape(client)
    for outcome in ("sent", "expired", "failed"):
        assert value(samples, "portal_push_results_total", outcome=outcome) == 0
        assert ("portal_push_results_total", frozenset({("outcome", outcome)})) in samples
    metrics.record_push_result("sent")
    metrics.record_push_result("sent")
    metrics.record_push_result("expired")
    samples = scrape(client)
    assert value(samples, "portal_push_results_total", outcome="sent") == 2
    assert value(samples, "portal_push_results_total", outcome="expired") == 1
    with pytest.raises(ValueError, match="unknown push outcome"):
        metrics.record_push_result("maybe")


def test_queue_depth_and_failed_tasks(client):
    from django_q.conf import Conf
    from django_q.models import OrmQ, Task

    samples = scrape(client)
    assert value(samples, "portal_tasks_queued") == 0
    assert value(samples, "portal_tasks_failed") == 0
    OrmQ.objects.create(key=Conf.CLUSTER_NAME, payload="x", lock=timezone.now()
                        - datetime.timedelta(seconds=5))
    Task.objects.create(id="f" * 32, name="failing", func="operations.tasks.backup_daily",
                        started=timezone.now(), stopped=timezone.now(), success=False)
    samples = scrape(client)
    assert value(samples, "portal_tasks_queued") == 1
    assert value(samples, "portal_tasks_failed") == 1
    assert value(samples, "portal_scrape_part_ok", part="queue") == 1


def test_backup_age_and_count(client, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    samples = scrape(client)
    assert value(samples, "portal_backup_count") == 0
    assert ("portal_backup_age_seconds", frozenset()) not in samples

    for hours, name in ((30, "20260101T000000Z"), (2, "20260102T040000Z")):
        folder = settings.BACKUP_DIR / name
        folder.mkdir(parents=True)
        created = timezone.now() - datetime.timedelta(hours=hours)
        (folder / "manifest.json").write_text(json.dumps({
            "format": FORMAT_VERSION, "created_at": created.isoformat(), "tables": {},
            "files": [{"name": "database.sqlite3", "sha256": "0" * 64, "size": 1000}],
        }))
    samples = scrape(client)
    assert value(samples, "portal_backup_count") == 2
    assert 7190 <= value(samples, "portal_backup_age_seconds") <= 7300
    assert value(samples, "portal_backup_last_size_bytes") == 1000


def test_a_failing_part_does_not_break_the_scrape(client, monkeypatch):
    def broken():
        raise ConnectionError("broker down")

    monkeypatch.setattr(metrics, "_queue_gauges", broken)
    samples = scrape(client)
    assert value(samples, "portal_scrape_part_ok", part="queue") == 0
    assert ("portal_http_requests_total", frozenset(
        {("method", "GET"), ("status_class", "2xx")})) in samples


def test_a_cache_outage_never_fails_a_request(client, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", down)
    monkeypatch.setattr(cache, "add", down)
    assert client.get("/healthz").status_code == 200
    assert metrics._process_state["cache_errors"] > 0


def test_warnings_and_errors_in_the_logs_are_counted(client):
    import logging

    before = scrape(client)
    logging.getLogger("tests.operations").error("something broke")
    after = scrape(client)
    assert value(after, "portal_log_records_total", level="error") - value(
        before, "portal_log_records_total", level="error") == 1


def test_label_values_are_escaped():
    exposition = metrics.Exposition()
    exposition.sample("x", 1, label='a"b\\c\nd')
    assert exposition.text() == 'x{label="a\\"b\\\\c\\nd"} 1\n'
