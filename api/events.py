"""Events (イベント): public search and detail; registration and update by their authors.

    GET   /api/v1/events                  イベント検索 (soonest end date, or last updated)
    GET   /api/v1/events/{id}             one published event
    POST  /api/v1/manage/events           イベント登録・更新 (new event)
    GET   /api/v1/manage/events/{id}      an event in the caller's scope, latest revision
    PUT   /api/v1/manage/events/{id}      イベント登録・更新 (update)

Authors are the secretariat (any event), municipal staff (their municipality's)
and shop owners (their shops'); scope is directory.access.events_for_user.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response
from wagtail.rich_text import expand_db_html

from api.content_management import (
    WRITE_ERRORS,
    ManagedSerializerMixin,
    managed_response,
    model_errors,
    municipality_in_scope,
    refuse_publish_without_permission,
)
from api.fields import CodeField
from api.permissions import model_permission
from api.serializers import (
    ContentLanguageInputSerializer,
    InputSerializer,
    MasterSerializer,
    MunicipalitySerializer,
    PageInputSerializer,
    ShopRefSerializer,
    content_language_field,
    page_serializer,
    paginate,
)
from api.services import content as content_services
from api.shop_management import codes_to_objects
from api.views import ApiView, PublicReadView
from directory import access
from directory.events import selectors
from directory.events.models import Event
from directory.masters.models import Genre, Municipality

TAG = "events"


class EventSearchInputSerializer(PageInputSerializer):
    lang = content_language_field()
    order = serializers.ChoiceField(
        choices=[("end_date", "end_date"), ("updated", "updated")], required=False,
        default="end_date",
        help_text="end_date: soonest end date first; updated: last updated first.")
    municipality = CodeField(required=False, max_length=6,
                             help_text="Six-digit local government code.")
    past = serializers.BooleanField(required=False, default=False,
                                    help_text="Finished events instead of current ones.")

    def validate_municipality(self, value):
        if value and not Municipality.objects.filter(code=value).exists():
            raise ValidationError(_("Unknown municipality code."), code="invalid_choice")
        return value


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    time_note = serializers.CharField(allow_blank=True)
    venue = serializers.CharField(allow_blank=True)
    municipality = MunicipalitySerializer()
    organiser = serializers.CharField(allow_blank=True)
    website = serializers.CharField(source="url", allow_blank=True)
    web_url = serializers.CharField(source="get_absolute_url")
    updated_at = serializers.DateTimeField()


class EventDetailSerializer(EventSerializer):
    body_html = serializers.SerializerMethodField()
    genres = MasterSerializer(many=True, source="genres.all")
    shop = ShopRefSerializer(allow_null=True)

    def get_body_html(self, event) -> str:
        return expand_db_html(event.body or "")


EventPageSerializer = page_serializer(EventSerializer, "EventPage")


class EventListView(PublicReadView):
    @extend_schema(
        operation_id="events_search", tags=[TAG], summary="Search published events",
        parameters=[EventSearchInputSerializer], responses={200: EventPageSerializer},
        extensions={"x-legacy-function": "イベント検索"},
    )
    def get(self, request):
        params = EventSearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        events = selectors.event_list(municipality_code=data.get("municipality") or None,
                                      past=data["past"],
                                      language=data["lang"])
        if data["order"] == "updated":
            events = events.order_by("-updated_at", "-pk")
        page = paginate(request, events, page=data["page"], page_size=data["page_size"])
        return Response(EventPageSerializer(page).data)


class EventDetailView(PublicReadView):
    @extend_schema(operation_id="events_detail", tags=[TAG], summary="One published event",
                   parameters=[ContentLanguageInputSerializer],
                   responses={200: EventDetailSerializer})
    def get(self, request, pk: int):
        params = ContentLanguageInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        event = selectors.event_get_public(pk=pk, language=params.validated_data["lang"])
        if event is None:
            raise Http404
        return Response(EventDetailSerializer(event).data)


# --- registration and update (イベント登録・更新) -------------------------------------------------

class EventWriteInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                    default="")
    body = serializers.CharField(max_length=20000, required=False, allow_blank=True,
                                 default="", help_text="Plain text; blank lines separate "
                                                       "paragraphs.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    time_note = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                      default="")
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    municipality = CodeField(max_length=6)
    genres = serializers.ListField(child=CodeField(), required=False, default=list,
                                   max_length=50)
    shop_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       min_value=1, max_value=2**53,
                                       help_text="The organising shop (one of yours). An "
                                                 "event's shop that the caller may not "
                                                 "choose (another role's) is kept.")
    organiser = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                      default="")
    website = serializers.URLField(max_length=200, required=False, allow_blank=True,
                                   default="")
    publish = serializers.BooleanField(required=False, default=False,
                                       help_text="Publish at once (the secretariat only).")
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="Send for approval (workflow イベント承認).")

    def validate(self, attrs):
        user = self.context["request"].user
        sees_everything = access._sees_everything(user, Event)
        if attrs["ends_on"] < attrs["starts_on"]:
            raise ValidationError({"ends_on": [ErrorDetail(
                _("The end date must be on or after the start date."), code="invalid")]})
        values = {name: attrs[name] for name in ("title", "summary", "body", "starts_on",
                                                 "ends_on", "time_note", "venue", "organiser")}
        values["url"] = attrs["website"]
        values["municipality"] = municipality_in_scope(user, attrs["municipality"],
                                                       sees_everything=sees_everything)
        values["genres"] = codes_to_objects(Genre, attrs["genres"], "genres")
        shops = access.shops_choosable_by_user(user) if sees_everything else \
            access.shops_for_user(user)
        values["shop"] = None
        event = self.context.get("event")
        current = event.get_latest_revision_as_object().shop if event is not None else None
        if current is not None and not shops.filter(pk=current.pk).exists():
            # The event's shop is not one this role may choose (municipal staff editing a
            # shop owner's event in their municipality): it is kept, whether shop_id is
            # left out, null or the same; another shop is refused.
            if attrs["shop_id"] not in (None, current.pk):
                raise ValidationError({"shop_id": [ErrorDetail(
                    _("No shop with this id that you may choose."), code="invalid_choice")]})
            values["shop"] = current
        elif attrs["shop_id"] is not None:
            values["shop"] = shops.filter(pk=attrs["shop_id"]).first()
            if values["shop"] is None:
                raise ValidationError({"shop_id": [ErrorDetail(
                    _("No shop with this id that you may choose."), code="invalid_choice")]})
        return {"values": values, "publish": attrs["publish"], "submit": attrs["submit"]}


class EventContentSerializer(serializers.Serializer):
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    body_html = serializers.SerializerMethodField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    time_note = serializers.CharField(allow_blank=True)
    venue = serializers.CharField(allow_blank=True)
    municipality = MunicipalitySerializer()
    genres = MasterSerializer(many=True, source="genres.all")
    shop = ShopRefSerializer(allow_null=True)
    organiser = serializers.CharField(allow_blank=True)
    website = serializers.CharField(source="url", allow_blank=True)

    def get_body_html(self, event) -> str:
        return expand_db_html(event.body or "")


class ManagedEventSerializer(ManagedSerializerMixin):
    content = serializers.SerializerMethodField()

    @extend_schema_field(EventContentSerializer)
    def get_content(self, event):
        return EventContentSerializer(event.get_latest_revision_as_object()).data


def _event_write(request, event):
    data = EventWriteInputSerializer(data=request.data,
                                     context={"request": request, "event": event})
    data.is_valid(raise_exception=True)
    if data.validated_data["publish"]:
        refuse_publish_without_permission(request, "events.publish_event")
    try:
        return content_services.event_save(user=request.user, event=event,
                                           data=data.validated_data["values"],
                                           publish=data.validated_data["publish"],
                                           submit=data.validated_data["submit"])
    except DjangoValidationError as error:
        raise model_errors(error) from error


class ManagedEventCreateView(ApiView):
    permission_classes = [model_permission("events.add_event")]

    @extend_schema(operation_id="manage_events_create", tags=[TAG],
                   summary="Register an event (draft, submitted or — secretariat — published)",
                   request=EventWriteInputSerializer,
                   responses={201: ManagedEventSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "イベント登録・更新"})
    def post(self, request):
        event = _event_write(request, None)
        return managed_response(ManagedEventSerializer, event, status_code=status.HTTP_201_CREATED)


class ManagedEventView(ApiView):
    def get_permissions(self):
        method = getattr(getattr(self, "request", None), "method", "GET")
        perm = "events.view_event" if method in ("GET", "HEAD") else "events.change_event"
        return [model_permission(perm)()]

    def _event(self, request, pk):
        event = access.events_for_user(request.user).filter(pk=pk).first()
        if event is None:
            raise Http404
        return event

    @extend_schema(operation_id="manage_events_read", tags=[TAG],
                   summary="An event in the caller's scope: latest revision and state",
                   responses={200: ManagedEventSerializer})
    def get(self, request, pk: int):
        return managed_response(ManagedEventSerializer, self._event(request, pk))

    @extend_schema(operation_id="manage_events_update", tags=[TAG],
                   summary="Update an event (a new revision)",
                   request=EventWriteInputSerializer,
                   responses={200: ManagedEventSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "イベント登録・更新"})
    def put(self, request, pk: int):
        event = _event_write(request, self._event(request, pk))
        return managed_response(ManagedEventSerializer, event)
