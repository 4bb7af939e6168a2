"""A version of everything an anonymous page shows, so that nginx can keep pages until
they change and check them for almost nothing (issue 20).

nginx keeps anonymous pages (deploy/nginx/portal.conf); after `proxy_cache_valid`
(60 s) it asks the app again in the background — visitors meanwhile get the stored copy
(`proxy_cache_background_update`, `proxy_cache_use_stale updating`) — and, with
`proxy_cache_revalidate on`, sends the page's ETag as If-None-Match. This middleware
tags every anonymous, cacheable HTML page with a weak ETag made of

* the content version (``content_cache``): any published, unpublished or deleted
  shop, event, ふぁみなび article, page or other snippet, or a snippet saved;
* every other shared version (config/versioned_cache.py): the masters and the site
  settings, menus and pages;
* the deployed release (templates change with the code), the date (lists of current
  events change at midnight) and the language cookie,

and answers a matching If-None-Match with 304 before any view runs: a search page,
a list or the home page that has not changed costs nginx a round trip of well under a
millisecond of CPU instead of a new render, however many searches there are, and a
change shows everywhere within a minute (detail pages, their lists and the home page
are also refreshed at once on publish: config/frontend_cache.py).
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.http import parse_etags

from config.versioned_cache import VersionedCache

logger = logging.getLogger(__name__)

content_cache = VersionedCache("content:version")
content_changed = content_cache.changed


def _release() -> str:
    """The deployed code's version: templates and static file names change with it, so
    pages cached before a deploy must not be revalidated after it. PORTAL_RELEASE if
    set, else the checkout's commit (read from .git, no subprocess), else empty."""
    import os
    from pathlib import Path

    release = os.environ.get("PORTAL_RELEASE", "")
    if release:
        return release
    try:
        git = Path(settings.BASE_DIR) / ".git"
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head  # a detached checkout: the commit itself
        ref = head[5:]
        common = git / (git / "commondir").read_text().strip() if (
            git / "commondir").exists() else git
        for ref_file in (git / ref, common / ref):
            if ref_file.exists():
                return ref_file.read_text().strip()
        for line in (common / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
        return ""
    except (OSError, IndexError):
        return ""


RELEASE = _release()

# Never tagged: personal, always fresh or not HTML (the same list as nginx's
# $portal_private_path).
PRIVATE_PREFIXES = ("/admin/", "/accounts/", "/card", "/favourites/", "/api/", "/documents/",
                    "/healthz", "/readyz", "/i18n/", "/metrics")


def content_tag(request) -> str | None:
    """The weak ETag of what an anonymous page shows now, or None (cache down)."""
    registry = {versioned.version_key: versioned for versioned in VersionedCache.registry}
    keys = sorted(registry)
    try:
        found = cache.get_many(keys)  # one round trip; the request's later reads are free
        for key in keys:
            if key in found:
                registry[key].remember(found[key])
            else:  # created as the cache itself would
                found[key] = registry[key].version()
    except Exception:
        logger.warning("content version: the shared cache is unavailable", exc_info=True)
        return None
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")[:8]
    parts = [found[key] for key in keys] + [RELEASE, timezone.localdate().isoformat(),
                                             language]
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()
    return f'W/"cv-{digest}"'


def _anonymous_page(request) -> bool:
    return (request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(PRIVATE_PREFIXES))


def _cacheable(response) -> bool:
    control = response.get("Cache-Control", "")
    return (response.status_code == 200 and not response.cookies
            and not response.has_header("ETag")
            and "private" not in control and "no-store" not in control
            and response.get("Content-Type", "").startswith("text/html"))


class ContentVersionMiddleware:
    """304 for an unchanged anonymous page; the tag on every one rendered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _anonymous_page(request):
            return self.get_response(request)
        tag = content_tag(request)  # read before rendering: a change meanwhile re-renders
        if tag is None:
            return self.get_response(request)
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match and tag in parse_etags(if_none_match):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = tag
            return not_modified
        response = self.get_response(request)
        if _cacheable(response):
            response["ETag"] = tag
        return response


def _snippet_changed(sender, instance=None, **kwargs) -> None:
    """post_save / post_delete of any model: a registered snippet changes the content."""
    from wagtail.snippets.models import get_snippet_models

    if sender in get_snippet_models():
        content_changed()


def connect() -> None:
    """Bump the content version whenever something a public page shows changes:
    anything published or unpublished (pages and snippets), any snippet saved or
    deleted (FAQ, menus… and the draftable ones), any page deleted or moved."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page
    from wagtail.signals import (
        page_published,
        page_unpublished,
        post_page_move,
        published,
        unpublished,
    )

    for name, signal in (("published", published), ("unpublished", unpublished),
                         ("page_published", page_published),
                         ("page_unpublished", page_unpublished), ("page_moved", post_page_move)):
        signal.connect(content_changed, dispatch_uid=f"content_version_{name}")
    post_delete.connect(content_changed, sender=Page, dispatch_uid="content_version_page_delete")
    # Snippets are registered in wagtail_hooks modules, found only after every app is
    # ready: checked when a model is saved, not listed now.
    post_save.connect(_snippet_changed, dispatch_uid="content_version_snippet_save")
    post_delete.connect(_snippet_changed, dispatch_uid="content_version_snippet_delete")
