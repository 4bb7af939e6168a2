"""The production shape on 127.0.0.1, started and torn down by one Python object:
PostgreSQL (the running server; a scratch database), Redis (its own redis-server on a
free port, nothing saved), N gunicorn instances on their own ports, one django-q2
cluster on Redis, and nginx balancing the instances with the shipped
deploy/nginx/portal.conf (its upstreams, ports and paths substituted, see
render_nginx_conf; in a temp directory, `nginx -p <tmp> -c <conf>`, not a daemon).

Used by tests/operations/test_scaleout.py (`make scaleout`) and benchmarks/load.py
(`make bench`). Everything started here is stopped by ``stop()`` (also on errors: use
it as a context manager), by process group id, and the scratch database is dropped
unless ``keep_db`` is set.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("PYTHON", str(ROOT / ".venv" / "bin" / "python"))
PG = {"host": os.environ.get("PGHOST", "127.0.0.1"), "port": os.environ.get("PGPORT", "5432"),
      "user": os.environ.get("PGUSER", "postgres")}
SECRET_KEY = "scaleout-" + "x" * 60  # a local test stack only  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, *, timeout: float = 60, expect=(200,)) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                if response.status in expect:
                    return
        except Exception as error:  # noqa: BLE001 - still starting
            last = error
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s ({last})")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer of its own here, not followed


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url, headers=None):
    """One GET without following redirects: (status, headers, body)."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - localhost
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def psql(*args: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", db,
         "-v", "ON_ERROR_STOP=1", "-qAt", *args],
        check=True, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    ).stdout


SHIPPED_NGINX = ROOT / "deploy" / "nginx" / "portal.conf"

# The http-context frame around the shipped site file: what /etc/nginx/nginx.conf
# gives it on a host, with this stack's temp directory.
NGINX_FRAME = """
worker_processes {nginx_workers};
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    keepalive_requests 100000;

    # ---- deploy/nginx/portal.conf, with this stack's upstreams, ports and paths ----
{site}
}}
"""

# Benchmarks only, NOT the shipped configuration (inserted when bench=True).
BENCH_LOCATIONS = """
    # The physical limit: the same bytes as a static file.
    location /__static_copy/ {{
        alias {tmp}/static_copy/;
        default_type text/html;
    }}
    # What the cache gives once public pages stop setting cookies (here the
    # Set-Cookie is dropped instead).
    location /__whatif/ {{
        rewrite ^/__whatif(/.*)$ $1 break;
        proxy_pass http://portal_app;
        proxy_cache portal_cache;
        proxy_cache_key "whatif$host$request_uri";
        proxy_cache_valid 200 60s;
        proxy_ignore_headers Set-Cookie;
        proxy_hide_header Set-Cookie;
        add_header X-Cache-Status $upstream_cache_status always;
    }}
"""


def _sub(text: str, pattern: str, replacement: str, *, count: int = 1, flags=re.M) -> str:
    """re.sub that fails when the shipped file no longer has what is substituted."""
    new, found = re.subn(pattern, lambda _m: replacement, text, flags=flags)
    if found != count:
        raise ValueError(f"deploy/nginx/portal.conf: expected {count} × {pattern!r}, "
                         f"found {found}; update benchmarks/stack.py")
    return new


