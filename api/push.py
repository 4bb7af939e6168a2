"""Push notifications: device registration and campaign registration.

    POST  /api/v1/push/subscriptions              プッシュ通知ユーザ登録 (a browser's
                                                  subscription; linked to the member
                                                  when a member calls)
    POST  /api/v1/push/subscriptions/remove       forget a subscription (with its secret)
    GET   /api/v1/push/subscriptions              the calling member's devices
    POST  /api/v1/manage/push/campaigns           プッシュ通知登録 (secretariat: a campaign
                                                  and its targeting, as a draft)
    GET   /api/v1/manage/push/campaigns/{id}      a campaign and the size of its audience

Endpoints are accepted only on the push services' hosts (PUSH_ENDPOINT_HOST_SUFFIXES),
over https: the server will POST to them when sending, so an endpoint must never
point at an internal address.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.content_management import model_errors
from api.fields import CodeField
from api.permissions import MemberOnly, SecretariatOnly, member_of
from api.serializers import InputSerializer
from api.services import push as push_services
from api.shop_management import codes_to_objects
from api.views import ApiView, PublicWriteView
from directory.masters.models import Area, BenefitType, Genre, Municipality, Programme
from notifications.models import Campaign, PushSubscription
from notifications.services import endpoint_allowed, payload_fits

TAG = "push"
BASE64URL = r"^[A-Za-z0-9_-]+={0,2}$"


def endpoint_host_allowed(url: str) -> bool:
    """https on a push service's host (or a test's local fake origin): notifications/."""
    return endpoint_allowed(url)


class SubscriptionKeysInputSerializer(InputSerializer):
    p256dh = serializers.RegexField(BASE64URL, min_length=80, max_length=100)
    auth = serializers.RegexField(BASE64URL, min_length=16, max_length=32)


class SubscriptionInputSerializer(InputSerializer):
    endpoint = serializers.URLField(max_length=1000,
                                    help_text="PushSubscription.endpoint of the browser.")
    keys = SubscriptionKeysInputSerializer()
    device_label = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                         default="")
    general_news_only = serializers.BooleanField(
        required=False, default=False,
        help_text="Only general news (no targeted campaigns); implied when signed out.")

    def validate_endpoint(self, value):
        if not endpoint_host_allowed(value):
            raise ValidationError(_("This is not the address of a known push service."),
                                  code="invalid")
        return value


class SubscriptionRemoveInputSerializer(InputSerializer):
    endpoint = serializers.URLField(max_length=1000)
    auth = serializers.RegexField(BASE64URL, min_length=16, max_length=32)


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    device_label = serializers.CharField(allow_blank=True)
    general_news_only = serializers.BooleanField()
    linked_to_member = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_linked_to_member(self, subscription) -> bool:
        return subscription.member_id is not None


class SubscriptionListSerializer(serializers.Serializer):
    results = SubscriptionSerializer(many=True)


class SubscriptionRemovedSerializer(serializers.Serializer):
    removed = serializers.BooleanField()


class SubscriptionsView(ApiView):
    def get_permissions(self):
        method = getattr(getattr(self, "request", None), "method", "GET")
        return [AllowAny()] if method == "POST" else [MemberOnly()]

    @extend_schema(operation_id="push_subscriptions_list", tags=[TAG],
                   summary="The calling member's push devices",
                   responses={200: SubscriptionListSerializer})
    def get(self, request):
        rows = PushSubscription.objects.filter(member=member_of(request)).order_by(
            "-created_at", "-pk")[:100]
        return Response(SubscriptionListSerializer({"results": rows}).data)

    @extend_schema(
        operation_id="push_subscriptions_register", tags=[TAG],
        summary="Register a browser's push subscription (linked to the member if signed in)",
        request=SubscriptionInputSerializer,
        responses={201: SubscriptionSerializer, 200: SubscriptionSerializer,
                   409: OpenApiResponse(description="The endpoint is registered with other "
                                                    "keys.")},
        extensions={"x-legacy-function": "プッシュ通知ユーザ登録"},
    )
    def post(self, request):
        data = SubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        member = member_of(request)
        try:
            subscription, created = push_services.push_subscription_register(
                data=push_services.SubscriptionData(
                    endpoint=values["endpoint"], p256dh=values["keys"]["p256dh"],
                    auth=values["keys"]["auth"], device_label=values["device_label"],
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    general_news_only=values["general_news_only"] or member is None),
                member=member,
                user=request.user if request.user.is_authenticated else None)
        except DjangoValidationError as error:
            raise model_errors(error) from error
        return Response(SubscriptionSerializer(subscription).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SubscriptionRemoveView(PublicWriteView):
    @extend_schema(operation_id="push_subscriptions_remove", tags=[TAG],
                   summary="Forget a push subscription (proved with its auth secret)",
                   request=SubscriptionRemoveInputSerializer,
                   responses={200: SubscriptionRemovedSerializer})
    def post(self, request):
        data = SubscriptionRemoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        removed = push_services.push_subscription_remove(
            endpoint=data.validated_data["endpoint"], auth=data.validated_data["auth"])
        return Response({"removed": removed})


# --- campaigns (プッシュ通知登録) -------------------------------------------------------------------


class CampaignInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=1000)
    link = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                 help_text="A path on this site (/news/…) or an https URL.")
    everyone = serializers.BooleanField(required=False, default=False,
                                        help_text="Every subscription (the conditions below "
                                                  "are then ignored).")
    programmes = serializers.ListField(child=CodeField(), required=False, default=list,
                                       max_length=10, help_text="Eligible today for any of them.")
    genres = serializers.ListField(child=CodeField(), required=False, default=list,
                                   max_length=50)
    benefit_types = serializers.ListField(child=CodeField(), required=False, default=list,
                                          max_length=50)
    municipalities = serializers.ListField(child=CodeField(max_length=6), required=False,
                                           default=list, max_length=100)
    areas = serializers.ListField(child=CodeField(), required=False, default=list,
                                  max_length=20)
    child_age_min = serializers.IntegerField(required=False, allow_null=True, default=None,
                                             min_value=0, max_value=30)
    child_age_max = serializers.IntegerField(required=False, allow_null=True, default=None,
                                             min_value=0, max_value=30)
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_link(self, value):
        if value and not (value.startswith("/") and not value.startswith("//")) and \
                not value.startswith("https://"):
            raise ValidationError(_("Give a path on this site or an https address."),
                                  code="invalid")
        return value

    def validate(self, attrs):
        low, high = attrs["child_age_min"], attrs["child_age_max"]
        if low is not None and high is not None and low > high:
            raise ValidationError({"child_age_max": [ErrorDetail(
                _("The upper age must not be below the lower age."), code="invalid")]})
        probe = Campaign(pk=10**9, title=attrs["title"], body=attrs["body"], link=attrs["link"])
        if not payload_fits(probe):
            raise ValidationError({"body": [ErrorDetail(
                _("The notification is too long: shorten the title, body or link (a push "
                  "message holds at most 4 KB)."), code="invalid")]})
        if attrs["scheduled_at"] is not None and attrs["scheduled_at"] <= timezone.now():
            raise ValidationError({"scheduled_at": [ErrorDetail(
                _("The sending time must be in the future."), code="invalid")]})
        values = {name: attrs[name] for name in ("title", "body", "link", "everyone",
                                                 "child_age_min", "child_age_max",
                                                 "scheduled_at")}
        values["programmes"] = codes_to_objects(Programme, attrs["programmes"], "programmes")
        values["genres"] = codes_to_objects(Genre, attrs["genres"], "genres")
        values["benefit_types"] = codes_to_objects(BenefitType, attrs["benefit_types"],
                                                   "benefit_types")
        values["municipalities"] = codes_to_objects(Municipality, attrs["municipalities"],
                                                    "municipalities")
        values["areas"] = codes_to_objects(Area, attrs["areas"], "areas")
        return values


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField(allow_blank=True)
    everyone = serializers.BooleanField()
    programmes = serializers.SerializerMethodField()
    genres = serializers.SerializerMethodField()
    benefit_types = serializers.SerializerMethodField()
    municipalities = serializers.SerializerMethodField()
    areas = serializers.SerializerMethodField()
    child_age_min = serializers.IntegerField(allow_null=True)
    child_age_max = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=Campaign.Status.choices)
    scheduled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    audience = serializers.SerializerMethodField(
        help_text="How many subscriptions the conditions select today.")

    @staticmethod
    def _codes(manager) -> list[str]:
        return [obj.code for obj in manager.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_programmes(self, campaign):
        return self._codes(campaign.programmes)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_genres(self, campaign):
        return self._codes(campaign.genres)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_benefit_types(self, campaign):
        return self._codes(campaign.benefit_types)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_municipalities(self, campaign):
        return self._codes(campaign.municipalities)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_areas(self, campaign):
        return self._codes(campaign.areas)

    def get_audience(self, campaign) -> int:
        return push_services.campaign_audience(campaign).count()


class CampaignCreateView(ApiView):
    permission_classes = [SecretariatOnly]

    @extend_schema(operation_id="manage_push_campaigns_create", tags=[TAG],
                   summary="Register a push campaign and its targets (a draft; sending is "
                           "done by the push service)",
                   request=CampaignInputSerializer, responses={201: CampaignSerializer},
                   extensions={"x-legacy-function": "プッシュ通知登録"})
    def post(self, request):
        data = CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            campaign = push_services.campaign_create(user=request.user,
                                                     data=dict(data.validated_data))
        except DjangoValidationError as error:
            raise model_errors(error) from error
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignView(ApiView):
    permission_classes = [SecretariatOnly]

    @extend_schema(operation_id="manage_push_campaigns_read", tags=[TAG],
                   summary="A push campaign and the size of its audience",
                   responses={200: CampaignSerializer})
    def get(self, request, pk: int):
        campaign = Campaign.objects.filter(pk=pk).first()
        if campaign is None:
            raise Http404
        return Response(CampaignSerializer(campaign).data)
