"""The shop side (協賛店側) and the secretariat's approval, on Wagtail's drafts and workflow.

    POST  /api/v1/manage/shops                     協賛店仮登録 (a new application: an
                                                   unpublished shop as a draft; `submit`
                                                   sends it for approval at once)
    GET   /api/v1/manage/shops/drafts              協賛店一時保存検索
    GET   /api/v1/manage/shops/pending             協賛店認証待ち検索
    GET   /api/v1/manage/shops/{id}                the shop's latest revision and state
    PUT   /api/v1/manage/shops/{id}/draft          協賛店一時保存 (a new draft revision)
    POST  /api/v1/manage/shops/{id}/submission     協賛店仮登録 (send the draft for approval)
    POST  /api/v1/manage/shops/{id}/approval       協賛店情報登録・更新認証 (approve / request
                                                   changes: the workflow task's own actions)
    PUT   /api/v1/manage/shops/{id}                協賛店登録・更新 (the secretariat saves and
                                                   publishes at once)

Shop owners reach only their shops (and their chain's branches), the secretariat
every shop, auditors read everything and change nothing: directory.access
.shops_for_user, and Wagtail's scoped permission policy inside the actions.
"""

from __future__ import annotations

import html

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from api import problems
from api.fields import CodeField, FiniteFloatField
from api.permissions import model_permission
from api.serializers import (
    InputSerializer,
    MasterSerializer,
    MunicipalitySerializer,
    PageInputSerializer,
    ProgrammeSerializer,
    page_serializer,
    paginate,
)
from api.services import shops as shop_services
from api.services.snippets import moderation_state
from api.views import ApiView
from directory import access
from directory.masters.models import BenefitType, Facility, Genre, Municipality, Programme
from directory.shops.models import Shop

TAG = "shop-management"
MAX_CODES = 50


# --- input ----------------------------------------------------------------------------------


def codes_to_objects(model, codes, field: str, **filters):
    codes = list(dict.fromkeys(codes or []))
    found = {obj.code: obj for obj in model.objects.filter(code__in=codes, **filters)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError({field: [ErrorDetail(
            _("Unknown code: %(codes)s.") % {"codes": ", ".join(missing)},
            code="invalid_choice")]})
    return [found[code] for code in codes]


class BenefitInputSerializer(InputSerializer):
    programme = CodeField(help_text="Programme code (maido, enjoy).")
    title = serializers.CharField(max_length=200)
    detail = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    applies_to_branches = serializers.BooleanField(required=False, default=False)


class ShopWriteInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=200)
    name_kana = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                      default="")
    postcode = serializers.CharField(max_length=8, help_text="e.g. 540-8570")
    municipality = CodeField(max_length=6, help_text="Six-digit local government code.")
    address = serializers.CharField(max_length=255)
    building = serializers.CharField(max_length=255, required=False, allow_blank=True,
                                     default="")
    latitude = FiniteFloatField(required=False, allow_null=True, default=None, min_value=-90,
                                max_value=90)
    longitude = FiniteFloatField(required=False, allow_null=True, default=None,
                                 min_value=-180, max_value=180)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    opening_hours = serializers.CharField(max_length=255, required=False, allow_blank=True,
                                          default="")
    regular_holidays = serializers.CharField(max_length=255, required=False, allow_blank=True,
                                             default="")
    website = serializers.URLField(max_length=200, required=False, allow_blank=True,
                                   default="")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                    default="")
    nationwide_mutual_use = serializers.BooleanField(required=False, default=False)
    is_chain_head = serializers.BooleanField(required=False, default=False)
    chain_head_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                             min_value=1, max_value=2**53)
    genres = serializers.ListField(child=CodeField(), required=False, default=list,
                                   max_length=MAX_CODES)
    benefit_types = serializers.ListField(child=CodeField(), required=False, default=list,
                                          max_length=MAX_CODES)
    facilities = serializers.ListField(child=CodeField(), required=False, default=list,
                                       max_length=MAX_CODES)
    benefits = BenefitInputSerializer(many=True, min_length=1, max_length=10,
                                      help_text="One benefit per programme the shop joins.")

    def validate(self, attrs):
        user = self.context["request"].user
        municipality = Municipality.objects.filter(code=attrs["municipality"]).first()
        if municipality is None:
            raise ValidationError({"municipality": [ErrorDetail(
                _("Unknown municipality code."), code="invalid_choice")]})
        values = {name: attrs[name] for name in (
            "name", "name_kana", "postcode", "address", "building", "latitude", "longitude",
            "phone", "opening_hours", "regular_holidays", "comment",
            "nationwide_mutual_use", "is_chain_head")}
        values["municipality"] = municipality
        values["url"] = attrs["website"]
        values["genres"] = codes_to_objects(Genre, attrs["genres"], "genres", for_shops=True)
        values["benefit_types"] = codes_to_objects(BenefitType, attrs["benefit_types"],
                                                   "benefit_types")
        values["facilities"] = codes_to_objects(Facility, attrs["facilities"], "facilities")
        programmes = {p.code: p for p in Programme.objects.all()}
        benefits, seen = [], set()
        for index, item in enumerate(attrs["benefits"]):
            programme = programmes.get(item["programme"])
            if programme is None or programme.code in seen:
                raise ValidationError({"benefits": {index: {"programme": [ErrorDetail(
                    _("Unknown programme code.") if programme is None
                    else _("Give one benefit per programme."),
                    code="invalid_choice" if programme is None else "unique")]}}})
            seen.add(programme.code)
            benefits.append({**item, "programme": programme})
        values["benefits"] = benefits
        values["parent"] = None
        if attrs["chain_head_id"] is not None:
            head = access.shops_choosable_by_user(user).filter(
                pk=attrs["chain_head_id"], is_chain_head=True).first()
            if head is None:
                raise ValidationError({"chain_head_id": [ErrorDetail(
                    _("No chain head shop with this id that you may choose."),
                    code="invalid_choice")]})
            values["parent"] = head
        return values


