"""The site's 500 handler (config/urls.py `handler500`): when the database has gone
away (django.db.OperationalError / InterfaceError, e.g. PostgreSQL restarting or
unreachable), visitors get a friendly Japanese page with 503 and Retry-After instead
of a server error, and the load balancer / nginx may try again. Nothing else to do for
recovery: Django opens a new connection on the next request (CONN_HEALTH_CHECKS), so
service resumes by itself when the database is back.

API paths get application/problem+json (api/middleware.py: code "service_unavailable").
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error

logger = logging.getLogger("portal.errors")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_DEFAULT = 30


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_ERRORS)


def retry_after() -> int:
    return int(getattr(settings, "DATABASE_OUTAGE_RETRY_AFTER", RETRY_AFTER_DEFAULT))


def unavailable_response() -> HttpResponse:
    """503, a self-contained Japanese page (no database, no context processors)."""
    seconds = retry_after()
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("operations/unavailable.html", {
            "retry_after_minutes": max(1, seconds // 60),
            "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
            "LANGUAGE_CODE": settings.LANGUAGE_CODE,
        }, request=None)
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    response.portal_database_outage = True
    return response


@requires_csrf_token
def handler500(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if is_database_outage(error):
        logger.warning("database unavailable: %s %s → 503 (%s)", request.method,
                       request.path, type(error).__name__)
        return unavailable_response()
    return server_error(request, template_name=template_name)
