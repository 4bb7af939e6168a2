"""Every API error as application/problem+json (RFC 9457) with a stable `code`.

    {"type": "urn:passport-portal:problem:validation_error",
     "title": "The request has invalid fields.", "status": 400,
     "detail": "Check the fields listed in errors.", "instance": "/api/v1/shops",
     "code": "validation_error",
     "errors": [{"field": "page_size", "code": "max_value",
                 "detail": "Ensure this value is less than or equal to 100."}]}

`exception_handler` is the DRF exception handler of the API's views
(api/views.py); `problem_response` is used outside DRF (api/middleware.py,
the catch-all 404). Titles are translated (English message ids, Japanese in
api/locale); codes never are: clients branch on `code` (and `errors[].field`).
Any error rolls back the request's transaction (ATOMIC_REQUESTS), so nothing
is half-saved.
"""

from __future__ import annotations

import json
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:passport-portal:problem:"

TITLES = {
    "validation_error": _("The request has invalid fields."),
    "parse_error": _("The request body is not valid JSON."),
    "invalid_content_length": _("The Content-Length header is not valid."),
    "request_too_large": _("The request body is too large."),
    "unsupported_media_type": _("The request body must be JSON."),
    "not_authenticated": _("Authentication is required."),
    "authentication_failed": _("Authentication failed."),
    "invalid_credentials": _("The e-mail address or the password is not correct."),
    "token_invalid": _("The token is not valid."),
    "token_expired": _("The token has expired."),
    "token_revoked": _("The token has been revoked."),
    "two_factor_required": _("A second factor is required."),
    "permission_denied": _("You may not do this."),
    "csrf_failed": _("The CSRF check failed."),
    "not_found": _("Not found."),
    "method_not_allowed": _("This method is not allowed here."),
    "not_acceptable": _("The requested response format is not available."),
    "throttled": _("Too many requests."),
    "login_blocked": _("Too many login attempts."),
    "conflict": _("The request conflicts with the current state."),
    "locked": _("The item is locked."),
    "no_workflow": _("No approval workflow is configured."),
    "workflow_state": _("The approval state does not allow this."),
    "maintenance": _("The service is under maintenance."),
    "service_unavailable": _("The service is temporarily unavailable."),
    "server_error": _("An unexpected error occurred."),
}
DEFAULT_DETAILS = {
    "request_too_large": _("Send at most 1 MB."),
    "invalid_content_length": _("Send a Content-Length that is a whole number."),
    "not_found": _("Nothing is published at this address."),
    "maintenance": _("Please try again later."),
    "service_unavailable": _("Please try again later."),
    "server_error": _("Please try again later. If it happens again, contact the secretariat."),
}


class ApiError(exceptions.APIException):
    """An error raised by a view or service, with its status and problem code."""

    def __init__(self, detail=None, *, code: str, status_code: int = status.HTTP_400_BAD_REQUEST,
                 errors: list[dict] | None = None, headers: dict | None = None):
        self.status_code = status_code
        self.problem_code = code
        self.errors = errors
        self.headers = headers or {}
        super().__init__(detail=detail or TITLES.get(code, code), code=code)


class RequestTooLarge(ApiError):
    def __init__(self):
        super().__init__(DEFAULT_DETAILS["request_too_large"], code="request_too_large",
                         status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


def conflict(detail, code: str = "conflict") -> ApiError:
    return ApiError(detail, code=code, status_code=status.HTTP_409_CONFLICT)


def problem_body(*, status_code: int, code: str, detail: str = "", instance: str = "",
                 errors: list[dict] | None = None) -> dict:
    body = {
        "type": TYPE_PREFIX + code,
        "title": str(TITLES.get(code, code)),
        "status": status_code,
        "detail": str(detail or DEFAULT_DETAILS.get(code, "") or TITLES.get(code, code)),
        "instance": instance,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(request, *, status: int, code: str, detail: str = "",
                     errors: list[dict] | None = None) -> HttpResponse:
    """A problem response outside DRF (middleware, the catch-all 404)."""
    body = problem_body(status_code=status, code=code, detail=detail, instance=request.path,
                        errors=errors)
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type=PROBLEM_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


# --- DRF ----------------------------------------------------------------------------------


def _join(prefix: str, key) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def flatten_errors(detail, prefix: str = "") -> list[dict]:
    """DRF's nested error detail as [{"field", "code", "detail"}] (field None: the whole body)."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            field = prefix if key in ("non_field_errors", "__all__") else _join(prefix, key)
            items += flatten_errors(value, field)
        return items
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": prefix or None, "code": getattr(item, "code", None) or "invalid",
                     "detail": str(item)} for item in detail]
        items = []
        for index, value in enumerate(detail):
            if value:
                items += flatten_errors(value, _join(prefix, index))
        return items
    return [{"field": prefix or None, "code": getattr(detail, "code", None) or "invalid",
             "detail": str(detail)}]


def django_validation_errors(error: DjangoValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"field": None if field == "__all__" else field, "code": item.code or "invalid",
             "detail": " ".join(str(message) for message in item.messages)}
            for field, items in error.error_dict.items() for item in items
        ]
    return [{"field": None, "code": item.code or "invalid",
             "detail": " ".join(str(message) for message in item.messages)}
            for item in error.error_list]


def _code_for(exc) -> str:
    code = getattr(exc, "problem_code", None)
    if code:
        return code
    if isinstance(exc, exceptions.ValidationError):
        return "validation_error"
    if isinstance(exc, exceptions.ParseError):
        return "parse_error"
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "unsupported_media_type"
    if isinstance(exc, exceptions.NotAuthenticated):
        return "not_authenticated"
    if isinstance(exc, exceptions.AuthenticationFailed):
        return "authentication_failed"
    if isinstance(exc, exceptions.PermissionDenied):
        codes = exc.get_codes()
        return codes if isinstance(codes, str) and codes in TITLES else "permission_denied"
    if isinstance(exc, exceptions.NotFound):
        return "not_found"
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "method_not_allowed"
    if isinstance(exc, exceptions.NotAcceptable):
        return "not_acceptable"
    if isinstance(exc, exceptions.Throttled):
        return "throttled"
    return "server_error"


def exception_handler(exc, context):
    """DRF exception handler: every handled error becomes a problem response."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    errors = None
    headers = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(DEFAULT_DETAILS["not_found"]))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = ApiError(gettext("Check the fields listed in errors."), code="validation_error",
                       errors=django_validation_errors(exc))
    if not isinstance(exc, exceptions.APIException):
        return None  # a programming error: ApiMiddleware answers 500 (problem+json)
    code = _code_for(exc)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        detail = gettext("Check the fields listed in errors.")
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        errors = getattr(exc, "errors", None)
    if isinstance(exc, exceptions.Throttled):
        wait = exc.wait if exc.wait is not None else 1
        headers["Retry-After"] = str(max(1, math.ceil(wait)))
        detail = gettext("Too many requests. Try again in %(seconds)s seconds.") % {
            "seconds": headers["Retry-After"]}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    headers.update(getattr(exc, "headers", {}) or {})
    if code in ("not_found",) and not detail:
        detail = str(DEFAULT_DETAILS["not_found"])
    if isinstance(exc, exceptions.NotFound) and detail in ("Not found.", gettext("Not found.")):
        detail = str(DEFAULT_DETAILS["not_found"])
    set_rollback()
    body = problem_body(status_code=exc.status_code, code=code, detail=detail,
                        instance=instance, errors=errors)
    response = Response(body, status=exc.status_code, headers=headers,
                        content_type=PROBLEM_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response
