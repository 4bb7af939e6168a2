"""Security headers the framework does not set by itself: CSP with per-request nonces,
Permissions-Policy, and a locked-down policy for uploaded files.

Django's SecurityMiddleware already sends HSTS (production), X-Content-Type-Options,
Referrer-Policy and Cross-Origin-Opener-Policy; this middleware adds the rest.

* Public pages: ``script-src 'self' 'nonce-…'`` — no inline script runs unless our
  template gave it ``nonce="{{ request.csp_nonce }}"``; JSON data blocks
  (``json_script``) are not scripts and need no nonce.
* ``/admin/`` (the Wagtail admin) gets its own policy, see ``_admin_policy``: Wagtail 8
  still renders a few inline ``<script>`` elements (date/time choosers, InlinePanel
  set-up) and sets inline styles, so scripts there need ``'unsafe-inline'``. The
  admin is reachable by signed-in staff only (password + TOTP), and its pages may be
  framed by themselves (the live preview is an iframe).
* Uploaded documents and anything served as a file: ``default-src 'none'; sandbox``.

Settings: ``CSP_SCRIPT_SRC_EXTRA``, ``CSP_IMG_SRC_EXTRA``, ``CSP_CONNECT_SRC_EXTRA``
(lists of sources to add everywhere), ``CSP_REPORT_URI`` (optional),
``PERMISSIONS_POLICY``. A view or context processor that loads a third-party script
for this response only (analytics after consent) adds its hosts with
``csp_sources_add(request, "script-src", ["https://www.googletagmanager.com"])``.
"""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse

CSP_HEADER = "Content-Security-Policy"
FILE_POLICY = "default-src 'none'; sandbox"

DEFAULT_PERMISSIONS_POLICY = (
    # The shop search's "near me" button asks for the position on our own origin only.
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
    "magnetometer=(), gyroscope=(), accelerometer=()"
)


def tile_source(tile_url):
    """The CSP source of a Leaflet tile URL template ("https://{s}.tile.example.org/…"
    → "https://*.tile.example.org"); None when there is no absolute URL."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}.", "SUBDOMAIN."))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.replace("subdomain.", "*.").replace("SUBDOMAIN.", "*.")
    return f"{parts.scheme}://{host}"


def _join(directives):
    return "; ".join(f"{name} {' '.join(values)}".strip() for name, values in directives)


def _extra(name):
    return list(getattr(settings, name, []) or [])


def csp_sources_add(request, directive, sources):
    """Allow ``sources`` in ``directive`` of this response's public CSP."""
    extra = getattr(request, "csp_extra", None)
    if extra is None:
        extra = request.csp_extra = {}
    extra.setdefault(directive, [])
    extra[directive] += [source for source in sources if source not in extra[directive]]


ANALYTICS_SOURCES = {  # Google's published CSP for GA4 / Tag Manager
    "script-src": ["https://*.googletagmanager.com"],
    "img-src": ["https://*.google-analytics.com", "https://*.googletagmanager.com"],
    "connect-src": ["https://*.google-analytics.com", "https://*.analytics.google.com",
                    "https://*.googletagmanager.com"],
}


def _common_img_src():
    img_src = ["'self'", "data:"]
    tiles = tile_source(getattr(settings, "PORTAL", {}).get("MAP_TILE_URL"))
    if tiles:
        img_src.append(tiles)
    return img_src + _extra("CSP_IMG_SRC_EXTRA")


def public_policy(nonce, extra=None):
    directives = [
        ("default-src", ["'self'"]),
        ("script-src", ["'self'", f"'nonce-{nonce}'", *_extra("CSP_SCRIPT_SRC_EXTRA")]),
        # Style attributes (the member card's programme colours) need 'unsafe-inline';
        # styles cannot run code, and scripts stay nonce-only.
        ("style-src", ["'self'", "'unsafe-inline'"]),
        ("img-src", _common_img_src()),
        ("connect-src", ["'self'", *_extra("CSP_CONNECT_SRC_EXTRA")]),
        ("font-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'none'"]),
        ("frame-ancestors", ["'none'"]),
        ("form-action", ["'self'"]),
    ]
    for name, sources in (extra or {}).items():
        for directive_name, values in directives:
            if directive_name == name:
                values.extend(s for s in sources if s not in values)
    return _with_report(directives)


def _admin_policy():
    directives = [
        ("default-src", ["'self'"]),
        # Wagtail 8 admin templates still contain inline <script> elements (date and
        # time choosers, InlinePanel set-up) without a nonce; see the module docstring.
        ("script-src", ["'self'", "'unsafe-inline'", *_extra("CSP_SCRIPT_SRC_EXTRA")]),
        ("style-src", ["'self'", "'unsafe-inline'"]),
        ("img-src", [*_common_img_src(), "blob:"]),
        ("connect-src", ["'self'", *_extra("CSP_CONNECT_SRC_EXTRA")]),
        ("font-src", ["'self'", "data:"]),
        ("frame-src", ["'self'"]),
        ("worker-src", ["'self'", "blob:"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'none'"]),
        # The page and snippet preview is an iframe of the admin itself.
        ("frame-ancestors", ["'self'"]),
        ("form-action", ["'self'"]),
    ]
    return _with_report(directives)


def _with_report(directives):
    report_uri = getattr(settings, "CSP_REPORT_URI", "")
    if report_uri:
        directives.append(("report-uri", [report_uri]))
    return _join(directives)


def _is_admin(path):
    return path.startswith(getattr(settings, "CSP_ADMIN_PATH_PREFIX", "/admin/"))


def _is_file(request, response):
    if isinstance(response, FileResponse | StreamingHttpResponse):
        return True
    if response.get("Content-Disposition", "").startswith("attachment"):
        return True
    return request.path.startswith(getattr(settings, "CSP_FILE_PATH_PREFIXES", ("/documents/",)))


class SecurityHeadersMiddleware:
    """Sets ``request.csp_nonce`` and the CSP and Permissions-Policy headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        if _is_file(request, response):
            response[CSP_HEADER] = FILE_POLICY
        elif CSP_HEADER not in response:
            if _is_admin(request.path):
                response[CSP_HEADER] = _admin_policy()
            else:
                response[CSP_HEADER] = public_policy(request.csp_nonce,
                                                     getattr(request, "csp_extra", None))
        response.setdefault(
            "Permissions-Policy",
            getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY),
        )
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response


def same_origin_post(view):
    """Exempt ``view`` from the CSRF token, but refuse (403) a POST whose Origin (or,
    without one, Referer) names another site.

    For the two forms on every public page (language switch, analytics consent): a
    CSRF token would set the csrftoken cookie on every anonymous page, and nginx does
    not cache a response that sets a cookie. Browsers send Origin with every
    cross-site POST, so checking it keeps a forged consent out; a request without
    either header does not come from a victim's browser form."""
    from functools import wraps

    from django.core.exceptions import PermissionDenied
    from django.views.decorators.csrf import csrf_exempt

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST":
            source = request.headers.get("Origin") or request.headers.get("Referer")
            if source and source != "null":
                parts = urlsplit(source)
                trusted = {urlsplit(origin).netloc
                           for origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", [])}
                if parts.netloc != request.get_host() and parts.netloc not in trusted:
                    raise PermissionDenied("cross-site form")
            elif source == "null":
                raise PermissionDenied("opaque origin")
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
