"""The installable app: web app manifest, service worker, offline page.

The service worker is served from the site root (``/sw.js``, scope ``/``) by a view,
so it can carry the cache version and the static files' (hashed) URLs: the version
is a hash of the worker and of the app shell's files, so each deployment that
changes them installs a new worker, which announces itself and takes over when
the user agrees (static/js/pwa.js).

``ViewerHeaderMiddleware`` marks each HTML page with ``X-Portal-Viewer``: "anon" or
an opaque id of the signed-in account. The worker keeps the member's card page in a
cache named after that id and drops it whenever a page shows another viewer (or
none), and on every login or logout request, so one person's card is never shown
to another on a shared device.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

VIEWER_HEADER = "X-Portal-Viewer"
SHELL_STATIC = [
    "css/portal.css", "css/members.css", "cms_pages/cms.css", "js/pwa.js", "js/menu.js",
    "js/card.js", "assistant/assistant.css", "assistant/assistant.js",
    "icons/favicon.svg", "icons/logo.svg", "icons/icon-192.png", "icons/icon-512.png",
]
THEME_COLOUR = "#0017c1"
BACKGROUND_COLOUR = "#ffffff"


def viewer_id(user) -> str:
    if user is None or not user.is_authenticated:
        return "anon"
    return "u-" + salted_hmac("notifications.viewer", str(user.pk)).hexdigest()[:24]


class ViewerHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response[VIEWER_HEADER] = viewer_id(getattr(request, "user", None))
        return response


def _site_name() -> str:
    return getattr(settings, "PORTAL", {}).get("SITE_NAME") or "子育て・結婚応援パスポート"


def manifest_data() -> dict:
    icons = [
        {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png",
         "purpose": "any"},
        {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png",
         "purpose": "any"},
        {"src": static("icons/icon-maskable-192.png"), "sizes": "192x192",
         "type": "image/png", "purpose": "maskable"},
        {"src": static("icons/icon-maskable-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "maskable"},
    ]
    return {
        "id": "/",
        "name": getattr(settings, "PWA_NAME", "") or _site_name(),
        "short_name": getattr(settings, "PWA_SHORT_NAME", "") or "応援パスポート",
        "description": "子育て・結婚応援パスポートの協賛店検索とデジタルカード",
        "lang": "ja",
        "dir": "ltr",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
        "shortcuts": [
            {"name": "カードを表示", "short_name": "カード", "url": "/card/",
             "icons": [{"src": static("icons/icon-192.png"), "sizes": "192x192"}]},
            {"name": "協賛店をさがす", "short_name": "協賛店", "url": "/shops/"},
        ],
    }


@require_safe
@cache_control(public=True, max_age=3600)
def manifest(request):
    response = JsonResponse(manifest_data(), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    return response


def _shell_urls() -> list[str]:
    return [reverse("notifications:offline"), reverse("notifications:manifest")] + [
        static(path) for path in SHELL_STATIC]


def _file_digest(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        return path.encode()
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).digest()


@lru_cache(maxsize=1)
def service_worker_version() -> str:
    digest = hashlib.sha256(getattr(settings, "PWA_VERSION", "").encode())
    digest.update(render_to_string("notifications/sw.js", {"config_json": "{}"}).encode())
    for path in SHELL_STATIC:
        digest.update(_file_digest(path))
    return digest.hexdigest()[:12]


@require_safe
def service_worker(request):
    config = {
        "version": service_worker_version(),
        "shell": _shell_urls(),
        "offlineUrl": reverse("notifications:offline"),
        "cardUrl": reverse("members:card"),
        # Any POST here (login, logout, sign-up confirmation…) drops the cached card.
        "accountPrefix": "/accounts/",
        "adminPrefix": "/admin/",
        "viewerHeader": VIEWER_HEADER,
        "defaultIcon": static("icons/icon-192.png"),
        "staticUrl": settings.STATIC_URL,
    }
    body = render_to_string("notifications/sw.js", {"config_json": json.dumps(config)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Always revalidated, so browsers find a new version at once.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def offline(request):
    """The page the worker shows for a page it cannot fetch. It is cached and shown to
    whoever uses the device later, so it is rendered as for a signed-out visitor."""
    request.user = AnonymousUser()
    return HttpResponse(render_to_string("notifications/offline.html", {}, request=request))
