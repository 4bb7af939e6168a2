"""Wagtail frontend-cache backend for nginx without ngx_cache_purge (Debian's nginx).

nginx's open-source build has no PURGE. deploy/nginx/portal.conf therefore has a
listener on 127.0.0.1:8081 that always bypasses the cache and stores the fresh
response under the public key ("$host$request_uri"). This backend sends a plain GET
with the public Host header there for every URL Wagtail wants purged (a page and its
parents on publish, unpublish, move or delete), so the cached copy is replaced at once.

Configured from NGINX_CACHE_REFRESH_URLS (comma-separated, one per nginx host), e.g.
``http://127.0.0.1:8081``; unset, nothing is sent and pages expire within 60 s.
"""

import logging
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

from wagtail.contrib.frontend_cache.backends.base import BaseBackend

logger = logging.getLogger("wagtail.frontendcache")


class NginxRefreshBackend(BaseBackend):
    def __init__(self, params):
        super().__init__(params)
        location = urlsplit(params.pop("LOCATION"))
        self.scheme, self.netloc = location.scheme, location.netloc
        self.timeout = params.pop("TIMEOUT", 10)

    def purge(self, url):
        """One GET per language: nginx keeps a copy per language cookie (a URL without
        /en/ is English for a visitor whose language switch says so), and the refresh
        listener passes only that cookie on, so each GET replaces its own copy."""
        from django.conf import settings

        parsed = urlsplit(url)
        host = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
        target = urlunsplit([self.scheme, self.netloc, parsed.path, parsed.query, ""])
        others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        for language in [None, *others]:
            headers = {"Host": host, "User-Agent": "portal-cache-refresh"}
            if language:
                headers["Cookie"] = f"{settings.LANGUAGE_COOKIE_NAME}={language}"
            request = Request(target, method="GET", headers=headers)  # noqa: S310
            try:
                with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    response.read()
            except HTTPError as error:
                if error.code >= 500:
                    logger.error("Couldn't refresh '%s' in nginx: HTTP %d", url, error.code)
            except URLError as error:
                logger.error("Couldn't refresh '%s' in nginx: %s", url, error.reason)
                return


# --- Snippet detail pages (shops, events, ふぁみなび) ------------------------------------
# Wagtail refreshes pages itself. The public detail pages of snippets are refreshed here
# when one is published, unpublished or deleted, which lets nginx keep them longer than
# the 60 s every other page gets (`detail_cache_headers`): the long tail of 8,500 shop
# pages is read far more often than it changes.


def refresh_enabled() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def detail_cache_headers(response, request):
    """Let nginx keep an anonymous detail page for PUBLIC_DETAIL_CACHE_SECONDS (sent as
    X-Accel-Expires, which nginx reads and never passes on) when publishing refreshes it;
    without a refresh configured the page keeps the 60 s of every page."""
    from django.conf import settings

    seconds = int(getattr(settings, "PUBLIC_DETAIL_CACHE_SECONDS", 0))
    if seconds > 0 and refresh_enabled() and not request.user.is_authenticated:
        response["X-Accel-Expires"] = str(seconds)
    return response


def refresh_paths(paths: list[str]) -> None:
    """django-q2 task: refresh these paths in nginx on every site's host."""
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
    from wagtail.models import Site

    roots = {site.root_url.rstrip("/") for site in Site.objects.all()}
    purge_urls_from_cache([root + path for root in sorted(roots) for path in paths])


def affected_paths(instance) -> list[str]:
    """The pages showing a shop, event or article: its own page, the list it is in
    (its page's parent path: /shops/123/ → /shops/) and the home page. Searches and
    other pages follow through the content version within a minute
    (config/content_version.py)."""
    path = instance.get_absolute_url()
    listing = path.rstrip("/").rsplit("/", 1)[0] + "/"
    return list(dict.fromkeys([path, listing, "/"]))


def refresh_detail_page(sender, instance, **kwargs) -> None:
    """published / unpublished / post_delete receiver of Shop, Event and Article: queue
    the refresh of the pages showing it (affected_paths) once the change is committed
    (the refresh reads the pages through nginx, so it must see the committed rows)."""
    from config.content_version import content_changed

    content_changed()
    if not refresh_enabled():
        return
    from django.db import transaction
    from django_q.tasks import async_task

    paths = affected_paths(instance)
    transaction.on_commit(lambda: async_task("config.frontend_cache.refresh_paths", paths))
