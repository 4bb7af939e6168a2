"""Maintenance mode: 503 + Retry-After + a Japanese notice; admin and probes stay up."""

import io

import pytest
from django.core.management import call_command

from config import maintenance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _flag_in_tmp(settings, tmp_path):
    settings.MAINTENANCE_FLAG_FILE = tmp_path / "maintenance.on"
    maintenance.forget()
    yield
    maintenance.maintenance_set(False)


def _switch(*args):
    out = io.StringIO()
    call_command("maintenance", *args, stdout=out)
    return out.getvalue()


OPEN_URL = "/i18n/setlang/"  # any public URL that answers without the database


def test_maintenance_on_and_off(client, settings):
    assert client.get(OPEN_URL).status_code == 302
    assert "maintenance: on" in _switch("on", "--retry-after", "1800",
                                        "--message", "終了予定 12:00")
    assert settings.MAINTENANCE_FLAG_FILE.exists()
    response = client.get("/shops/")
    assert response.status_code == 503
    assert response["Retry-After"] == "1800"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "メンテナンス中" in html
    assert "約30分後" in html
    assert "終了予定 12:00" in html
    # Security headers are still there.
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code in (200, 403)  # monitoring keeps scraping
    assert client.get("/admin/login/").status_code == 200

    assert "maintenance: off" in _switch("off")
    assert client.get(OPEN_URL).status_code == 302


def test_cache_flag_alone_closes_the_site(client, settings):
    """Another app node switched it on: only the shared cache says so."""
    from django.core.cache import cache

    cache.set(maintenance.cache_key(), {"retry_after": 600}, None)
    maintenance.forget()
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "600"


def test_setting_switches_it_on(client, settings):
    settings.MAINTENANCE_MODE = True
    response = client.get("/events/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.MAINTENANCE_RETRY_AFTER)
    assert _switch("status").strip() == "maintenance: on"
