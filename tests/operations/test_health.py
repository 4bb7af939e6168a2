import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_every_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": "ok", "cache": "ok", "migrations": "ok"}


def test_readyz_names_the_failing_part(client, monkeypatch):
    from operations import views

    def broken_cache():
        raise ConnectionError("cache down")

    monkeypatch.setitem(views.READINESS_CHECKS, "cache", broken_cache)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_readyz_detects_unapplied_migrations(client):
    recorder = MigrationRecorder(connection)
    recorder.migration_qs.filter(app="shops").latest("id").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "migrations" in response.json()["failing"]


def test_probes_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