def render_nginx_conf(*, tmp: Path, port: int, app_ports: list[int], redirect_port: int,
                      refresh_port: int, nginx_workers: int = 1, page_limits: bool = True,
                      bench: bool = False, extra_cache: str = "", workers_per_instance: int = 5,
                      shipped: Path = SHIPPED_NGINX) -> str:
    """deploy/nginx/portal.conf as this stack runs it: only the upstream servers, the
    listen ports (plain HTTP on 127.0.0.1, so no TLS lines), the paths on disk and,
    when asked, the page limits change; the login limits, the cache rules, the maps
    and the locations are the shipped ones.

    page_limits=False lifts the per-IP page rate and connection limits (every request
    here comes from 127.0.0.1: load generators and the restart test's traffic would
    otherwise measure the limit); the login forms keep their shipped limit.
    bench=True adds the benchmark-only locations and the X-Bench-Nocache bypass.
    """
    site = shipped.read_text()
    # The shipped queue bounds are for 5 workers an instance; here they follow the
    # stack's workers the same way (anonymous: 2 × workers, private: workers + 1).
    anonymous, private = 2 * workers_per_instance, workers_per_instance + 1
    for shipped_conns, conns in (("10", anonymous), ("6", private)):
        servers = "\n".join(
            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s max_conns={conns};"
            for p in app_ports)
        site = _sub(site, rf"^\s*server 127\.0\.0\.1:8000 [^;]*max_conns={shipped_conns};$",
                    servers)
    site = _sub(site, r"^\s*listen \[::\]:\d+[^;]*;\n", "", count=2)
    site = _sub(site, r"^(\s*)listen 80;$", f"    listen 127.0.0.1:{redirect_port};")
    site = _sub(site, r"^(\s*)listen 443 ssl http2;$", f"    listen 127.0.0.1:{port};")
    site = _sub(site, r"^(\s*)listen 127\.0\.0\.1:8081;$", f"    listen 127.0.0.1:{refresh_port};")
    site = re.sub(r"^\s*ssl_[a-z_]+ [^;]*;\n", "", site, flags=re.M)  # no TLS here
    site = _sub(site, r"/var/cache/nginx/portal", f"{tmp}/cache")
    site = _sub(site, r"/srv/portal/", f"{tmp}/srv/", count=2)
    site = _sub(site, r"/var/www/letsencrypt", f"{tmp}/letsencrypt")
    site = _sub(site, r"/var/log/nginx/portal-counts\.log", f"{tmp}/portal-counts.log")
    if not page_limits:
        # Not just a higher rate: nginx meters per millisecond, and 32 connections
        # answered from the cache in microseconds overrun any burst allowance.
        site = _sub(site, r"^\s*limit_req zone=portal_pages burst=20 nodelay;\n", "")
        site = _sub(site, r"limit_conn portal_conn 30;", "limit_conn portal_conn 60000;")
    if bench:
        site = _sub(site, r"proxy_cache_bypass \$portal_has_session \$portal_private_path;",
                    "proxy_cache_bypass $portal_has_session $portal_private_path "
                    "$http_x_bench_nocache;")
        site = _sub(site, r"proxy_no_cache \$portal_has_session \$portal_private_path;",
                    "proxy_no_cache $portal_has_session $portal_private_path "
                    "$http_x_bench_nocache;")
        site = _sub(site, r"^(\s*)# --- everything else: the app",
                    BENCH_LOCATIONS.format(tmp=tmp) + "\n    # --- everything else: the app")
    if extra_cache:
        site = _sub(site, r"^(\s*)proxy_cache_lock on;$",
                    f"        proxy_cache_lock on;\n        {extra_cache}")
    if "ssl" in re.sub(r"#[^\n]*", "", site):
        raise ValueError("TLS directives left in the stack's nginx configuration")
    return NGINX_FRAME.format(tmp=tmp, nginx_workers=nginx_workers,
                              site=textwrap.indent(site, "    "))


