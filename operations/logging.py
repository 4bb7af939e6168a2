"""Structured logs: one JSON object per line, each carrying the request id.

Used by LOGGING in config/settings/base.py:

- ``RequestIdFilter`` puts ``request_id`` (and the client ``ip``) of the request
  being served on every record ("-" outside a request: commands, tasks);
- ``JsonFormatter`` writes the record as one line of JSON (UTC time, level,
  logger, message, request_id, exception text, and any ``extra=`` fields);
- ``MetricsHandler`` counts records at warning level and above in the
  Prometheus metrics (``portal_log_records_total``), so a burst of errors can
  raise an alert without reading the logs.
"""

import datetime
import json
import logging

from operations import context

# Attributes every LogRecord has; anything else came from `extra=` and is written out,
# except the request object Django's loggers attach (its repr holds the query string).
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "request_id", "ip", "taskName", "request", "server_time",
}


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        current = context.current()
        # django.request logs a 4xx/5xx after the middleware chain has returned: its
        # record carries the request, which carries the id.
        request = getattr(record, "request", None)
        request_id = getattr(request, "request_id", None)
        if not hasattr(record, "request_id"):
            record.request_id = request_id or (current.request_id if current else "-")
        if not hasattr(record, "ip"):
            ip = context.client_ip(request) if request_id else None
            record.ip = ip or (current.ip if current else None) or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        ip = getattr(record, "ip", "-")
        if ip != "-":
            entry["ip"] = ip
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_") and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable console lines for development (LOG_FORMAT=text, the default with DEBUG)."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return super().format(record)


class MetricsHandler(logging.Handler):
    def __init__(self, level=logging.WARNING):
        super().__init__(level)

    def emit(self, record):
        try:
            from operations.metrics import record_log

            record_log(record.levelname)
        except Exception:  # noqa: BLE001, S110 - counting must never break logging
            pass
