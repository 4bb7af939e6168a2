"""How API requests are authenticated.

1. `BearerTokenAuthentication`: ``Authorization: Bearer pp_…`` (the app and outside
   clients). An unknown, expired or revoked token is refused with 401 and a
   problem code saying which (token_invalid, token_expired, token_revoked); it
   never falls back to the session.
2. `PortalSessionAuthentication`: the portal's own pages (session cookie), with
   DRF's CSRF check on unsafe methods. A back-office user who must use a second
   factor counts as signed in only when this session passed it (staffauth), so
   the API is no way around the admin's TOTP step.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, get_authorization_header

from api import tokens

BEARER = b"bearer"


class TokenProblem(exceptions.AuthenticationFailed):
    """401 with a stable problem code."""

    def __init__(self, detail, code):
        super().__init__(detail=detail, code=code)
        self.problem_code = code


class BearerTokenAuthentication:
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != BEARER:
            return None
        if len(header) != 2:
            raise TokenProblem(_("The Authorization header must be “Bearer <token>”."),
                               "token_invalid")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise TokenProblem(_("The token is not valid."), "token_invalid") from error
        token = tokens.api_token_by_raw(raw=raw)
        if token is None or not token.user.is_active:
            raise TokenProblem(_("The token is not valid."), "token_invalid")
        if token.is_revoked:
            raise TokenProblem(_("The token has been revoked. Log in again."), "token_revoked")
        if token.is_expired:
            raise TokenProblem(_("The token has expired. Log in again."), "token_expired")
        tokens.api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class PortalSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _auth = result
        from staffauth import services as staff

        if (staff.two_factor_required(user) or staff.device_for(user) is not None) and \
                not staff.session_is_verified(request._request):
            return None
        return result

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as error:
            raise exceptions.PermissionDenied(detail=str(error.detail),
                                              code="csrf_failed") from error


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A token from POST /api/v1/auth/token (30 days, revocable)."}


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PortalSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The portal's own pages: session cookie, with the CSRF "
                               "token in X-CSRFToken on unsafe methods."}
