"""Serializers shared by the domain modules: strict input, masters, pages of results."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 10_000


TYPE_MESSAGES = {
    "string": _("Expected a string."),
    "boolean": _("Expected true or false."),
    "integer": _("Expected a whole number."),
    "number": _("Expected a number."),
    "array": _("Expected a list."),
    "object": _("Expected an object."),
}


def json_type_of(field) -> str | None:
    """The JSON type a field accepts in a request body (None: anything)."""
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.IntegerField):
        return "integer"
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return "number"
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return "array"
    if isinstance(field, serializers.Serializer | serializers.DictField):
        return "object"
    if isinstance(field, serializers.CharField | serializers.ChoiceField
                  | serializers.DateField | serializers.DateTimeField):
        return "string"
    return None


def json_type_matches(expected: str, value) -> bool:
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "array":
        return isinstance(value, list)
    if expected == "object":
        return isinstance(value, Mapping)
    return isinstance(value, str)


def json_type_errors(field, value, name: str) -> dict:
    """{name: [error]} when `value` (from a JSON body) is not of the field's JSON type;
    list items are checked too (name[index])."""
    if value is None:
        return {}  # allow_null (or "required") is the field's own business
    expected = json_type_of(field)
    if expected is None:
        return {}
    if not json_type_matches(expected, value):
        return {name: [ErrorDetail(str(TYPE_MESSAGES[expected]), code="invalid_type")]}
    if expected == "array" and isinstance(field, serializers.ListField):
        errors = {}
        for index, item in enumerate(value):
            errors.update(json_type_errors(field.child, item, f"{name}[{index}]"))
        return errors
    return {}


class InputSerializer(serializers.Serializer):
    """Input is closed and strictly typed.

    - A field the endpoint does not know is an error, not ignored (a typo in a field
      name must not silently change nothing).
    - In a query string, an empty value (``?programme=``) is refused rather than read
      as "not given", as the schema says (minLength 1).
    - In a JSON body, a value must have the field's JSON type: DRF would take
      ``123`` for a string or ``"yes"`` for a boolean; the API answers 400 naming
      the field instead (query strings are text and are parsed as DRF does).
    """

    unknown_field_message = _("Unknown field.")
    blank_parameter_message = _("Give a value, or leave the parameter out.")

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise ValidationError({
                    key: [ErrorDetail(str(self.unknown_field_message), code="unknown_field")]
                    for key in unknown
                })
            if isinstance(data, QueryDict):
                blank = {}
                for name, field in self.fields.items():
                    child = getattr(field, "child", None)
                    allows_blank = getattr(field, "allow_blank", False) or getattr(
                        child, "allow_blank", False)
                    if name in data and not allows_blank and "" in data.getlist(name):
                        blank[name] = [ErrorDetail(str(self.blank_parameter_message),
                                                   code="blank")]
                if blank:
                    raise ValidationError(blank)
            else:
                errors = {}
                for name, field in self.fields.items():
                    if name in data and not field.read_only:
                        for key, value in json_type_errors(field, data[name], name).items():
                            errors[key] = value
                if errors:
                    raise ValidationError(_nest(errors))
        return super().to_internal_value(data)


def _nest(errors: dict) -> dict:
    """{"genres[1]": [...]} → {"genres": {1: [...]}} (the shape DRF uses for lists)."""
    nested: dict = {}
    for key, value in errors.items():
        if "[" in key:
            name, index = key[:-1].split("[", 1)
            nested.setdefault(name, {})[int(index)] = value
        else:
            nested[key] = value
    return nested


class PageInputSerializer(InputSerializer):
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_PAGE,
                                    help_text="Page number, from 1.")
    page_size = serializers.IntegerField(required=False, default=DEFAULT_PAGE_SIZE, min_value=1,
                                         max_value=MAX_PAGE_SIZE,
                                         help_text="Results per page (1–100, default 20).")


def content_language_field():
    """``lang``: the language of translated content (events, ふぁみなび). Japanese by
    default, so clients that do not ask see the Japanese originals only."""
    codes = [code for code, _name in settings.LANGUAGES]
    return serializers.ChoiceField(
        choices=[(code, code) for code in codes], required=False,
        default=settings.LANGUAGE_CODE,
        help_text=("Language of the content: ja (Japanese, the default) or en (English: "
                   "the English translation where one is published, else the Japanese "
                   "original). Each item appears once either way."),
        error_messages={"invalid_choice": _(
            "Unknown language \"{input}\": use ja (Japanese) or en (English).")},
    )


class ContentLanguageInputSerializer(InputSerializer):
    lang = content_language_field()


class MasterSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MunicipalitySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ShopRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProgrammeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    legacy_group = serializers.IntegerField(help_text="GROUP of the legacy shop API.")


def page_serializer(item_serializer, name: str):
    """The envelope of a page of results: count, links and the items."""
    return type(name, (serializers.Serializer,), {
        "count": serializers.IntegerField(help_text="Matches (capped: see `more`)."),
        "more": serializers.BooleanField(
            help_text="True when there are more matches than `count` (the count is capped)."),
        "page": serializers.IntegerField(),
        "page_size": serializers.IntegerField(),
        "next": serializers.CharField(allow_null=True),
        "previous": serializers.CharField(allow_null=True),
        "results": item_serializer(many=True),
        "__module__": __name__,
    })


def page_links(request, *, page: int, page_size: int, count: int) -> tuple[str | None, str | None]:
    params = [(key, value) for key in request.query_params
              for value in request.query_params.getlist(key) if key != "page"]

    def url(number):
        return f"{request.path}?{urlencode([*params, ('page', number)])}"

    last = max(1, -(-count // page_size))
    following = url(page + 1) if page < last else None
    preceding = url(page - 1) if 1 < page <= last + 1 else None
    return following, preceding


def paginate(request, items, *, page: int, page_size: int, count: int | None = None,
             more: bool = False) -> dict:
    """A page of `items` (a sequence or queryset) as the envelope's data (not serialized)."""
    total = len(items) if count is None and isinstance(items, list) else (
        count if count is not None else items.count())
    start = (page - 1) * page_size
    window = list(items[start:start + page_size]) if start < total else []
    following, preceding = page_links(request, page=page, page_size=page_size, count=total)
    return {"count": total, "more": more, "page": page, "page_size": page_size,
            "next": following, "previous": preceding, "results": window}
