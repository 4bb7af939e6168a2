"""Every security header, on a page, a JSON (API-style) response and an error page,
with the production settings' values; the CSP nonce; documents; deploy check."""

import importlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from config.security import FILE_POLICY, public_policy, tile_source

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_SECURITY_SETTINGS = [
    "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "X_FRAME_OPTIONS", "LANGUAGE_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE",
]


@pytest.fixture
def production_security(monkeypatch):
    """The security settings exactly as config.settings.production computes them."""
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(60))
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/1")  # production needs a shared cache
    base = sys.modules.pop("config.settings.base")  # read again with REDIS_URL
    sys.modules.pop("config.settings.production", None)
    try:
        production = importlib.import_module("config.settings.production")
    finally:
        sys.modules["config.settings.base"] = base
    values = {name: getattr(production, name) for name in PRODUCTION_SECURITY_SETTINGS}
    sys.modules.pop("config.settings.production", None)
    with override_settings(**values):
        yield values


def _assert_security_headers(response, *, html=True):
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=(self)" in headers["Permissions-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    csp = headers["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in csp.split(";"))
    )
    assert directives["default-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{20,}'", directives["script-src"])
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["img-src"].startswith("'self' data:")
    assert "https://cyberjapandata.gsi.go.jp" in directives["img-src"]
    assert "openstreetmap" not in directives["img-src"]
    return directives


def test_every_security_header_on_a_page(client, masters, production_security):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    directives = _assert_security_headers(response)
    nonce = directives["script-src"].split("'nonce-")[1].rstrip("'")
    # Every inline <script> on the page carries the nonce; JSON blocks are data, not code.
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        kind = re.search(r'type="([^"]+)"', tag)
        if "src=" in tag or (kind and kind.group(1) not in ("text/javascript", "module")):
            continue  # files come from 'self'; JSON / JSON-LD blocks are data, not code
        assert f'nonce="{nonce}"' in tag, tag


def test_every_security_header_on_json_responses(client, masters, production_security):
    for url, status, content_type in (
        ("/healthz", 200, "application/json"),
        ("/readyz", 200, "application/json"),
        ("/api/v1/shops", 200, "application/json"),
        ("/api/v1/no-such-endpoint", 404, "application/problem+json"),
    ):
        response = client.get(url, secure=True)
        assert response.status_code == status, (url, response.status_code)
        assert response["Content-Type"].split(";")[0] == content_type, url
        _assert_security_headers(response, html=False)


def test_every_security_header_on_an_error_page(client, masters, production_security):
    response = client.get("/no-such-page-here/", secure=True)
    assert response.status_code == 404
    _assert_security_headers(response)


def test_plain_http_is_redirected_to_https(client, production_security):
    response = client.get("/healthz")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_cookies_are_secure_httponly_samesite_lax(client, masters, production_security):
    from tests.factories import UserFactory

    user = UserFactory(email="cookie@example.jp")
    response = client.post("/admin/login/", {"username": user.email,
                                             "password": "correct-horse-battery"}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.get("/admin/login/", secure=True).cookies.get("csrftoken")
    if csrf is not None:
        assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_nonce_differs_per_request(client):
    first = client.get("/healthz")["Content-Security-Policy"]
    second = client.get("/healthz")["Content-Security-Policy"]
    assert first != second


def test_admin_has_its_own_scoped_policy(client):
    csp = client.get("/admin/login/")["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp  # the preview iframe
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp


def test_a_response_can_allow_analytics_hosts():
    from django.test import RequestFactory

    from config.security import ANALYTICS_SOURCES, csp_sources_add

    request = RequestFactory().get("/")
    for directive, sources in ANALYTICS_SOURCES.items():
        csp_sources_add(request, directive, sources)
    policy = public_policy("n", request.csp_extra)
    assert "script-src 'self' 'nonce-n' https://*.googletagmanager.com;" in policy
    assert "connect-src 'self' https://*.google-analytics.com" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]


def test_tile_host_in_img_src():
    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org")
    assert tile_source("") is None
    assert tile_source("/tiles/{z}/{x}/{y}.png") is None
    with override_settings(PORTAL={"MAP_TILE_URL": "https://tiles.example.jp/{z}/{x}/{y}.png"}):
        assert "img-src 'self' data: https://tiles.example.jp;" in public_policy("n")


def test_documents_are_attachments_with_a_sandbox_policy(client, settings, tmp_path):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    document = Document(title="notice")
    document.file.save("notice.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == FILE_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_argon2_is_the_password_hasher(settings):
    from django.contrib.auth.hashers import make_password

    hashers = settings.PASSWORD_HASHERS
    with override_settings(PASSWORD_HASHERS=importlib.import_module(
            "config.settings.base").PASSWORD_HASHERS):
        assert make_password("correct-horse-battery").startswith("argon2$argon2id$")
    assert hashers  # test settings keep a fast hasher


def test_check_deploy_is_clean_under_production_settings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "passport.example.jp",
           "REDIS_URL": "redis://127.0.0.1:6379/1"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
