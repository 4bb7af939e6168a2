"""Members (会員): sign-up, profile, the secretariat's member search, favourites.

    POST    /api/v1/users/signup                     ユーザ仮登録 (e-mail → link)
    POST    /api/v1/users/signup/complete            ユーザ登録・更新 (the link's token →
                                                     account and member record)
    GET     /api/v1/users/me                         the caller's profile and cards
    PATCH   /api/v1/users/me                         ユーザ登録・更新 (profile update)
    GET     /api/v1/users                            ユーザ検索 (secretariat; audited)
    GET     /api/v1/users/me/favourites              the caller's favourite shops
    PUT     /api/v1/users/me/favourites/{shop_id}    お気に入り登録・削除 (add)
    DELETE  /api/v1/users/me/favourites/{shop_id}    お気に入り登録・削除 (remove)

Sign-up and the profile reuse the web forms' rules (directory.members.forms.
ProfileForm, the password validators) and services (directory.accounts.services,
directory.members.services, directory.members.favourites); the sign-up is rate
limited with the web form's counters. No answer tells whether an e-mail
address is registered. Member data is only ever the caller's own (no member id
in any URL), except for the secretariat's search, which is written to the
audit log.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from api import problems
from api.fields import CodeField
from api.permissions import MemberOnly, member_of, model_permission
from api.serializers import (
    InputSerializer,
    MasterSerializer,
    MunicipalitySerializer,
    PageInputSerializer,
    ShopRefSerializer,
    page_serializer,
    paginate,
)
from api.views import ApiView, PublicWriteView
from directory.accounts import selectors as account_selectors
from directory.accounts import services as account_services
from directory.accounts.models import User
from directory.accounts.ratelimit import client_ip, ip_limit_settings, rate_limit_hit
from directory.accounts.tokens import MAX_TOKEN_LENGTH
from directory.members import favourites as favourite_services
from directory.members import selectors as member_selectors
from directory.members import services as member_services
from directory.members.eligibility import member_eligibility
from directory.members.forms import MAX_CHILD_ROWS, ProfileForm, profile_initial
from directory.members.models import Member
from directory.shops.models import Shop

TAG = "users"
PROFILE_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana",
                  "municipality", "child_birth_dates", "due_date", "marriage_date",
                  "planned_marriage_date", "preferred_genres", "preferred_benefit_types",
                  "notify_by_email", "notify_by_push")


# --- rate limits shared with the web forms ------------------------------------------------


def _limit(request, *, scope: str, key: str) -> None:
    limit, window = ip_limit_settings()
    result = rate_limit_hit(scope=scope, key=key, limit=limit, window=window)
    if not result.allowed:
        raise problems.ApiError(
            _("Too many requests. Try again later."), code="throttled",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(max(1, result.retry_after))})


# --- profile input (validated again by the web's ProfileForm) --------------------------------


class ProfileInputSerializer(InputSerializer):
    family_name = serializers.CharField(max_length=50)
    given_name = serializers.CharField(max_length=50)
    family_name_kana = serializers.CharField(max_length=50, required=False, allow_blank=True)
    given_name_kana = serializers.CharField(max_length=50, required=False, allow_blank=True)
    municipality = CodeField(max_length=6, help_text="Six-digit local government code.")
    child_birth_dates = serializers.ListField(child=serializers.DateField(), required=False,
                                              max_length=MAX_CHILD_ROWS)
    due_date = serializers.DateField(required=False, allow_null=True)
    marriage_date = serializers.DateField(required=False, allow_null=True)
    planned_marriage_date = serializers.DateField(required=False, allow_null=True)
    preferred_genres = serializers.ListField(child=CodeField(), required=False, max_length=50)
    preferred_benefit_types = serializers.ListField(child=CodeField(), required=False,
                                                    max_length=50)
    notify_by_email = serializers.BooleanField(required=False)
    notify_by_push = serializers.BooleanField(required=False)


class ProfileUpdateInputSerializer(ProfileInputSerializer):
    """PATCH: every field optional; the rest of the profile stays as it is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "on" if value else ""
    return value


