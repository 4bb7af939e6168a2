"""Request ids, request metrics and the access log line (RequestIdMiddleware, first
in MIDDLEWARE), and the audit of exports and personal-data views in the back
office (AuditMiddleware, after AuthenticationMiddleware)."""

import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from wagtail.coreutils import resolve_model_string

from operations import context, metrics
from operations.models import AuditEvent
from operations.receivers import PERSONAL_DATA_MODELS, model_label
from operations.services import audit_record, is_secret_key

REQUEST_ID_HEADER = "X-Request-ID"
access_logger = logging.getLogger("portal.access")
logger = logging.getLogger(__name__)

EXPORT_FORMATS = ("csv", "xlsx")
MAX_LISTED_IDS = 100


class RequestIdMiddleware:
    """Gives every request an id (a safe incoming X-Request-ID, else a new uuid4 hex),
    sends it back in X-Request-ID, makes it available to log records and the audit
    log, counts and times the request for /metrics, and writes one access log line.

    The access line names the URL *route* (e.g. ``accounts/signup/confirm/<str:token>/``),
    never the path or the query string, which may carry one-time tokens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        self.use_forwarded_address(request)
        request_id = context.request_id_from_header(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = context.activate(
            context.RequestContext(request_id=request_id, ip=context.client_ip(request),
                                   request=request)
        )
        try:
            try:
                response = self.get_response(request)
            except BaseException:
                metrics.record_request(request.method, 500, time.perf_counter() - started)
                raise
            elapsed = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            metrics.record_request(request.method, response.status_code, elapsed)
            self.log(request, response, elapsed)
            return response
        finally:
            context.deactivate(token)

    @staticmethod
    def use_forwarded_address(request):
        """Behind a reverse proxy listed in TRUSTED_PROXY_IPS (nginx on this host:
        127.0.0.1), REMOTE_ADDR becomes the client's address from X-Forwarded-For, so
        the audit log, rate limits and logs see the client and not the proxy. The
        proxy's own address is kept in META["PORTAL_PROXY_ADDR"]."""
        trusted = getattr(settings, "TRUSTED_PROXY_IPS", [])
        if not trusted:
            return
        client = context.forwarded_client(request.META.get("REMOTE_ADDR"),
                                          request.META.get("HTTP_X_FORWARDED_FOR"), trusted)
        if client:
            request.META["PORTAL_PROXY_ADDR"] = request.META.get("REMOTE_ADDR")
            request.META["REMOTE_ADDR"] = client

    @staticmethod
    def log(request, response, elapsed):
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        access_logger.info(
            "%s %s %s", request.method, match.route if match else "-", response.status_code,
            extra={
                "method": request.method,
                "route": match.route if match else None,
                "view": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )


def _url(name: str, default: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return default


def _query(request) -> dict:
    """The query parameters (filters, search, page) without `export` and without
    anything that names a secret; single values as strings, repeated ones as lists."""
    query = {}
    for key in request.GET:
        if key == "export" or is_secret_key(key):
            continue
        values = [value[:200] for value in request.GET.getlist(key)][:20]
        query[key[:50]] = values[0] if len(values) == 1 else values
    return query


def _view_model(match):
    """The model a view is about, from the keyword arguments it was built with: a
    class, or (Wagtail's document and image choosers, for instance) an
    "app_label.ModelName" string; None when there is none or it names no model."""
    model = (getattr(match.func, "view_initkwargs", None) or {}).get("model")
    if model is None or hasattr(model, "_meta"):
        return model
    try:
        return resolve_model_string(str(model))
    except (LookupError, ValueError):
        return None


def _listed_ids(response) -> list:
    data = getattr(response, "context_data", None) or {}
    objects = data.get("object_list")
    if objects is None:
        objects = data.get("results")  # a chooser's results (a page of them)
    if objects is None:
        return []
    try:
        return [getattr(obj, "pk", None) for obj in list(objects)[:MAX_LISTED_IDS]]
    except Exception:  # noqa: BLE001 - the audit must not break the page
        return []


class AuditMiddleware:
    """Records, for signed-in users in the Wagtail admin:

    - exports: any listing asked for ``?export=csv`` or ``xlsx`` (path, format, the
      filters applied);
    - personal-data views: any admin view of a model in PERSONAL_DATA_MODELS (the
      members' list, edit, inspect, history, delete, chooser…), with the member's
      id, or for a list the ids shown and the filters.

    Only what was actually shown or done is recorded: a 200 answer, or a POST
    redirected anywhere but the admin's home or login page (where Wagtail sends a
    user who lacks the permission)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None
        self.refusal_paths = None

    def __call__(self, request):
        response = self.get_response(request)
        try:
            self.audit(request, response)
        except Exception:  # noqa: BLE001 - a failing audit must not fail the page
            logger.exception("audit: could not record an admin view")
        return response

    def succeeded(self, request, response) -> bool:
        if response.status_code == 200:
            return True
        if request.method == "POST" and 300 <= response.status_code < 400:
            return urlsplit(response.get("Location", "")).path not in self.refusal_paths
        return False

    def audit(self, request, response):
        if self.admin_prefix is None:
            self.admin_prefix = _url("wagtailadmin_home", "/admin/")
            self.refusal_paths = {self.admin_prefix, _url("wagtailadmin_login", "/admin/login/")}
        if not request.path.startswith(self.admin_prefix):
            return
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not self.succeeded(request, response):
            return
        match = getattr(request, "resolver_match", None)
        if match is None:
            return
        model = _view_model(match)
        label = model_label(model) if model is not None else ""
        export = request.GET.get("export")
        if export in EXPORT_FORMATS and response.status_code == 200:
            audit_record(
                action=AuditEvent.Action.EXPORT, request=request, object_type=label,
                detail={"path": request.path, "format": export, "filters": _query(request),
                        "view": match.view_name,
                        "personal_data": label in self.personal_data_models()},
            )
            return
        if label and label in self.personal_data_models():
            detail = {"view": match.url_name, "method": request.method}
            object_id = match.kwargs.get("pk", "")
            if not object_id:
                detail["filters"] = _query(request)
                ids = _listed_ids(response)
                if ids:
                    detail["ids"] = ids
            audit_record(action=AuditEvent.Action.PERSONAL_DATA_VIEW, request=request,
                         object_type=label, object_id=object_id, detail=detail)

    @staticmethod
    def personal_data_models() -> set[str]:
        return set(getattr(settings, "AUDIT_PERSONAL_DATA_MODELS", PERSONAL_DATA_MODELS))
