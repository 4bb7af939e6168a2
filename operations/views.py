"""Liveness and readiness probes for the load balancer, and the Prometheus metrics."""

import hmac
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@transaction.non_atomic_requests
@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers. Touches no database, so a database outage
    does not make the orchestrator restart healthy app processes."""
    return JsonResponse({"status": "ok"})


def _check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("readyz-probe", "ok", 10)
    if cache.get("readyz-probe") != "ok":
        raise RuntimeError("cache did not return the value just written")


def _check_migrations():
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migration(s) not applied")


READINESS_CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "migrations": _check_migrations,
}


@transaction.non_atomic_requests
@never_cache
@require_GET
def readyz(request):
    """Readiness: database, cache and migrations. 503 names what failed.

    Not in the request's transaction (ATOMIC_REQUESTS would connect before the view
    and a database outage would never reach the checks)."""
    results, failing = {}, []
    for name, check in READINESS_CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            results[name] = f"error: {type(error).__name__}"
            failing.append(name)
    status = 503 if failing else 200
    return JsonResponse({"status": "fail" if failing else "ok", "checks": results,
                         "failing": failing}, status=status)


# Headers a reverse proxy adds: a request relayed by one never passes on its address
# alone (behind nginx on the same host REMOTE_ADDR is 127.0.0.1 for everyone).
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _ip_allowed(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for allowed in getattr(settings, "METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"]):
        try:
            if ip in ipaddress.ip_network(str(allowed).strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def metrics_access_allowed(request) -> bool:
    """A scrape is allowed with ``Authorization: Bearer <METRICS_TOKEN>``, or, without an
    Authorization header, from an address in METRICS_ALLOWED_IPS when the request did
    not come through a proxy. A wrong token is refused whatever the address."""
    token = getattr(settings, "METRICS_TOKEN", "") or ""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, value = header.partition(" ")
        return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.encode()
        )
    if any(request.META.get(name) for name in _PROXY_HEADERS) or request.META.get(
            "PORTAL_PROXY_ADDR"):
        return False
    return _ip_allowed(request.META.get("REMOTE_ADDR"))


@transaction.non_atomic_requests
@never_cache
@require_GET
def metrics(request):
    """Prometheus text exposition format 0.0.4 (see operations/metrics.py)."""
    from operations import metrics as portal_metrics

    if not metrics_access_allowed(request):
        return HttpResponseForbidden("Forbidden\n", content_type="text/plain; charset=utf-8")
    return HttpResponse(portal_metrics.render(), content_type=portal_metrics.CONTENT_TYPE)
