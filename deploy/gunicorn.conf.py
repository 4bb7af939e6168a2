"""gunicorn settings for the portal (systemd unit deploy/systemd/portal.service and the
container image): `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Every value can be overridden from the environment, e.g. GUNICORN_BIND=0.0.0.0:8000
in a container or WEB_CONCURRENCY=9 on a 4-core host.
"""

import multiprocessing
import os

# Behind nginx on the same host; nginx terminates TLS and sets X-Forwarded-Proto.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# DESIGN.md "Scale": 2 × cores + 1 synchronous workers.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request taking longer than this is a bug or an attack; nginx's proxy_read_timeout is 60 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# A short accept queue: nginx limits each instance to a few requests beyond its workers
# (max_conns in deploy/nginx/portal.conf), so more waiting here only means a request that
# will time out; when it is full nginx tries the next instance, a stale page or its 503.
backlog = int(os.environ.get("GUNICORN_BACKLOG", 64))
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Only nginx on this host may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
# Request limits (nginx enforces the body size; these stop header floods reaching Django).
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = os.environ.get("GUNICORN_ACCESS_LOG_FORMAT",
                                   '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"')
proc_name = "portal"
# gunicorn's control socket defaults to one path in $HOME, shared by every instance on the
# host (and not writable under systemd's ProtectHome): off unless a path is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "") or "gunicorn.ctl"
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