def profile_form_validate(values: dict, *, member: Member | None) -> ProfileForm:
    """Run the web's ProfileForm on API values; its errors become the API's field errors."""
    data = QueryDict(mutable=True)
    dates = list(values.get("child_birth_dates") or [])
    for name in PROFILE_FIELDS:
        value = values.get(name)
        if name == "child_birth_dates" or value is None:
            continue
        if isinstance(value, list | tuple):
            data.setlist(name, [str(item) for item in value])
        elif not (isinstance(value, bool) and not value):
            data[name] = _form_value(value)
    for index, day in enumerate(dates, start=1):
        data[f"child_{index}"] = day.isoformat()
    form = ProfileForm(data, member=member, child_rows=len(dates))
    if not form.is_valid():
        errors = {}
        for field, items in form.errors.as_data().items():
            key = field
            if field.startswith("child_"):
                key = f"child_birth_dates[{int(field.split('_')[1]) - 1}]"
            elif field == "__all__":
                key = "non_field_errors"
            errors[key] = [ErrorDetail(" ".join(str(m) for m in item.messages),
                                       code=item.code or "invalid") for item in items]
        raise ValidationError(errors)
    return form


def profile_values_of(member: Member) -> dict:
    initial = profile_initial(member)
    values = {name: initial.get(name) for name in PROFILE_FIELDS if name in initial}
    values["child_birth_dates"] = list(initial["children"])
    return values


# --- output ----------------------------------------------------------------------------------


class ChildSerializer(serializers.Serializer):
    birth_date = serializers.DateField()
    nickname = serializers.CharField(allow_blank=True)


class CardSerializer(serializers.Serializer):
    programme = serializers.CharField(source="programme.code")
    programme_name = serializers.CharField(source="programme.name")
    eligible = serializers.BooleanField()
    valid_until = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(), source="reason_codes")


class MemberProfileSerializer(serializers.Serializer):
    member_number = serializers.CharField()
    email = serializers.EmailField(source="user.email")
    family_name = serializers.CharField(allow_blank=True)
    given_name = serializers.CharField(allow_blank=True)
    family_name_kana = serializers.CharField(allow_blank=True)
    given_name_kana = serializers.CharField(allow_blank=True)
    municipality = MunicipalitySerializer(allow_null=True)
    children = ChildSerializer(many=True, source="children.all")
    due_date = serializers.DateField(allow_null=True)
    marriage_date = serializers.DateField(allow_null=True)
    planned_marriage_date = serializers.DateField(allow_null=True)
    preferred_genres = MasterSerializer(many=True, source="preferred_genres.all")
    preferred_benefit_types = MasterSerializer(many=True, source="preferred_benefit_types.all")
    notify_by_email = serializers.BooleanField()
    notify_by_push = serializers.BooleanField()
    cards = serializers.SerializerMethodField(help_text="Eligibility per programme, today.")
    registered_at = serializers.DateTimeField(source="created_at")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(CardSerializer(many=True))
    def get_cards(self, member):
        results = member_eligibility(member, today=timezone.localdate())
        return CardSerializer(results, many=True).data


def _profile_response(member: Member, *, status_code=200):
    member = account_selectors.member_of_user(member.user)
    return Response(MemberProfileSerializer(member).data, status=status_code)


# --- sign-up -------------------------------------------------------------------------------------


class SignupInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    agree_terms = serializers.BooleanField(
        help_text="The terms of use and the handling of personal data were accepted.")

    def validate_agree_terms(self, value):
        if not value:
            raise ValidationError(_("To register, agree to the terms of use."), code="required")
        return value


class AcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    link_hours = serializers.IntegerField(help_text="How long the e-mailed link works.")


