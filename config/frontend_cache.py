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
        parsed = urlsplit(url)
        host = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
        target = urlunsplit([self.scheme, self.netloc, parsed.path, parsed.query, ""])
        request = Request(target, method="GET",  # noqa: S310 - LOCATION is configured
                          headers={"Host": host, "User-Agent": "portal-cache-refresh"})
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read()
        except HTTPError as error:
            if error.code >= 500:
                logger.error("Couldn't refresh '%s' in nginx: HTTP %d", url, error.code)
        except URLError as error:
            logger.error("Couldn't refresh '%s' in nginx: %s", url, error.reason)