class ShopApplicationInputSerializer(ShopWriteInputSerializer):
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="Send it for approval at once.")
    publish = serializers.BooleanField(required=False, default=False,
                                       help_text="Publish at once (the secretariat only).")

    def validate(self, attrs):
        flags = {"submit": attrs["submit"], "publish": attrs["publish"]}
        if flags["submit"] and flags["publish"]:
            raise ValidationError({"publish": [ErrorDetail(
                _("Either submit or publish, not both."), code="invalid")]})
        return {**super().validate(attrs), **flags}


class ShopDraftInputSerializer(ShopWriteInputSerializer):
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="Send this draft for approval at once.")

    def validate(self, attrs):
        return {**super().validate(attrs), "submit": attrs["submit"]}


class ApprovalInputSerializer(InputSerializer):
    action = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")],
                                     help_text="approve: publish the submitted revision; "
                                               "reject: request changes (comment required).")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                    default="")

    def validate(self, attrs):
        if attrs["action"] == "reject" and not attrs["comment"].strip():
            raise ValidationError({"comment": [ErrorDetail(
                _("Enter a comment saying what to change."), code="required")]})
        return attrs


def model_errors(error: DjangoValidationError) -> ValidationError:
    """A model's full_clean errors with the API's field names."""
    rename = {"parent": "chain_head_id", "url": "website"}
    items = problems.django_validation_errors(error)
    detail = {}
    for item in items:
        key = rename.get(item["field"], item["field"]) or "non_field_errors"
        detail.setdefault(key, []).append(ErrorDetail(item["detail"], code=item["code"]))
    return ValidationError(detail)


# --- output ----------------------------------------------------------------------------------


class ManagedBenefitSerializer(serializers.Serializer):
    programme = ProgrammeSerializer()
    title = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    applies_to_branches = serializers.BooleanField()


