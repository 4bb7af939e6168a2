"""benchmarks/stack.py runs the shipped deploy/nginx/portal.conf (the scale-out test and
`make bench` go through it): only upstreams, listen ports, TLS lines and paths differ."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import stack  # noqa: E402

SUBSTITUTED = re.compile(
    r"^(server 127\.0\.0\.1:8000 |listen |ssl_|proxy_cache_path /var/cache/nginx/portal"
    r"|alias /srv/portal/|location /\.well-known/acme-challenge/ "
    r"|access_log /var/log/nginx/portal-counts\.log )")


def render(tmp_path, **kwargs):
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache", "static_copy",
                "srv/staticfiles", "srv/media/images", "letsencrypt"):
        (tmp_path / sub).mkdir(parents=True, exist_ok=True)
    conf = stack.render_nginx_conf(tmp=tmp_path, port=18080, app_ports=[18001, 18002],
                                   redirect_port=18081, refresh_port=18082, **kwargs)
    (tmp_path / "nginx.conf").write_text(conf)
    checked = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c",
                              str(tmp_path / "nginx.conf")], capture_output=True, text=True,
                             timeout=30)
    assert checked.returncode == 0, checked.stderr
    return conf


def directives(text):
    lines = (line.split("#", 1)[0].strip() if not line.strip().startswith('"~') else
             line.strip() for line in text.splitlines())
    return [line for line in lines if line]


def test_every_shipped_directive_is_in_the_stack_config(tmp_path):
    conf = render(tmp_path)
    rendered = set(directives(conf))
    shipped = directives(stack.SHIPPED_NGINX.read_text())
    missing = [line for line in shipped if not SUBSTITUTED.match(line) and line not in rendered]
    assert missing == []
    # what is tested through the stack: the shipped limits and cache rules
    for line in ("limit_req_zone $binary_remote_addr zone=portal_login:10m rate=6r/m;",
                 "limit_req_zone $binary_remote_addr zone=portal_pages:20m rate=10r/s;",
                 "limit_req zone=portal_login burst=10 nodelay;",
                 "limit_req_status 429;", "limit_conn portal_conn 30;",
                 "proxy_cache_bypass $portal_has_session $portal_private_path;"):
        assert line in rendered, line
    assert "listen 127.0.0.1:18080;" in rendered
    # both upstreams (anonymous, private) with the shipped queue bounds for 5 workers
    assert "server 127.0.0.1:18001 max_fails=1 fail_timeout=2s max_conns=10;" in rendered
    assert "server 127.0.0.1:18002 max_fails=1 fail_timeout=2s max_conns=6;" in rendered
    assert "server 127.0.0.1:8000" not in conf
    assert not [line for line in rendered if line.startswith("ssl_")]
    assert "__whatif" not in conf and "x_bench_nocache" not in conf


def test_bench_config_lifts_only_the_page_limits(tmp_path):
    conf = render(tmp_path, page_limits=False, bench=True)
    rendered = set(directives(conf))
    assert "limit_req zone=portal_pages burst=20 nodelay;" not in rendered
    assert "limit_conn portal_conn 30;" not in rendered
    assert "limit_req_zone $binary_remote_addr zone=portal_login:10m rate=6r/m;" in rendered
    assert "limit_req zone=portal_login burst=10 nodelay;" in rendered
    assert "location /__static_copy/ {" in rendered
    assert ("proxy_no_cache $portal_has_session $portal_private_path $http_x_bench_nocache;"
            in rendered)


def test_a_shipped_file_without_what_is_substituted_is_refused(tmp_path):
    broken = tmp_path / "portal.conf"
    broken.write_text(stack.SHIPPED_NGINX.read_text().replace("listen 443 ssl http2;",
                                                              "listen 443 ssl;"))
    with pytest.raises(ValueError, match="listen 443"):
        stack.render_nginx_conf(tmp=tmp_path, port=1, app_ports=[2], redirect_port=3,
                                refresh_port=4, shipped=broken)


def test_overload_is_answered_at_once_with_stale_pages_or_the_busy_page(tmp_path):
    """Issue 20: bounded queues (max_conns shared by nginx's workers), stale copies while
    refreshing and whenever the app fails or is full, and nginx's own 502/504 turned into
    a 503 page with Retry-After; the app's own 503 (maintenance) is not intercepted."""
    rendered = set(directives(render(tmp_path, workers_per_instance=2)))
    for line in (
        "zone portal_app 64k;", "zone portal_app_private 64k;",
        "server 127.0.0.1:18001 max_fails=1 fail_timeout=2s max_conns=4;",
        "server 127.0.0.1:18001 max_fails=1 fail_timeout=2s max_conns=3;",
        "proxy_pass http://$portal_upstream;",
        "proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;",
        "proxy_cache_background_update on;", "proxy_cache_lock on;",
        "proxy_connect_timeout 2s;", "proxy_read_timeout 30s;",
        "error_page 502 504 =503 @portal_busy;", "add_header Retry-After 10 always;",
    ):
        assert line in rendered, line
    assert not [line for line in rendered if line.startswith("proxy_intercept_errors")]
