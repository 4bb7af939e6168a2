"""Login for the app and outside clients: bearer tokens.

    POST    /api/v1/auth/token           ユーザログイン: e-mail + password → a new token
    POST    /api/v1/shop-users/token     協賛店ユーザログイン: the same, for shop accounts
    DELETE  /api/v1/auth/token           revoke the token of this request (log out)
    GET     /api/v1/auth/tokens          the caller's tokens (also on the account page)
    DELETE  /api/v1/auth/tokens/{id}     revoke one of them

Login is limited exactly as the web login form (directory.accounts.services:
per client IP and a per-account lockout, sharing their counters, so the API is
no way around them); a refused attempt is 429 with Retry-After. Users who must
use a second factor in the admin (secretariat, municipal staff, superusers)
also send `otp`: a code of their authenticator app or a recovery code.
"""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api import problems, tokens
from api.serializers import InputSerializer
from api.views import ApiView, PublicWriteView
from directory.accounts import services as account_services
from directory.accounts.forms import normalise_email
from directory.accounts.ratelimit import client_ip

TAG = "auth"


class LoginInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="",
                                 help_text="A label for the device or client, shown in the "
                                           "member's token list.")
    otp = serializers.RegexField(r"^[0-9A-Za-z-]{6,20}$", required=False,
                                 help_text="Second factor (authenticator or recovery code), "
                                           "for back-office accounts.")


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    prefix = serializers.CharField(help_text="The first characters of the token.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()
    current = serializers.SerializerMethodField()

    def get_current(self, token) -> bool:
        current = self.context.get("current")
        return current is not None and current.pk == token.pk


class IssuedTokenSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The bearer token. Shown only in this response.")
    token_type = serializers.CharField(default="Bearer")
    user_id = serializers.IntegerField(source="user.pk")
    roles = serializers.ListField(child=serializers.CharField())


class TokenListSerializer(serializers.Serializer):
    results = TokenSerializer(many=True)


def user_roles(user) -> list[str]:
    from api.permissions import is_secretariat
    from directory.accounts.roles import AUDITOR, MUNICIPAL_STAFF
    from directory.members.models import Member
    from directory.shops.models import Owner

    roles = []
    if Member.objects.filter(user=user).exists():
        roles.append("member")
    if Owner.objects.filter(user=user).exists():
        roles.append("shop_owner")
    if is_secretariat(user):
        roles.append("secretariat")
    groups = set(user.groups.values_list("name", flat=True))
    if MUNICIPAL_STAFF in groups and user.municipality_id:
        roles.append("municipal_staff")
    if AUDITOR in groups:
        roles.append("auditor")
    return roles


def _throttled(retry_after: int, detail: str):
    return problems.ApiError(detail, code="login_blocked",
                             status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                             headers={"Retry-After": str(max(1, int(retry_after)))})


def login_for_token(request, *, require=None):
    """The login step shared by both token endpoints (returns a Response)."""
    from staffauth import services as staff

    data = LoginInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    email = normalise_email(data.validated_data["email"])[:254]
    ip = client_ip(request)
    blocked = account_services.login_blocked(email=email, ip=ip)
    if blocked:
        _reason, retry_after = blocked
        raise _throttled(retry_after, _("Too many login attempts. Try again later."))
    user = authenticate(request._request, email=email,
                        password=data.validated_data["password"])
    if user is None:
        account_services.login_failure_record(email=email, ip=ip)
        # Returned, not raised: the failure's audit record must not be rolled back.
        return Response(problems.problem_body(
            status_code=400, code="invalid_credentials", instance=request.path,
            detail=_("The e-mail address or the password is not correct. Check them and "
                     "try again.")),
            status=400, content_type=problems.PROBLEM_CONTENT_TYPE)
    if staff.two_factor_required(user) or staff.device_for(user) is not None:
        code = data.validated_data.get("otp")
        if not code or staff.code_verify(user, code) is None:
            raise problems.ApiError(
                _("This account uses a second factor: send the code of your authenticator "
                  "app in “otp”. Set it up in the admin first if you have not."),
                code="two_factor_required", status_code=status.HTTP_403_FORBIDDEN)
    if require is not None and not require(user):
        raise problems.ApiError(_("This is not a shop account."), code="permission_denied",
                                status_code=status.HTTP_403_FORBIDDEN)
    account_services.login_failures_clear(email=email)
    token, raw = tokens.api_token_issue(user=user, name=data.validated_data["name"])
    user_logged_in.send(sender=user.__class__, request=request._request, user=user)
    token.token = raw
    token.token_type = "Bearer"
    token.roles = user_roles(user)
    return Response(IssuedTokenSerializer(token).data, status=status.HTTP_201_CREATED)


LOGIN_RESPONSES = {
    201: IssuedTokenSerializer,
    400: OpenApiResponse(description="Invalid fields, or wrong e-mail address or password "
                                     "(code invalid_credentials)."),
    403: OpenApiResponse(description="A second factor is needed (two_factor_required)."),
    429: OpenApiResponse(description="Too many attempts from this IP or for this account."),
}


class TokenView(ApiView):
    """POST: log in (anyone); DELETE: revoke the token used for this request."""

    def _is_login(self) -> bool:
        return getattr(getattr(self, "request", None), "method", None) == "POST"

    def get_authenticators(self):
        if self._is_login():
            return []  # a login needs no credentials (and ignores a stale session)
        return super().get_authenticators()

    def get_permissions(self):
        if self._is_login():
            return [AllowAny()]
        return super().get_permissions()

    @extend_schema(operation_id="auth_token_create", tags=[TAG],
                   summary="Log in: a bearer token for e-mail and password",
                   request=LoginInputSerializer, responses=LOGIN_RESPONSES, auth=[],
                   extensions={"x-legacy-function": "ユーザログイン"})
    def post(self, request):
        return login_for_token(request)

    @extend_schema(operation_id="auth_token_revoke_current", tags=[TAG],
                   summary="Log out: revoke the token of this request",
                   responses={204: None, 409: OpenApiResponse(
                       description="The request was not made with a token.")})
    def delete(self, request):
        token = request.auth
        if token is None or not hasattr(token, "pk"):
            raise problems.conflict(_("This request was not made with a bearer token."))
        tokens.api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShopUserTokenView(PublicWriteView):
    authentication_classes = []

    @extend_schema(operation_id="shop_users_token_create", tags=["shop-users"],
                   summary="Shop account login: a bearer token",
                   request=LoginInputSerializer, responses=LOGIN_RESPONSES, auth=[],
                   extensions={"x-legacy-function": "協賛店ユーザログイン"})
    def post(self, request):
        from directory.shops.models import Owner

        return login_for_token(
            request, require=lambda user: Owner.objects.filter(user=user).exists())


class TokenListView(ApiView):
    @extend_schema(operation_id="auth_tokens_list", tags=[TAG],
                   summary="The caller's tokens (active, expired and revoked)",
                   responses={200: TokenListSerializer})
    def get(self, request):
        rows = tokens.api_tokens_for_user(request.user)[:100]
        current = request.auth if hasattr(request.auth, "pk") else None
        return Response(TokenListSerializer({"results": rows},
                                            context={"current": current}).data)


class TokenDetailView(ApiView):
    @extend_schema(operation_id="auth_tokens_revoke", tags=[TAG],
                   summary="Revoke one of the caller's tokens", responses={204: None})
    def delete(self, request, pk: int):
        token = tokens.api_token_for_user(request.user, pk)
        if token is None:
            raise problems.ApiError(gettext_lazy("No such token."), code="not_found",
                                    status_code=status.HTTP_404_NOT_FOUND)
        tokens.api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
