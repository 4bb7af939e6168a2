"""Validate API responses against the OpenAPI schema drf-spectacular generates.

`SchemaValidator.validate(response)` finds the operation of the request (path
template and method), and checks that the status is documented, that the
Content-Type is one documented for that status, and that the body validates
against the documented schema (OpenAPI 3.0 → JSON Schema: `nullable` becomes
a union with null; Draft 4 semantics, formats checked).
"""

from __future__ import annotations

import json
import re
from functools import cached_property

import jsonschema
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


class SchemaViolation(AssertionError):
    pass


def to_json_schema(node):
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties"):
            converted[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        else:
            converted[key] = to_json_schema(value)
    if converted.pop("nullable", False) is True:
        enum = converted.get("enum")
        if enum is not None and None not in enum:
            converted["enum"] = [*enum, None]
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def generate_schema() -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


class SchemaValidator:
    def __init__(self, schema: dict):
        self.schema = schema
        self.components = to_json_schema(schema.get("components", {}))
        self.seen: set[tuple[str, str, str]] = set()

    @cached_property
    def _paths(self) -> list[tuple[re.Pattern, str]]:
        compiled = []
        # Literal segments win over parameters (/shops/drafts before /shops/{id}).
        for template in sorted(self.schema["paths"], key=lambda path: path.count("{")):
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            compiled.append((re.compile(pattern), template))
        return compiled

    def operation_for(self, path: str, method: str):
        for pattern, template in self._paths:
            if pattern.match(path):
                operation = self.schema["paths"][template].get(method.lower())
                return template, operation
        return None, None

    def body_schema_errors(self, schema: dict, instance) -> list[str]:
        root = {"components": self.components, "allOf": [to_json_schema(schema)]}
        validator = jsonschema.Draft4Validator(
            root, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
        return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                for error in validator.iter_errors(instance)]

    def validate(self, response) -> None:
        request = response.wsgi_request
        template, operation = self.operation_for(request.path, request.method)
        if template is None:
            return  # not an operation of the schema (docs page, catch-all 404)
        if operation is None:
            if response.status_code != 405:
                raise SchemaViolation(f"{request.method} {request.path}: method not in the "
                                      f"schema but answered {response.status_code}")
            return
        status = str(response.status_code)
        documented = operation["responses"].get(status) or operation["responses"].get("default")
        if documented is None:
            raise SchemaViolation(f"{request.method} {template}: status {status} not documented "
                                  f"({sorted(operation['responses'])})")
        self.seen.add((request.method, template, status))
        content = documented.get("content")
        body = response.content
        if not content:
            if body and response.status_code not in (304,):
                raise SchemaViolation(f"{request.method} {template} {status}: body where none "
                                      f"is documented")
            return
        media_type = response.get("Content-Type", "").split(";")[0].strip()
        if media_type not in content:
            raise SchemaViolation(f"{request.method} {template} {status}: Content-Type "
                                  f"{media_type!r} not in {sorted(content)}")
        schema = content[media_type].get("schema")
        if schema is None:
            return
        try:
            instance = json.loads(body)
        except ValueError as error:
            raise SchemaViolation(f"{request.method} {template} {status}: not JSON") from error
        errors = self.body_schema_errors(schema, instance)
        if errors:
            raise SchemaViolation(f"{request.method} {template} {status}: body does not match "
                                  f"the schema:\n  " + "\n  ".join(errors[:20]))
