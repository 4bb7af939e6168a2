"""Liveness and readiness probes for the load balancer and monitoring."""

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
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


@never_cache
@require_GET
def readyz(request):
    """Readiness: database, cache and migrations. 503 names what failed."""
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
