"""Shared parts of the write endpoints for events, ふぁみなび and news."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from api import problems
from api.services.snippets import moderation_state
from api.shop_management import ModerationSerializer
from directory.masters.models import Municipality

WRITE_ERRORS = {
    409: OpenApiResponse(description="Locked (awaiting approval), no workflow, or both "
                                     "publish and submit (problem codes locked, no_workflow, "
                                     "workflow_state, conflict)."),
}


def model_errors(error: DjangoValidationError, rename: dict | None = None) -> ValidationError:
    rename = {"url": "website", **(rename or {})}
    detail = {}
    for item in problems.django_validation_errors(error):
        key = rename.get(item["field"], item["field"]) or "non_field_errors"
        detail.setdefault(key, []).append(ErrorDetail(item["detail"], code=item["code"]))
    return ValidationError(detail)


def municipality_in_scope(user, code: str, *, sees_everything: bool) -> Municipality:
    """The municipality of an event or article: municipal staff only their own."""
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise ValidationError({"municipality": [ErrorDetail(_("Unknown municipality code."),
                                                            code="invalid_choice")]})
    if not sees_everything and user.municipality_id and municipality.pk != user.municipality_id:
        raise ValidationError({"municipality": [ErrorDetail(
            _("You may only post for your own municipality."), code="out_of_scope")]})
    return municipality


def refuse_publish_without_permission(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise problems.ApiError(_("Only the secretariat may publish. Save a draft or submit "
                                  "it for approval."), code="permission_denied",
                                status_code=status.HTTP_403_FORBIDDEN)


class ManagedSerializerMixin(serializers.Serializer):
    id = serializers.IntegerField()
    live = serializers.BooleanField()
    has_unpublished_changes = serializers.BooleanField()
    moderation = serializers.SerializerMethodField()
    latest_revision_id = serializers.IntegerField(allow_null=True)

    @extend_schema_field(ModerationSerializer)
    def get_moderation(self, obj):
        return ModerationSerializer(moderation_state(obj)).data


def managed_response(serializer_class, obj, *, status_code=200) -> Response:
    return Response(serializer_class(obj).data, status=status_code)
