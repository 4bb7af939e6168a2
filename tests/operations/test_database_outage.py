"""The database going away: /readyz answers 503 naming it, pages answer a friendly
Japanese 503 with Retry-After (API: problem+json), and service resumes by itself when
the database is back. The outage is real: the connection is pointed at a closed port."""

import socket

import pytest
from django.db import OperationalError, connection

from operations import views


@pytest.mark.django_db
def test_readyz_names_the_database_when_its_check_fails(client, monkeypatch):
    def database_down():
        raise OperationalError("connection refused")

    monkeypatch.setitem(views.READINESS_CHECKS, "database", database_down)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["cache"] == "ok"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def outage(settings):
    """Switch the database off (for this process) and on again."""
    settings.DEBUG = False
    original = dict(connection.settings_dict)

    def down():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))

    def up():
        connection.settings_dict.update(HOST=original["HOST"], PORT=original["PORT"])

    yield down, up
    up()
    connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="an outage of a database server (PostgreSQL only)")
@pytest.mark.django_db(transaction=True)
def test_pages_answer_a_friendly_503_and_service_resumes(client, outage):
    down, up = outage
    client.raise_request_exception = False
    assert client.get("/events/").status_code == 200

    down()
    page = client.get("/events/")
    assert page.status_code == 503
    assert page["Content-Type"].startswith("text/html")
    assert page["Retry-After"] == "30"
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert '<html lang="ja">' in html
    assert "ただいまご利用いただけません" in html
    assert "しばらく" in html or "分後にもう一度" in html
    assert "Traceback" not in html and "OperationalError" not in html

    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready["Content-Type"] == "application/json"
    assert "database" in ready.json()["failing"]

    api = client.get("/api/v1/events")
    assert api.status_code == 503
    assert api["Content-Type"].startswith("application/problem+json")
    assert api.json()["code"] == "service_unavailable"
    assert api["Retry-After"] == "30"

    up()  # the database is back: no restart, the next request connects again
    assert client.get("/events/").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/events").status_code == 200
