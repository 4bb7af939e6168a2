"""Prometheus metrics in the text exposition format 0.0.4, written by hand.

Where the numbers live
----------------------
Counters and the latency histogram are kept in **Django's default cache**
(``cache.incr``), not in process memory. Every gunicorn worker, and every app
node sharing the cache (Redis in production), adds to the same keys, so any
worker can answer a scrape with the site-wide totals and a worker restart does
not reset them. With the local-memory cache (the embedded default, one
process) the numbers are that process's own; a cache flush or eviction resets
them, which Prometheus treats as an ordinary counter reset.

The label sets are fixed (methods, status classes, buckets, outcomes, levels,
audit actions), so the number of keys is bounded and a scrape reads them all
with one ``get_many``. Recording never raises: a cache outage must not fail a
request; it is counted in ``portal_metrics_cache_errors`` (per process).

Gauges (task queue, failed tasks, backups) are read when scraped.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

KEY_PREFIX = "portal-metrics:v1:"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
# Seconds; the last bucket (+Inf) is implied.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Web Push delivery outcomes (the push sender calls record_push_result):
# sent = accepted by the push service; expired = 404/410, the subscription is gone;
# failed = any other error (network, 4xx/5xx from the push service).
PUSH_OUTCOMES = ("sent", "expired", "failed")
LOG_LEVELS = ("warning", "error", "critical")

_process_state = {"cache_errors": 0}


# --- recording ------------------------------------------------------------------------------


def _key(*parts: str) -> str:
    return KEY_PREFIX + ":".join(parts)


def _incr(key: str, delta: int = 1) -> None:
    try:
        try:
            cache.incr(key, delta)
        except ValueError:  # not there yet (first use, or evicted)
            if not cache.add(key, delta, timeout=None):
                cache.incr(key, delta)  # another worker created it meanwhile
    except Exception:  # noqa: BLE001 - a metric must never fail the request
        _process_state["cache_errors"] += 1


def _method_label(method: str) -> str:
    method = (method or "").upper()
    return method if method in METHODS else "other"


def _status_class(status: int) -> str:
    label = f"{int(status) // 100}xx"
    return label if label in STATUS_CLASSES else "5xx"


def _bucket_index(seconds: float) -> int:
    for index, upper in enumerate(LATENCY_BUCKETS):
        if seconds <= upper:
            return index
    return len(LATENCY_BUCKETS)  # +Inf


def record_request(method: str, status: int, seconds: float) -> None:
    """One answered request: counted by method and status class, timed in the histogram."""
    _incr(_key("requests", _method_label(method), _status_class(status)))
    _incr(_key("latency", "bucket", str(_bucket_index(max(seconds, 0.0)))))
    _incr(_key("latency", "sum_us"), max(int(seconds * 1_000_000), 0))


def record_push_result(outcome: str) -> None:
    """One Web Push delivery attempt; `outcome` is one of PUSH_OUTCOMES."""
    if outcome not in PUSH_OUTCOMES:
        raise ValueError(f"unknown push outcome {outcome!r}; expected one of {PUSH_OUTCOMES}")
    _incr(_key("push", outcome))


def record_log(levelname: str) -> None:
    level = (levelname or "").lower()
    if level in LOG_LEVELS:
        _incr(_key("log", level))


def record_audit_event(action: str) -> None:
    _incr(_key("audit", action))


# --- exposition -----------------------------------------------------------------------------


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items())
    return "{" + inner + "}"


def _number(value: float | int) -> str:
    if isinstance(value, float):
        if value == float("inf"):
            return "+Inf"
        return repr(value)
    return str(int(value))


class Exposition:
    def __init__(self):
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, value: float | int, **labels: str) -> None:
        self.lines.append(f"{name}{_labels(labels)} {_number(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _audit_actions() -> list[str]:
    from operations.models import AuditEvent

    return list(AuditEvent.Action.values)


def _counter_values() -> dict[str, int]:
    keys = [_key("requests", m, s) for m in METHODS for s in STATUS_CLASSES]
    keys += [_key("latency", "bucket", str(i)) for i in range(len(LATENCY_BUCKETS) + 1)]
    keys += [_key("latency", "sum_us")]
    keys += [_key("push", outcome) for outcome in PUSH_OUTCOMES]
    keys += [_key("log", level) for level in LOG_LEVELS]
    keys += [_key("audit", action) for action in _audit_actions()]
    try:
        found = cache.get_many(keys)
    except Exception:  # noqa: BLE001 - scrape what we can
        _process_state["cache_errors"] += 1
        found = {}
    return {key: int(found.get(key) or 0) for key in keys}


def _queue_gauges() -> tuple[int, int]:
    from django_q.brokers import get_broker
    from django_q.models import Failure

    return int(get_broker().queue_size() or 0), Failure.objects.count()


def render() -> str:
    """The whole exposition, as served at /metrics."""
    from operations import backup

    values = _counter_values()
    out = Exposition()

    out.family("portal_http_requests_total", "counter",
               "HTTP requests answered, by method and status class.")
    for method in METHODS:
        for status_class in STATUS_CLASSES:
            out.sample("portal_http_requests_total", values[_key("requests", method, status_class)],
                       method=method, status_class=status_class)

    out.family("portal_http_server_errors_total", "counter",
               "HTTP requests answered with a 5xx status.")
    out.sample("portal_http_server_errors_total",
               sum(values[_key("requests", m, "5xx")] for m in METHODS))

    out.family("portal_http_request_duration_seconds", "histogram",
               "Time from the first middleware to the response, in seconds.")
    cumulative = 0
    for index, upper in enumerate((*LATENCY_BUCKETS, float("inf"))):
        cumulative += values[_key("latency", "bucket", str(index))]
        le = "+Inf" if upper == float("inf") else repr(upper)
        out.sample("portal_http_request_duration_seconds_bucket", cumulative, le=le)
    out.sample("portal_http_request_duration_seconds_sum",
               values[_key("latency", "sum_us")] / 1_000_000)
    out.sample("portal_http_request_duration_seconds_count", cumulative)

    out.family("portal_push_results_total", "counter",
               "Web Push delivery attempts by outcome (sent, expired, failed).")
    for outcome in PUSH_OUTCOMES:
        out.sample("portal_push_results_total", values[_key("push", outcome)], outcome=outcome)

    out.family("portal_log_records_total", "counter",
               "Log records at warning level or above, by level.")
    for level in LOG_LEVELS:
        out.sample("portal_log_records_total", values[_key("log", level)], level=level)

    out.family("portal_audit_events_total", "counter", "Audit log events written, by action.")
    for action in _audit_actions():
        out.sample("portal_audit_events_total", values[_key("audit", action)], action=action)

    parts_ok: dict[str, int] = {}
    try:
        queued, failed = _queue_gauges()
    except Exception:  # noqa: BLE001 - one broken part must not hide the others
        logger.warning("metrics: the task queue could not be read", exc_info=True)
        parts_ok["queue"] = 0
    else:
        parts_ok["queue"] = 1
        out.family("portal_tasks_queued", "gauge", "django-q2 tasks waiting in the queue.")
        out.sample("portal_tasks_queued", queued)
        out.family("portal_tasks_failed", "gauge",
                   "django-q2 failed tasks kept in the database (Failure records).")
        out.sample("portal_tasks_failed", failed)

    try:
        generations = backup.backup_generations()
    except Exception:  # noqa: BLE001
        logger.warning("metrics: the backup directory could not be read", exc_info=True)
        parts_ok["backup"] = 0
    else:
        parts_ok["backup"] = 1
        out.family("portal_backup_count", "gauge", "Complete backup generations kept.")
        out.sample("portal_backup_count", len(generations))
        if generations:
            newest = generations[-1]
            out.family("portal_backup_age_seconds", "gauge",
                       "Seconds since the newest backup generation was taken.")
            out.sample("portal_backup_age_seconds",
                       round(max(time.time() - newest.created_at.timestamp(), 0.0), 3))
            out.family("portal_backup_last_size_bytes", "gauge",
                       "Size of the newest backup generation in bytes.")
            out.sample("portal_backup_last_size_bytes", newest.size)

    out.family("portal_scrape_part_ok", "gauge",
               "1 when a part of this scrape was read, 0 when it failed.")
    for part, ok in parts_ok.items():
        out.sample("portal_scrape_part_ok", ok, part=part)

    out.family("portal_metrics_cache_errors", "gauge",
               "Cache errors met while recording metrics in this process.")
    out.sample("portal_metrics_cache_errors", _process_state["cache_errors"])
    return out.text()
