"""X-Request-ID on every response, and JSON log lines that carry it."""

import io
import json
import logging
import re

import pytest
from django.conf import settings

from operations.logging import JsonFormatter, RequestIdFilter, TextFormatter

pytestmark = pytest.mark.django_db

HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def json_lines():
    """The JSON lines written by the loggers the site uses, while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("portal.access"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert HEX32.match(first) and HEX32.match(second)
    assert first != second


def test_a_safe_incoming_request_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2026_0001")
    assert response["X-Request-ID"] == "lb-7f3a.2026_0001"


@pytest.mark.parametrize("incoming", [
    "<script>alert(1)</script>", "short", "x" * 65, "abc def ghi", "id\r\nSet-Cookie: a=b",
    "日本語のリクエストID",
])
def test_an_unsafe_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert HEX32.match(response["X-Request-ID"])


def test_the_access_log_line_is_json_with_the_request_id(client, json_lines):
    response = client.get("/healthz")
    lines = [line for line in json_lines() if line["logger"] == "portal.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "INFO"
    assert line["status"] == 200
    assert line["route"] == "healthz"
    assert line["ip"] == "127.0.0.1"
    assert line["time"].endswith("Z")
    assert isinstance(line["duration_ms"], float)


def test_other_loggers_get_the_request_id_too(client, json_lines):
    response = client.get("/no-such-page-for-the-log/", HTTP_X_REQUEST_ID="trace-0123456789")
    assert response.status_code == 404
    warnings = [line for line in json_lines() if line["logger"] == "django.request"]
    assert warnings and warnings[0]["request_id"] == "trace-0123456789"


def test_the_access_log_never_holds_the_path_or_query(client, json_lines):
    client.get("/accounts/signup/confirm/SECRET-LINK-TOKEN-123/?next=/private-query/")
    text = json.dumps([line for line in json_lines() if line["logger"] == "portal.access"])
    assert "signup/confirm" in text  # the route, with <str:token> in place of the token
    assert "SECRET-LINK-TOKEN-123" not in text
    assert "private-query" not in text


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "-"
    assert line["message"] == "hello world"
    assert "ip" not in line


def test_exceptions_and_extra_fields_are_written():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    record.generation = "20260101T000000Z"
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in line["exception"]
    assert line["generation"] == "20260101T000000Z"


def test_logging_settings_use_the_filter_and_the_json_formatter():
    console = settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["request_id"]
    assert console["formatter"] in ("json", "text")
    assert settings.LOGGING["formatters"]["json"]["()"] == "operations.logging.JsonFormatter"
    assert "metrics" in settings.LOGGING["root"]["handlers"]
    # Not DEBUG in tests: JSON unless LOG_FORMAT says otherwise.
    assert console["formatter"] == ("text" if settings.LOG_FORMAT == "text" else "json")


def test_text_format_for_development():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "careful", (), None)
    RequestIdFilter().filter(record)
    assert "WARNING [-] x: careful" in TextFormatter().format(record)


# --- the client address behind a trusted proxy ------------------------------------------------


def test_behind_a_trusted_proxy_the_client_address_is_used(client, settings):
    from operations.models import AuditEvent
    from tests.factories import UserFactory

    settings.TRUSTED_PROXY_IPS = ["127.0.0.1", "::1"]
    user = UserFactory(groups=["事務局"])
    client.post("/admin/login/", {"username": user.email, "password": "correct-horse-battery"},
                HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert AuditEvent.objects.get(action="login").ip_address == "198.51.100.23"


def test_without_trusted_proxies_the_header_is_ignored(client, settings):
    from operations.models import AuditEvent
    from tests.factories import UserFactory

    settings.TRUSTED_PROXY_IPS = []
    user = UserFactory(groups=["事務局"])
    client.post("/admin/login/", {"username": user.email, "password": "correct-horse-battery"},
                HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert AuditEvent.objects.get(action="login").ip_address == "127.0.0.1"


@pytest.mark.parametrize(("remote", "header", "expected"), [
    ("127.0.0.1", "198.51.100.23", "198.51.100.23"),
    ("127.0.0.1", "203.0.113.66, 198.51.100.23", "198.51.100.23"),  # left part: client-written
    ("127.0.0.1", "198.51.100.23, 127.0.0.1", "198.51.100.23"),  # through two local proxies
    ("203.0.113.9", "198.51.100.23", None),  # not from a trusted proxy
    ("127.0.0.1", "not-an-ip", None),
    ("127.0.0.1", "", None),
])
def test_forwarded_client(remote, header, expected):
    from operations.context import forwarded_client

    assert forwarded_client(remote, header, ["127.0.0.1", "::1"]) == expected


def test_metrics_through_a_trusted_proxy_still_need_the_token(client, settings):
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1"]
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "198.51.100.0/24"]
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.23").status_code == 403