class ShopContentSerializer(serializers.Serializer):
    """The shop as its latest revision has it (the draft, or the published version)."""

    name = serializers.CharField()
    name_kana = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField()
    municipality = MunicipalitySerializer(allow_null=True)
    address = serializers.CharField()
    building = serializers.CharField(allow_blank=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    phone = serializers.CharField(allow_blank=True)
    opening_hours = serializers.CharField(allow_blank=True)
    regular_holidays = serializers.CharField(allow_blank=True)
    website = serializers.CharField(source="url", allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    nationwide_mutual_use = serializers.BooleanField()
    is_chain_head = serializers.BooleanField()
    chain_head_id = serializers.IntegerField(source="parent_id", allow_null=True)
    genres = MasterSerializer(many=True, source="genres.all")
    benefit_types = MasterSerializer(many=True, source="benefit_types.all")
    facilities = MasterSerializer(many=True, source="facilities.all")
    benefits = ManagedBenefitSerializer(many=True, source="benefits.all")


class ModerationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(code, code) for code in ("live", "draft", "in_moderation", "needs_changes",
                                           "not_live")],
        help_text="live: published; draft: published, with unsubmitted changes; "
                  "in_moderation: awaiting approval; needs_changes: returned with a comment; "
                  "not_live: not published (a new application).")
    label = serializers.CharField(help_text="The status as the shop dashboard shows it.")
    workflow = serializers.CharField(allow_null=True)
    task = serializers.CharField(allow_null=True)
    requested_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(allow_blank=True,
                                    help_text="The reviewer's comment when changes are requested.")


class ManagedShopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    live = serializers.BooleanField()
    has_unpublished_changes = serializers.BooleanField()
    moderation = serializers.SerializerMethodField()
    latest_revision_id = serializers.IntegerField(allow_null=True)
    latest_revision_created_at = serializers.DateTimeField(
        source="latest_revision.created_at", allow_null=True, default=None)
    web_url = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()

    @extend_schema_field(ModerationSerializer)
    def get_moderation(self, shop):
        return ModerationSerializer(moderation_state(shop)).data

    def get_web_url(self, shop) -> str | None:
        return shop.get_absolute_url() if shop.live else None

    @extend_schema_field(ShopContentSerializer)
    def get_content(self, shop):
        return ShopContentSerializer(shop.get_latest_revision_as_object()).data


class ManagedShopListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    municipality = MunicipalitySerializer()
    live = serializers.BooleanField()
    moderation = serializers.SerializerMethodField()
    latest_revision_created_at = serializers.DateTimeField(
        source="latest_revision.created_at", allow_null=True, default=None)

    def get_name(self, shop) -> str:
        revision = shop.latest_revision
        return html.unescape(revision.object_str) if revision and revision.object_str \
            else shop.name

    @extend_schema_field(ModerationSerializer)
    def get_moderation(self, shop):
        return ModerationSerializer(moderation_state(shop)).data


ManagedShopPageSerializer = page_serializer(ManagedShopListItemSerializer, "ManagedShopPage")


# --- views ------------------------------------------------------------------------------------


def _shop_in_scope(request, pk) -> Shop:
    return access.shop_for_user(request.user, pk)


def _managed(shop: Shop, *, status_code=200) -> Response:
    shop = Shop.objects.select_related("latest_revision").get(pk=shop.pk)
    return Response(ManagedShopSerializer(shop).data, status=status_code)


WRITE_ERRORS = {
    409: OpenApiResponse(description="Locked (awaiting approval), or no workflow (problem "
                                     "codes locked, workflow_state, no_workflow)."),
}


class ShopApplicationView(ApiView):
    permission_classes = [model_permission("shops.add_shop")]

    @extend_schema(
        operation_id="manage_shops_create", tags=[TAG],
        summary="Apply: a new shop, saved as a draft (or sent for approval)",
        request=ShopApplicationInputSerializer,
        responses={201: ManagedShopSerializer, **WRITE_ERRORS},
        extensions={"x-legacy-function": "協賛店仮登録"},
    )
    def post(self, request):
        data = ShopApplicationInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        submit, publish = values.pop("submit"), values.pop("publish")
        try:
            if publish:
                if not request.user.has_perm("shops.publish_shop"):
                    raise problems.ApiError(_("Only the secretariat may publish."),
                                            code="permission_denied",
                                            status_code=status.HTTP_403_FORBIDDEN)
                shop = shop_services.shop_create_publish(user=request.user, data=values)
            else:
                shop = shop_services.shop_application_create(user=request.user, data=values,
                                                             submit=submit)
        except DjangoValidationError as error:
            raise model_errors(error) from error
        return _managed(shop, status_code=status.HTTP_201_CREATED)


