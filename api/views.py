"""Base classes of the API's views (one module per domain builds on them).

Every view: bearer token or session authentication, JSON in (at most 1 MB) and
out, errors as problem+json, the IP and token throttles, and — unless it is a
public read — ``Cache-Control: no-store``. Public reads (`PublicReadView`) get
``Cache-Control: public, max-age=…`` and a strong ETag of the body, and answer
304 to a matching If-None-Match.

The default permission is "signed in": a view must opt in to being public.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from api import problems
from api.authentication import BearerTokenAuthentication, PortalSessionAuthentication
from api.parsers import LimitedJSONParser
from api.permissions import Authenticated
from api.throttling import IPThrottle, TokenThrottle


class ApiView(APIView):
    authentication_classes = [BearerTokenAuthentication, PortalSessionAuthentication]
    permission_classes = [Authenticated]
    throttle_classes = [IPThrottle, TokenThrottle]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]
    #: public reads set this: shared caches may keep the response
    public_cache = False

    def get_exception_handler(self):
        return problems.exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (self.public_cache and request.method in ("GET", "HEAD")
                and response.status_code == 200):
            return self._cacheable(request, response)
        response["Cache-Control"] = "no-store"
        return response

    def _cacheable(self, request, response):
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        cache_control = f"public, max-age={int(getattr(settings, 'API_PUBLIC_MAX_AGE', 60))}"
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            tags = parse_etags(if_none_match)
            if "*" in tags or etag in tags or etag in {tag.removeprefix("W/") for tag in tags}:
                not_modified = HttpResponseNotModified()
                not_modified["ETag"] = etag
                not_modified["Cache-Control"] = cache_control
                patch_vary_headers(not_modified, ("Accept",))
                return not_modified
        response["ETag"] = etag
        response["Cache-Control"] = cache_control
        patch_vary_headers(response, ("Accept",))
        return response


class PublicReadView(ApiView):
    """Anyone may call it; GET responses are cacheable (ETag, 304)."""

    permission_classes = [AllowAny]
    public_cache = True


class PublicWriteView(ApiView):
    """Anyone may call it (sign-up, login); never cached."""

    permission_classes = [AllowAny]
