"""Shop accounts (協賛店ユーザ): sign-up by e-mail link, and the secretariat's search.

    POST  /api/v1/shop-users/signup            協賛店ユーザ仮登録 (e-mail → link)
    POST  /api/v1/shop-users/signup/complete   協賛店ユーザ登録 (the link's token → account)
    POST  /api/v1/shop-users/token             協賛店ユーザログイン (api/auth.py)
    GET   /api/v1/shop-users                   協賛店ユーザ検索 (secretariat; audited)
    GET   /api/v1/shop-users/me                the caller's shop account and shops

The services are the shop side's own (directory.shops.join), the validation its
form's (JoinCompleteForm: password rules, contact name and phone), the rate limits
its counters (shop-join, shop-join-address, shop-join-complete).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from api import problems
from api.permissions import ShopOwnerOnly, model_permission, owner_of
from api.serializers import (
    InputSerializer,
    PageInputSerializer,
    ShopRefSerializer,
    page_serializer,
    paginate,
)
from api.users import AcceptedSerializer, SignupInputSerializer, _limit, _link_gone
from api.views import ApiView, PublicWriteView
from directory.accounts.ratelimit import client_ip
from directory.accounts.services import LinkError
from directory.accounts.tokens import MAX_TOKEN_LENGTH
from directory.shops import join
from directory.shops.join_forms import JoinCompleteForm
from directory.shops.models import Owner, OwnerShop

TAG = "shop-users"


class ShopUserSignupView(PublicWriteView):
    authentication_classes = []

    @extend_schema(
        operation_id="shop_users_signup", tags=[TAG],
        summary="Provisional shop account registration: e-mail a link",
        request=SignupInputSerializer, responses={202: AcceptedSerializer}, auth=[],
        extensions={"x-legacy-function": "協賛店ユーザ仮登録"},
        description="Always 202: the answer never tells whether the address has an account.",
    )
    def post(self, request):
        _limit(request, scope="shop-join", key=client_ip(request))
        data = SignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].strip().lower()
        _limit(request, scope="shop-join-address", key=email)
        join.shop_account_request_create(email=email, language=get_language())
        return Response({
            "detail": _("If the address can be registered, a link to complete the "
                        "registration has been sent to it."),
            "link_hours": join.join_link_hours(),
        }, status=status.HTTP_202_ACCEPTED)


class ShopUserSignupCompleteInputSerializer(InputSerializer):
    token = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=MAX_TOKEN_LENGTH,
                                   help_text="The token of the e-mailed link.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})
    name = serializers.CharField(max_length=100, help_text="The contact person's name.")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class ShopUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField(source="user.is_active")
    shops = ShopRefSerializer(many=True, source="api_shops")
    created_at = serializers.DateTimeField()


def _with_shops(owners):
    return owners.select_related("user").prefetch_related(Prefetch(
        "owner_shops", queryset=OwnerShop.objects.select_related("shop").order_by("shop_id")))


def _shops_of(owner: Owner) -> Owner:
    owner.api_shops = [link.shop for link in owner.owner_shops.all()]
    return owner


class ShopUserSignupCompleteView(PublicWriteView):
    authentication_classes = []

    @extend_schema(
        operation_id="shop_users_signup_complete", tags=[TAG],
        summary="Complete the shop account registration",
        request=ShopUserSignupCompleteInputSerializer,
        responses={201: ShopUserSerializer,
                   410: OpenApiResponse(description="The link was used or has expired.")},
        auth=[], extensions={"x-legacy-function": "協賛店ユーザ登録"},
    )
    def post(self, request):
        _limit(request, scope="shop-join-complete", key=client_ip(request))
        data = ShopUserSignupCompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        account_request = join.shop_account_request_by_token(token=values["token"])
        state = join.shop_account_request_state(account_request)
        if state == "invalid":
            raise ValidationError({"token": [ErrorDetail(_("This link is not valid."),
                                                         code="invalid")]})
        if state != "valid":
            raise _link_gone(state)
        form_data = QueryDict(mutable=True)
        form_data.update({"password1": values["password"], "password2": values["password"],
                          "contact_name": values["name"], "contact_phone": values["phone"]})
        form = JoinCompleteForm(form_data, email=account_request.email)
        if not form.is_valid():
            rename = {"password1": "password", "password2": "password",
                      "contact_name": "name", "contact_phone": "phone",
                      "__all__": "non_field_errors"}
            errors = {}
            for field, items in form.errors.as_data().items():
                errors.setdefault(rename.get(field, field), []).extend(
                    ErrorDetail(" ".join(str(m) for m in item.messages),
                                code=item.code or "invalid") for item in items)
            raise ValidationError(errors)
        try:
            owner = join.shop_account_complete(
                account_request=account_request, password=values["password"],
                contact=join.OwnerContact(name=form.cleaned_data["contact_name"],
                                          phone=form.cleaned_data["contact_phone"]))
        except LinkError as error:
            raise _link_gone(error.reason) from error
        owner = _shops_of(_with_shops(Owner.objects).get(pk=owner.pk))
        return Response(ShopUserSerializer(owner).data, status=status.HTTP_201_CREATED)


class ShopUserSearchInputSerializer(PageInputSerializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="E-mail address, contact name or phone (part of).")
    shop = serializers.IntegerField(required=False, min_value=1, max_value=2**53,
                                    help_text="Only owners of this shop.")


ShopUserPageSerializer = page_serializer(ShopUserSerializer, "ShopUserPage")


def shop_user_search(*, q: str = "", shop: int | None = None):
    owners = _with_shops(Owner.objects).order_by("-created_at", "-pk")
    for term in q.split():
        owners = owners.filter(Q(user__email__icontains=term) | Q(name__icontains=term)
                               | Q(phone__icontains=term))
    if shop is not None:
        owners = owners.filter(owner_shops__shop_id=shop)
    return owners


class ShopUserSearchView(ApiView):
    permission_classes = [model_permission("shops.view_owner")]

    @extend_schema(operation_id="shop_users_search", tags=[TAG],
                   summary="Search shop accounts (secretariat; recorded in the audit log)",
                   parameters=[ShopUserSearchInputSerializer],
                   responses={200: ShopUserPageSerializer},
                   extensions={"x-legacy-function": "協賛店ユーザ検索"})
    def get(self, request):
        from operations.models import AuditEvent
        from operations.services import audit_record

        params = ShopUserSearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        page = paginate(request, shop_user_search(q=data.get("q", ""), shop=data.get("shop")),
                        page=data["page"], page_size=data["page_size"])
        page["results"] = [_shops_of(owner) for owner in page["results"]]
        audit_record(action=AuditEvent.Action.PERSONAL_DATA_VIEW, request=request._request,
                     object_type="shops.owner",
                     detail={"view": "api:shop_users", "method": "GET",
                             "filters": dict(request.query_params.items()),
                             "ids": [owner.pk for owner in page["results"]]})
        return Response(ShopUserPageSerializer(page).data)


class ShopUserMeView(ApiView):
    permission_classes = [ShopOwnerOnly]

    @extend_schema(operation_id="shop_users_me", tags=[TAG],
                   summary="The caller's shop account and the shops linked to it",
                   responses={200: ShopUserSerializer})
    def get(self, request):
        owner = owner_of(request)
        if owner is None:  # pragma: no cover - ShopOwnerOnly
            raise problems.ApiError(code="not_found", status_code=404)
        owner = _shops_of(_with_shops(Owner.objects).get(pk=owner.pk))
        return Response(ShopUserSerializer(owner).data)
