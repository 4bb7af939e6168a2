"""The production deployment files are consistent: docker compose (parsed with PyYAML),
the Dockerfile, both nginx configurations (`nginx -t` with a temporary prefix), the
gunicorn settings and the systemd units."""

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
DEPLOY = ROOT / "deploy"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def test_compose_has_the_whole_set(compose):
    services = compose["services"]
    assert {"app", "worker", "db", "redis", "nginx", "migrate"} <= set(services)
    for name in ("app", "worker", "migrate"):
        build = services[name]["build"]
        assert (DOCKER / build["context"] / build["dockerfile"]).resolve() == (
            DOCKER / "Dockerfile").resolve()
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["nginx"]["image"].startswith("nginx:")


def test_compose_environment_and_commands(compose):
    services = compose["services"]
    for name in ("app", "worker", "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["Q_REDIS_URL"].startswith("redis://redis:6379/")
        assert env["REDIS_URL"] != env["Q_REDIS_URL"]  # cache and queue in separate DBs
        assert services[name]["env_file"] == "../.env"  # SECRET_KEY, ALLOWED_HOSTS
    assert "gunicorn -c deploy/gunicorn.conf.py config.wsgi" in services["app"]["command"]
    assert services["app"]["environment"]["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert "qcluster" in services["worker"]["command"]
    assert "migrate" in services["migrate"]["command"]
    assert (ROOT / "deploy" / "gunicorn.conf.py").exists()


def test_compose_healthchecks_and_order(compose):
    services = compose["services"]
    for name in ("app", "worker", "db", "redis", "nginx"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["app"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully")
    assert services["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_compose_volumes(compose):
    services = compose["services"]
    declared = set(compose["volumes"])
    assert {"pgdata", "media"} <= declared
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                assert source in declared, volume
            else:
                assert (DOCKER / source).exists() or source == "./certs", volume
    assert "media:/app/media" in services["app"]["volumes"]
    assert any(v.startswith("media:/srv/media") for v in services["nginx"]["volumes"])
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])


def test_dockerfile_is_consistent():
    text = (DOCKER / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11" in text
    assert "pip install --no-cache-dir -r requirements.lock" in text
    assert (ROOT / "requirements.lock").exists()
    assert "collectstatic --noinput" in text
    assert re.search(r"^USER portal$", text, re.M)  # not root
    assert '"deploy/gunicorn.conf.py"' in text and "HEALTHCHECK" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env"} <= set(ignored)


def _nginx_test(tmp_path, conf_path, substitutions):
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (`make apt`)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    text = conf_path.read_text()
    substitutions = {**substitutions, "/var/cache/nginx/portal": str(tmp_path / "cache"),
                     "listen 80;": "listen 127.0.0.1:18080;",
                     "listen [::]:80;": "", "listen [::]:443 ssl http2;": "",
                     "listen 443 ssl http2;": "listen 127.0.0.1:18443 ssl http2;",
                     "listen 127.0.0.1:8081;": "listen 127.0.0.1:18081;"}
    for old, new in substitutions.items():
        assert old in text, old
        text = text.replace(old, new.format(cert=cert, key=key))
    (tmp_path / "portal.conf").write_text(text)
    (tmp_path / "logs").mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
events {{ }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp_path}/client_body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/portal.conf;
}}
""")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(main)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    return text


def test_host_nginx_config_is_valid(tmp_path):
    text = _nginx_test(tmp_path, DEPLOY / "nginx" / "portal.conf", {
        "/etc/letsencrypt/live/passport.example.jp/fullchain.pem": "{cert}",
        "/etc/letsencrypt/live/passport.example.jp/privkey.pem": "{key}",
    })
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in text


def test_docker_nginx_config_is_valid(tmp_path):
    _nginx_test(tmp_path, DOCKER / "nginx.conf", {
        "/etc/nginx/certs/fullchain.pem": "{cert}",
        "/etc/nginx/certs/privkey.pem": "{key}",
        "server app:8000": "server 127.0.0.1:8000",
    })


@pytest.mark.parametrize("path", [DEPLOY / "nginx" / "portal.conf", DOCKER / "nginx.conf"])
def test_nginx_configs_carry_the_same_protections(path):
    text = path.read_text()
    for directive in [
        "limit_req_zone $binary_remote_addr zone=portal_pages:20m rate=10r/s;",
        "limit_req zone=portal_pages burst=20 nodelay;",
        "limit_req_zone $binary_remote_addr zone=portal_login:10m rate=6r/m;",
        "location = /accounts/login/", "location = /admin/login/",
        "limit_req_status 429;", "proxy_cache_valid 200 301 302 60s;",
        "proxy_cache_bypass $portal_has_session $portal_private_path;",
        "proxy_no_cache $portal_has_session $portal_private_path;",
        '"~*(^|;\\s*)sessionid=" 1;', "~^/admin/ 1;", "~^/accounts/ 1;", "~^/card 1;",
        "proxy_next_upstream error timeout http_502",
        "ssl_protocols TLSv1.2 TLSv1.3;", "gzip on;",
        """add_header Content-Security-Policy "default-src 'none'; sandbox" always;""",
        "proxy_cache_bypass 1;", "server_tokens off;",
    ]:
        assert directive in text, (path.name, directive)


@pytest.mark.parametrize("path", [DEPLOY / "nginx" / "portal.conf", DOCKER / "nginx.conf"])
def test_page_cache_and_refresh_listener_share_one_key_and_ignore_vary(path):
    """The refresh on publish must store the page under the key visitors read, and
    Django's "Vary: Cookie" must not split the anonymous cache per visitor cookie."""
    text = path.read_text()
    public_key = 'proxy_cache_key "$host$request_uri$cookie_django_language";'
    assert text.count(public_key) == 2, path.name  # the public location and the refresh one
    assert text.count("proxy_ignore_headers Vary;") == 2, path.name


def test_gunicorn_config_loads():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--print-config",
         "config.wsgi"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^bind\s+=\s+\['127.0.0.1:8000'\]", result.stdout, re.M)
    workers = int(re.search(r"^workers\s+=\s+(\d+)", result.stdout, re.M).group(1))
    import multiprocessing

    assert workers == 2 * multiprocessing.cpu_count() + 1


@pytest.mark.parametrize("unit, command", [
    ("portal.service", "gunicorn -c deploy/gunicorn.conf.py config.wsgi"),
    ("portal-worker.service", "manage.py qcluster"),
])
def test_systemd_units(unit, command):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / unit)
    service = parser["Service"]
    assert command in service["ExecStart"]
    assert service["User"] == "portal"
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/portal/portal.env"
    assert service["NoNewPrivileges"] == "true" and service["ProtectSystem"] == "strict"
    assert parser["Install"]["WantedBy"] == "multi-user.target"
    if shutil.which("systemd-analyze"):
        # Parse only: the paths of the host layout do not exist here.
        result = subprocess.run(["systemd-analyze", "verify", str(DEPLOY / "systemd" / unit)],
                                capture_output=True, text=True, timeout=60)
        assert "Unknown key" not in result.stderr and "Unknown section" not in result.stderr


def test_frontend_cache_backend_sends_a_get_per_language_with_the_public_host(monkeypatch):
    """One GET per language copy nginx keeps (none: Japanese; the language cookie for
    the others). The real nginx round trip is in tests/operations/test_scaleout.py."""
    from config import frontend_cache

    seen = []

    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def read(self):
            return b""

    def fake_urlopen(request, timeout):
        seen.append({"url": request.full_url, "method": request.get_method(),
                     "host": request.get_header("Host"),
                     "cookie": request.get_header("Cookie")})
        return Response()

    monkeypatch.setattr(frontend_cache, "urlopen", fake_urlopen)
    backend = frontend_cache.NginxRefreshBackend({"LOCATION": "http://127.0.0.1:8081"})
    backend.purge("https://passport.example.jp/news/?page=2")
    request = {"url": "http://127.0.0.1:8081/news/?page=2", "method": "GET",
               "host": "passport.example.jp"}
    assert seen == [{**request, "cookie": None},
                    {**request, "cookie": "django_language=en"}]


def test_the_optional_brotli_snippet_exists_and_matches_gzip():
    """portal.conf points to deploy/nginx/brotli.conf: it exists and only sets brotli
    directives, compressing the same types as gzip (Debian's nginx needs the module
    packages for it, so it is not included by default)."""
    portal = (DEPLOY / "nginx" / "portal.conf").read_text()
    assert "deploy/nginx/brotli.conf" in portal
    snippet = (DEPLOY / "nginx" / "brotli.conf").read_text()
    directives = [line.strip() for line in snippet.splitlines()
                  if line.strip() and not line.strip().startswith("#")]
    names = [line.split()[0] for line in directives if not line.startswith(("application/",))]
    assert names and all(name.startswith("brotli") for name in names)
    assert "include" not in names

    def types(text, directive):
        match = re.search(directive + r"\s+([^;]+);", text)
        return set(match.group(1).split())

    assert types(snippet, "brotli_types") == types(portal, "gzip_types")
