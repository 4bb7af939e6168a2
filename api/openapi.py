"""drf-spectacular postprocessing hook for the API's schema (/api/v1/openapi.json).

Added to every operation, so the schema says what the API really answers:

- the problem responses (application/problem+json, RFC 9457) the shared layers
  can produce: 400 (parameters or body), 401 (a bad or expired token), 403
  (role, CSRF), 404, 406, 413 and 415 (bodies), 429 (throttles, with
  Retry-After) and 503 (maintenance);
- 304 for public reads (they carry an ETag; If-None-Match answers 304).

Request bodies are closed (`additionalProperties: false`): the input
serializers refuse unknown fields (api/serializers.py InputSerializer), so the
schema says so. The root gets `x-legacy-functions`: each function of the legacy
API list with the operations implementing it.

`PortalAutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) states the constraints the
serializers enforce that drf-spectacular leaves out, read from the serializer fields
themselves (never written by hand):

- a request string that refuses "" (CharField with allow_blank=False) has minLength 1,
  and, when the field trims whitespace and has no pattern of its own, a pattern saying
  it must hold a character that is not a space;
- a list (ListField, or a nested serializer with many=True) states its min_length,
  max_length and allow_empty=False as minItems / maxItems.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from rest_framework import serializers

from api.legacy_functions import LEGACY_FUNCTIONS

# A character Python's str.strip() keeps (what DRF's trim_whitespace leaves), in ECMA
# regex terms: \s there lacks \x1c-\x1f and \x85 and has \ufeff, which strip() keeps.
NOT_ONLY_SPACES = r"[^\s\u001c-\u001f\u0085]|\ufeff"


def _array_schema(schema: dict) -> dict | None:
    if schema.get("type") == "array":
        return schema
    for option in schema.get("oneOf", []) + schema.get("anyOf", []) + schema.get("allOf", []):
        if isinstance(option, dict) and option.get("type") == "array":
            return option
    return None


def serializer_field_constraints(field, schema: dict, direction: str) -> dict:
    """`schema` with the constraints `field` enforces added (see the module docstring)."""
    if not isinstance(schema, dict):
        return schema
    if (direction == "request" and isinstance(field, serializers.CharField)
            and not field.allow_blank and schema.get("type") == "string"
            and "enum" not in schema):
        schema["minLength"] = max(schema.get("minLength", 0), 1)
        if field.trim_whitespace and "pattern" not in schema and "format" not in schema:
            schema["pattern"] = NOT_ONLY_SPACES
    if isinstance(field, serializers.ListField) or is_list_serializer(field):
        array = _array_schema(schema)
        if array is not None:
            minimum = getattr(field, "min_length", None)
            if not getattr(field, "allow_empty", True):
                minimum = max(minimum or 0, 1)
            if minimum:
                array["minItems"] = max(array.get("minItems", 0), minimum)
            maximum = getattr(field, "max_length", None)
            if maximum is not None:
                array["maxItems"] = min(array.get("maxItems", maximum), maximum)
    return schema


class PortalAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        return serializer_field_constraints(field, schema, direction)

PROBLEM = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ERROR_STATUSES = {
    "400": "Invalid parameters or body (see `errors`); invalid JSON.",
    "401": "Not authenticated, or the token is invalid, expired or revoked.",
    "403": "Authenticated, but the role may not do this (or the CSRF check failed).",
    "404": "Not found, or outside the caller's scope.",
    "406": "The Accept header allows no format this endpoint produces.",
    "429": "Too many requests (see Retry-After).",
    "503": "Maintenance (see Retry-After).",
}
BODY_ERROR_STATUSES = {
    "409": "The request conflicts with the object's current state.",
    "413": "The body is larger than 1 MB.",
    "415": "The body is not JSON.",
}
PUBLIC_OPERATIONS_PREFIXES = ("/api/v1/shops", "/api/v1/events", "/api/v1/faminavi",
                              "/api/v1/news", "/api/legacy/")

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details with a stable `code`.",
    "required": ["type", "title", "status", "detail", "instance", "code"],
    "properties": {
        "type": {"type": "string", "description": "urn:passport-portal:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The request path."},
        "code": {"type": "string", "description": "Stable machine-readable code."},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"},
                   "description": "Validation errors, one per field and problem."},
    },
}
FIELD_ERROR_SCHEMA = {
    "type": "object",
    "required": ["field", "code", "detail"],
    "properties": {
        "field": {"type": "string", "nullable": True,
                  "description": "The field (dotted path, [index] for list items); null: "
                                 "the body as a whole."},
        "code": {"type": "string"},
        "detail": {"type": "string"},
    },
}


def _problem_response(description: str, status: str) -> dict:
    response = {"description": description, "content": {PROBLEM: {"schema": PROBLEM_REF}}}
    if status in ("429", "503"):
        response["headers"] = {"Retry-After": {
            "schema": {"type": "integer"}, "required": status == "429",
            "description": "Seconds to wait."}}
    if status == "401":
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                    "required": False}}
    return response


def _close_object(schema: dict) -> None:
    if schema.get("type") == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", False)


def postprocess(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components["ProblemFieldError"] = FIELD_ERROR_SCHEMA
    body_components = set()
    legacy: dict[str, list[str]] = {}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            statuses = dict(ERROR_STATUSES)
            if "requestBody" in operation:
                statuses.update(BODY_ERROR_STATUSES)
                for media in operation["requestBody"].get("content", {}).values():
                    ref = media.get("schema", {}).get("$ref", "")
                    if ref:
                        body_components.add(ref.rsplit("/", 1)[-1])
                    else:
                        _close_object(media.get("schema", {}))
            for status, description in statuses.items():
                existing = responses.get(status, {})
                response = _problem_response(existing.get("description") or description, status)
                responses[status] = response
            for status, response in responses.items():
                if status.startswith("4") and "content" not in response:
                    responses[status] = _problem_response(response.get("description", ""),
                                                          status)
            if method == "get" and path.startswith(PUBLIC_OPERATIONS_PREFIXES):
                responses.setdefault("304", {"description": "Not modified (If-None-Match)."})
            name = operation.get("x-legacy-function")
            if name:
                legacy.setdefault(name, []).append(f"{method.upper()} {path}")
    for name in body_components:
        if name in components:
            _close_object(components[name])
    result["x-legacy-functions"] = [
        {"group": group, "method": method, "name": name, "operations": legacy.get(name, [])}
        for group, method, name in LEGACY_FUNCTIONS
    ]
    return result
