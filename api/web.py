"""Plain Django views of the api app (not part of the JSON API's schema):

- the catch-all 404 under /api/ (problem+json, not the site's HTML page);
- revoking a token from the member's account page (an HTML form with CSRF, the
  session of the portal's own pages), see templates/api/includes/api_tokens.html.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from api import problems, tokens


class PermanentRedirect308(HttpResponsePermanentRedirect):
    """308: like 301, but the method and body are kept (a POST stays a POST)."""

    status_code = 308


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other address under /api/: a problem+json 404 (not the site's HTML page).

    An endpoint's address with a trailing slash (/api/v1/shops/) is redirected with
    308 to the address without it: the API's paths have none."""
    path = request.path
    if path.endswith("/") and path.rstrip("/").count("/") >= 2:
        try:
            match = resolve(path.rstrip("/"))
        except Resolver404:
            match = None
        if match is not None and match.url_name not in ("not_found", None):
            query = request.META.get("QUERY_STRING", "")
            return PermanentRedirect308(path.rstrip("/") + (f"?{query}" if query else ""))
    return problems.problem_response(request, status=404, code="not_found")


@require_POST
@login_required(login_url="accounts:login")
def token_revoke(request, pk: int):
    token = tokens.api_token_for_user(request.user, pk)
    if token is None:
        raise Http404
    tokens.api_token_revoke(token=token)
    messages.success(request, _("The app “%(name)s” is signed out.") % {
        "name": token.name or token.prefix})
    return redirect("accounts:mypage")
