"""Request-level rules for everything under /api/ (before any view runs).

- A body announced larger than settings.API_MAX_BODY_BYTES (1 MB) is refused
  with 413 before it is read; a body without Content-Length (chunked) is
  limited by the parser (api/parsers.py), so nothing larger is ever read.
- A response of the layers outside DRF (maintenance mode's 503, a database outage's
  503, an unhandled exception's 500) is turned into application/problem+json, so an API client
  never has to parse an HTML page.
"""

import logging

from django.conf import settings

logger = logging.getLogger("api")

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024))


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_api(request):
            return self.get_response(request)
        from api import problems

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problems.problem_response(request, status=400, code="invalid_content_length")
        if length > max_body_bytes():
            return problems.problem_response(request, status=413, code="request_too_large")
        response = self.get_response(request)
        if response.status_code == 503 and "json" not in response.get("Content-Type", ""):
            code = ("service_unavailable" if getattr(response, "portal_database_outage", False)
                    else "maintenance")
            problem = problems.problem_response(request, status=503, code=code)
            for header in ("Retry-After", "Cache-Control"):
                if header in response:
                    problem[header] = response[header]
            return problem
        return response

    def process_exception(self, request, exception):
        if not _is_api(request):
            return None
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from api import problems

        if isinstance(exception, Http404):
            return problems.problem_response(request, status=404, code="not_found")
        if isinstance(exception, PermissionDenied):
            return problems.problem_response(request, status=403, code="permission_denied")
        from operations.errors import is_database_outage, retry_after

        if is_database_outage(exception):
            logger.warning("api: database unavailable on %s %s", request.method, request.path)
            problem = problems.problem_response(request, status=503, code="service_unavailable")
            problem["Retry-After"] = str(retry_after())
            problem["Cache-Control"] = "no-store"
            return problem
        logger.exception("api: unhandled exception on %s %s", request.method, request.path)
        return problems.problem_response(request, status=500, code="server_error")