@dataclass
class Stack:
    db_name: str = ""
    app_instances: int = 2
    workers_per_instance: int = 2
    keep_db: bool = False
    create_db: bool = True
    with_worker: bool = True
    nginx_workers: int = 1
    # Extra nginx directives inside the cached location (benchmarks only).
    extra_cache: str = ""
    # False lifts the per-IP page limits (see render_nginx_conf); login limits stay.
    page_limits: bool = True
    # True adds the benchmark-only nginx locations (/__static_copy/, /__whatif/).
    bench: bool = False
    env_extra: dict = field(default_factory=dict)
    log: bool = True
    # CPUs the gunicorn instances are pinned to (taskset -c, e.g. "0"): the app on one
    # core while nginx, PostgreSQL, Redis and the load generator use the others.
    app_cpus: str = ""

    def __post_init__(self):
        self.db_name = self.db_name or f"portal_scaleout_{os.getpid()}"
        self.tmp = Path(tempfile.mkdtemp(prefix="portal-stack-"))
        self.procs: dict[str, subprocess.Popen] = {}
        self.app_ports = [free_port() for _ in range(self.app_instances)]
        self.redis_port = free_port()
        self.nginx_port = free_port()
        self.redirect_port = free_port()
        self.refresh_port = free_port()
        self.db_created = False

    # --- helpers ---------------------------------------------------------------------
    def say(self, text: str) -> None:
        if self.log:
            print(f"[stack] {text}", file=sys.stderr, flush=True)

    @property
    def env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{self.db_name}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "Q_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/2",
            "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
            # Publishing refreshes pages in nginx through its refresh listener, as deployed.
            "NGINX_CACHE_REFRESH_URLS": f"http://127.0.0.1:{self.refresh_port}",
            # Shop views and zero-result searches from nginx's count log, as deployed.
            "PAGE_COUNT_LOGS": str(self.tmp / "portal-counts.log"),
            "PAGE_COUNT_STATE_DIR": str(self.tmp / "page-counts"),
            "STAFF_TWO_FACTOR_REQUIRED": "true",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **self.env_extra,
        }

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def _spawn(self, name: str, args: list[str], **kwargs) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=ROOT, env=kwargs.pop("env", self.env), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        proc._portal_log = log  # type: ignore[attr-defined]
        self.procs[name] = proc
        return proc

    def _kill(self, name: str, sig=signal.SIGTERM, timeout: float = 15) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)  # the group this object started (start_new_session)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        proc._portal_log.close()  # type: ignore[attr-defined]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.nginx_port}{path}"

    def app_url(self, index: int, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.app_ports[index]}{path}"

    # --- parts -------------------------------------------------------------------------
    def start_redis(self) -> None:
        self._spawn("redis", ["redis-server", "--bind", "127.0.0.1", "--port",
                              str(self.redis_port), "--save", "", "--appendonly", "no",
                              "--dir", str(self.tmp)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.redis_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.1)
        raise TimeoutError("redis-server did not start")

    def prepare_db(self) -> None:
        if self.create_db:
            psql("-c", f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            psql("-c", f'CREATE DATABASE "{self.db_name}"')
            self.db_created = True
            self.say(f"database {self.db_name}: migrate")
            self.manage("migrate", "--noinput", "-v0")

    def start_app(self, index: int) -> None:
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.app_ports[index]}",
               "WEB_CONCURRENCY": str(self.workers_per_instance),
               "GUNICORN_ACCESS_LOG": str(self.tmp / f"app{index}-access.log"),
               # The worker's pid ends each line: tests see which worker answered.
               "GUNICORN_ACCESS_LOG_FORMAT": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %(p)s'}
        pin = ["taskset", "-c", self.app_cpus] if self.app_cpus else []
        self._spawn(f"app{index}", [*pin, PYTHON, "-m", "gunicorn", "-c",
                                    "deploy/gunicorn.conf.py", "config.wsgi"], env=env)

    def wait_app(self, index: int, timeout: float = 60) -> None:
        wait_http(self.app_url(index, "/healthz"), timeout=timeout)

    def kill_app(self, index: int, sig=signal.SIGKILL) -> None:
        self._kill(f"app{index}", sig)

    def start_worker(self) -> None:
        self._spawn("qcluster", [PYTHON, "manage.py", "qcluster"])

    def start_nginx(self) -> None:
        # nginx started as root runs its workers as another user (www-data): they must
        # read the temp directory and write the cache and buffer directories.
        self.tmp.chmod(0o755)
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache", "static_copy"):
            (self.tmp / sub).mkdir(exist_ok=True)
            (self.tmp / sub).chmod(0o777)
        for sub in ("srv/staticfiles", "srv/media/images", "letsencrypt"):
            (self.tmp / sub).mkdir(parents=True, exist_ok=True)
        conf = render_nginx_conf(tmp=self.tmp, port=self.nginx_port, app_ports=self.app_ports,
                                 redirect_port=self.redirect_port,
                                 refresh_port=self.refresh_port,
                                 nginx_workers=self.nginx_workers,
                                 page_limits=self.page_limits, bench=self.bench,
                                 extra_cache=self.extra_cache,
                                 workers_per_instance=self.workers_per_instance)
        (self.tmp / "nginx.conf").write_text(conf)
        subprocess.run(["nginx", "-t", "-q", "-p", str(self.tmp), "-c",
                        str(self.tmp / "nginx.conf")], check=True, capture_output=True,
                       timeout=30)
        self._spawn("nginx", ["nginx", "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf"),
                              "-g", "daemon off;"])
        wait_http(self.url("/healthz"), timeout=20)

    # --- whole stack -------------------------------------------------------------------
    def start(self) -> Stack:
        for tool in ("nginx", "redis-server", "psql"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is not installed (`make apt`)")
        try:
            self.start_redis()
            self.prepare_db()
            for index in range(self.app_instances):
                self.start_app(index)
            for index in range(self.app_instances):
                self.wait_app(index)
            if self.with_worker:
                self.start_worker()
            self.start_nginx()
            self.say(f"up: nginx :{self.nginx_port} → gunicorn {self.app_ports}, "
                     f"redis :{self.redis_port}, db {self.db_name}, tmp {self.tmp}")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for name in ["nginx", "qcluster", *[f"app{i}" for i in range(self.app_instances)],
                     "redis"]:
            with contextlib.suppress(Exception):
                self._kill(name)
        for name in list(self.procs):
            with contextlib.suppress(Exception):
                self._kill(name)
        if self.db_created and not self.keep_db:
            with contextlib.suppress(Exception):
                psql("-c", f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        if os.environ.get("STACK_KEEP_TMP") != "1":
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