class ShopDraftListView(ApiView):
    permission_classes = [model_permission("shops.view_shop")]

    @extend_schema(operation_id="manage_shops_drafts", tags=[TAG],
                   summary="Shops with a draft not yet published (in the caller's scope)",
                   parameters=[PageInputSerializer],
                   responses={200: ManagedShopPageSerializer},
                   extensions={"x-legacy-function": "協賛店一時保存検索"})
    def get(self, request):
        params = PageInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(request, shop_services.shop_drafts_for_user(request.user),
                        page=params.validated_data["page"],
                        page_size=params.validated_data["page_size"])
        return Response(ManagedShopPageSerializer(page).data)


class ShopPendingListView(ApiView):
    permission_classes = [model_permission("shops.view_shop")]

    @extend_schema(operation_id="manage_shops_pending", tags=[TAG],
                   summary="Shops awaiting approval (in the caller's scope), oldest first",
                   parameters=[PageInputSerializer],
                   responses={200: ManagedShopPageSerializer},
                   extensions={"x-legacy-function": "協賛店認証待ち検索"})
    def get(self, request):
        params = PageInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(request, shop_services.shops_awaiting_approval_for_user(request.user),
                        page=params.validated_data["page"],
                        page_size=params.validated_data["page_size"])
        return Response(ManagedShopPageSerializer(page).data)


class ManagedShopView(ApiView):
    def get_permissions(self):
        method = getattr(getattr(self, "request", None), "method", "GET")
        perm = "shops.view_shop" if method in ("GET", "HEAD") else "shops.publish_shop"
        return [model_permission(perm)()]

    @extend_schema(operation_id="manage_shops_read", tags=[TAG],
                   summary="A shop in the caller's scope: latest revision and approval state",
                   responses={200: ManagedShopSerializer},
                   extensions={"x-legacy-function": "協賛店一時保存検索"})
    def get(self, request, pk: int):
        return _managed(_shop_in_scope(request, pk))

    @extend_schema(operation_id="manage_shops_update", tags=[TAG],
                   summary="Update and publish at once (the secretariat)",
                   request=ShopWriteInputSerializer,
                   responses={200: ManagedShopSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "協賛店登録・更新"})
    def put(self, request, pk: int):
        shop = _shop_in_scope(request, pk)
        data = ShopWriteInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            shop = shop_services.shop_update_publish(user=request.user, shop=shop,
                                                     data=data.validated_data)
        except DjangoValidationError as error:
            raise model_errors(error) from error
        return _managed(shop)


class ShopDraftView(ApiView):
    permission_classes = [model_permission("shops.change_shop")]

    @extend_schema(operation_id="manage_shops_draft_save", tags=[TAG],
                   summary="Save a draft (the published listing is unchanged)",
                   request=ShopDraftInputSerializer,
                   responses={200: ManagedShopSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "協賛店一時保存"})
    def put(self, request, pk: int):
        shop = _shop_in_scope(request, pk)
        data = ShopDraftInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        submit = values.pop("submit")
        try:
            shop = shop_services.shop_draft_save(user=request.user, shop=shop, data=values,
                                                 submit=submit)
        except DjangoValidationError as error:
            raise model_errors(error) from error
        return _managed(shop)


class ShopSubmissionView(ApiView):
    permission_classes = [model_permission("shops.change_shop")]

    @extend_schema(operation_id="manage_shops_submit", tags=[TAG],
                   summary="Send the latest draft for approval (workflow 協賛店承認)",
                   request=None, responses={200: ManagedShopSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "協賛店仮登録"})
    def post(self, request, pk: int):
        shop = _shop_in_scope(request, pk)
        shop_services.shop_submit(user=request.user, shop=shop)
        return _managed(shop)


class ShopApprovalView(ApiView):
    permission_classes = [model_permission("shops.publish_shop")]

    @extend_schema(operation_id="manage_shops_approval", tags=[TAG],
                   summary="Approve (publish) or request changes: the approval task's actions",
                   request=ApprovalInputSerializer,
                   responses={200: ManagedShopSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "協賛店情報登録・更新認証"})
    def post(self, request, pk: int):
        shop = _shop_in_scope(request, pk)
        data = ApprovalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shop = shop_services.shop_moderate(user=request.user, shop=shop,
                                           action=data.validated_data["action"],
                                           comment=data.validated_data["comment"])
        return _managed(shop)