class SignupView(PublicWriteView):
    authentication_classes = []

    @extend_schema(
        operation_id="users_signup", tags=[TAG], summary="Provisional sign-up: e-mail a link",
        request=SignupInputSerializer, responses={202: AcceptedSerializer}, auth=[],
        extensions={"x-legacy-function": "ユーザ仮登録"},
        description="Always 202: the answer never tells whether the address has an "
                    "account (an account holder gets a mail saying so instead).",
    )
    def post(self, request):
        _limit(request, scope="signup", key=client_ip(request))
        data = SignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].strip().lower()
        _limit(request, scope="signup-address", key=email)
        account_services.signup_request_create(email=email, language=get_language())
        return Response({
            "detail": _("If the address can be registered, a link to complete the "
                        "registration has been sent to it."),
            "link_hours": account_services.signup_link_hours(),
        }, status=status.HTTP_202_ACCEPTED)


class SignupCompleteInputSerializer(ProfileInputSerializer):
    token = serializers.RegexField(r"^[A-Za-z0-9_-]+$", max_length=MAX_TOKEN_LENGTH,
                                   help_text="The token of the e-mailed link.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})


class SignupCompleteView(PublicWriteView):
    authentication_classes = []

    @extend_schema(
        operation_id="users_signup_complete", tags=[TAG],
        summary="Complete the sign-up: account and member record",
        request=SignupCompleteInputSerializer,
        responses={201: MemberProfileSerializer,
                   410: OpenApiResponse(description="The link was used or has expired.")},
        auth=[], extensions={"x-legacy-function": "ユーザ登録・更新"},
    )
    def post(self, request):
        _limit(request, scope="signup-complete", key=client_ip(request))
        data = SignupCompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        signup_request = account_selectors.signup_request_by_token(token=values["token"])
        state = account_selectors.signup_request_state(signup_request)
        if state == "invalid":
            raise ValidationError({"token": [ErrorDetail(_("This link is not valid."),
                                                         code="invalid")]})
        if state != "valid":
            raise _link_gone(state)
        form = profile_form_validate(values, member=None)
        try:
            password_validation.validate_password(values["password"],
                                                  User(email=signup_request.email))
        except DjangoValidationError as error:
            raise ValidationError({"password": [ErrorDetail(str(m), code="password")
                                                for m in error.messages]}) from error
        try:
            member = account_services.signup_complete(
                signup_request=signup_request, password=values["password"],
                profile=form.profile_data())
        except account_services.LinkError as error:
            raise _link_gone(error.reason) from error
        return _profile_response(member, status_code=status.HTTP_201_CREATED)


def _link_gone(reason: str):
    return problems.ApiError(
        _("This link has already been used.") if reason == "used"
        else _("This link has expired. Sign up again to get a new one."),
        code=f"link_{reason}", status_code=status.HTTP_410_GONE)


# --- my profile -------------------------------------------------------------------------------


class MeView(ApiView):
    permission_classes = [MemberOnly]

    @extend_schema(operation_id="users_me", tags=[TAG], summary="The caller's member profile",
                   responses={200: MemberProfileSerializer})
    def get(self, request):
        return _profile_response(member_of(request))

    @extend_schema(operation_id="users_me_update", tags=[TAG],
                   summary="Update the caller's member profile",
                   request=ProfileUpdateInputSerializer,
                   responses={200: MemberProfileSerializer},
                   extensions={"x-legacy-function": "ユーザ登録・更新"})
    def patch(self, request):
        member = account_selectors.member_of_user(request.user)
        data = ProfileUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {**profile_values_of(member), **data.validated_data}
        form = profile_form_validate(values, member=member)
        member_services.member_profile_update(member=member, profile=form.profile_data())
        return _profile_response(member)


# --- the secretariat's member search -------------------------------------------------------------


class MemberSearchInputSerializer(PageInputSerializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="E-mail address, member number or name (part of).")
    municipality = CodeField(required=False, max_length=6)


class MemberListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member_number = serializers.CharField()
    email = serializers.EmailField(source="user.email")
    family_name = serializers.CharField(allow_blank=True)
    given_name = serializers.CharField(allow_blank=True)
    municipality = MunicipalitySerializer(allow_null=True)
    is_active = serializers.BooleanField(source="user.is_active")
    registered_at = serializers.DateTimeField(source="created_at")


MemberPageSerializer = page_serializer(MemberListItemSerializer, "MemberPage")


def member_search(*, q: str = "", municipality: str = ""):
    members = Member.objects.select_related("user", "municipality").order_by("-created_at", "-pk")
    for term in q.split():
        members = members.filter(
            Q(user__email__icontains=term) | Q(member_number__startswith=term)
            | Q(family_name__icontains=term) | Q(given_name__icontains=term)
            | Q(family_name_kana__icontains=term) | Q(given_name_kana__icontains=term))
    if municipality:
        members = members.filter(municipality__code=municipality)
    return members


class MemberSearchView(ApiView):
    permission_classes = [model_permission("members.view_member")]

    @extend_schema(operation_id="users_search", tags=[TAG],
                   summary="Search members (secretariat; recorded in the audit log)",
                   parameters=[MemberSearchInputSerializer],
                   responses={200: MemberPageSerializer},
                   extensions={"x-legacy-function": "ユーザ検索"})
    def get(self, request):
        from operations.models import AuditEvent
        from operations.services import audit_record

        params = MemberSearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        page = paginate(request, member_search(q=data.get("q", ""),
                                               municipality=data.get("municipality", "")),
                        page=data["page"], page_size=data["page_size"])
        audit_record(action=AuditEvent.Action.PERSONAL_DATA_VIEW, request=request._request,
                     object_type="members.member",
                     detail={"view": "api:users", "method": "GET",
                             "filters": dict(request.query_params.items()),
                             "ids": [member.pk for member in page["results"]]})
        return Response(MemberPageSerializer(page).data)


# --- favourites -------------------------------------------------------------------------------------


class FavouriteSerializer(serializers.Serializer):
    shop = ShopRefSerializer()
    added_at = serializers.DateTimeField(source="created_at")


class FavouriteListSerializer(serializers.Serializer):
    results = FavouriteSerializer(many=True)


class FavouriteStateSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField()
    favourite = serializers.BooleanField()


class FavouriteListView(ApiView):
    permission_classes = [MemberOnly]

    @extend_schema(operation_id="users_me_favourites", tags=[TAG],
                   summary="The caller's favourite shops (published ones), newest first",
                   responses={200: FavouriteListSerializer})
    def get(self, request):
        favourites = member_selectors.favourite_list(member_of(request))[:500]
        return Response(FavouriteListSerializer({"results": favourites}).data)


class FavouriteView(ApiView):
    permission_classes = [MemberOnly]

    @extend_schema(operation_id="users_me_favourites_add", tags=[TAG],
                   summary="Add a published shop to the caller's favourites (idempotent)",
                   request=None, responses={200: FavouriteStateSerializer},
                   extensions={"x-legacy-function": "お気に入り登録・削除"})
    def put(self, request, shop_id: int):
        shop = member_selectors.live_shop(shop_id=shop_id)
        favourite_services.favourite_set(member=member_of(request), shop=shop, favourite=True)
        return Response({"shop_id": shop.pk, "favourite": True})

    @extend_schema(operation_id="users_me_favourites_remove", tags=[TAG],
                   summary="Remove a shop from the caller's favourites (idempotent)",
                   responses={204: None},
                   extensions={"x-legacy-function": "お気に入り登録・削除"})
    def delete(self, request, shop_id: int):
        shop = Shop.objects.filter(pk=shop_id).only("pk").first()
        if shop is None:
            raise Http404
        favourite_services.favourite_set(member=member_of(request), shop=shop, favourite=False)
        return Response(status=status.HTTP_204_NO_CONTENT)
