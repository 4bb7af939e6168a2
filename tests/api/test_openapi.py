"""The OpenAPI schema: valid OpenAPI 3, every legacy function, documented in docs/api.md."""

import re
from pathlib import Path

from drf_spectacular.validation import validate_schema

from api.legacy_functions import LEGACY_FUNCTION_NAMES, LEGACY_FUNCTIONS
from tests.api.conftest import api_schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_schema_is_valid_openapi_3():
    schema = api_schema()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_all_25_legacy_functions_are_in_the_schema():
    assert len(LEGACY_FUNCTIONS) == 25
    tagged = {op.get("x-legacy-function") for _m, _p, op in operations(api_schema())}
    missing = [name for name in LEGACY_FUNCTION_NAMES if name not in tagged]
    assert not missing, missing
    assert tagged - {None} <= set(LEGACY_FUNCTION_NAMES)
    index = {entry["name"]: entry for entry in api_schema()["x-legacy-functions"]}
    assert all(index[name]["operations"] for name in LEGACY_FUNCTION_NAMES)


def test_legacy_methods_match_the_spec():
    """A legacy GET (a search) is a GET here; a legacy POST is a write (not a GET)."""
    methods = {name: method for _group, method, name in LEGACY_FUNCTIONS}
    for method, path, operation in operations(api_schema()):
        name = operation.get("x-legacy-function")
        if name:
            assert (method == "GET") == (methods[name] == "GET"), (method, path, name)


def test_every_operation_is_described_with_problem_errors():
    for method, path, operation in operations(api_schema()):
        assert operation.get("operationId") and operation.get("tags"), (method, path)
        for status in ("400", "401", "403", "404", "429"):
            content = operation["responses"][status]["content"]
            assert "application/problem+json" in content, (method, path, status)
        if "requestBody" in operation:
            assert "413" in operation["responses"] and "415" in operation["responses"]


def test_request_bodies_are_closed():
    schema = api_schema()
    components = schema["components"]["schemas"]
    for method, path, operation in operations(schema):
        body = operation.get("requestBody")
        if not body:
            continue
        ref = body["content"]["application/json"]["schema"]["$ref"]
        component = components[ref.rsplit("/", 1)[1]]
        assert component.get("additionalProperties") is False, (method, path)


def test_docs_table_lists_every_function_and_operation():
    text = DOCS.read_text(encoding="utf-8")
    for name in LEGACY_FUNCTION_NAMES:
        assert f"| {name}" in text or f"{name} (単体)" in text, name
    for method, path, _operation in operations(api_schema()):
        documented = path.replace("{shop_id}", "{shop_id}")
        assert documented in text, f"{method} {path} not in docs/api.md"


# --- issue 16, finding 10: the schema states every constraint the serializers enforce -------


def _component(name):
    return api_schema()["components"]["schemas"][name]


def test_strings_that_refuse_blank_have_min_length_and_benefits_min_items():
    for component, field in [("ShopApplicationInput", "name"), ("ShopApplicationInput", "address"),
                             ("ShopApplicationInput", "postcode"), ("ShopWriteInput", "name"),
                             ("EventWriteInput", "title"), ("ArticleWriteInput", "title"),
                             ("ArticleWriteInput", "body"), ("LoginInput", "password"),
                             ("SignupCompleteInput", "password")]:
        assert _component(component)["properties"][field].get("minLength") == 1, (component,
                                                                                  field)
    benefits = _component("ShopApplicationInput")["properties"]["benefits"]
    assert (benefits["minItems"], benefits["maxItems"]) == (1, 10)
    # Blank allowed: no minLength.
    assert "minLength" not in _component("ShopApplicationInput")["properties"]["building"]
    # Only spaces are refused too (trim_whitespace): the pattern says so.
    name = _component("ShopApplicationInput")["properties"]["name"]
    assert re.search(name["pattern"], "  店 ") and not re.search(name["pattern"], " \u3000\t")
    # Responses may hold "" where a request may not: no minLength there.
    assert "minLength" not in _component("ShopUser")["properties"]["name"]


def _input_serializers():
    import importlib
    import inspect
    import pkgutil

    import api
    from api.serializers import InputSerializer

    found = {}
    for module_info in pkgutil.walk_packages(api.__path__, "api."):
        if ".migrations" in module_info.name or ".management" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, InputSerializer) and cls is not InputSerializer:
                found[cls.__name__] = cls
    return found


def test_every_input_serializer_constraint_is_in_the_schema():
    """Derived from the serializers themselves, so a new field or serializer is covered:
    every CharField refusing "" has minLength ≥ 1, every list's min_length / max_length /
    allow_empty=False is minItems / maxItems."""
    from rest_framework import serializers

    components = api_schema()["components"]["schemas"]
    checked = 0
    for class_name, cls in _input_serializers().items():
        name = class_name.removesuffix("Serializer")
        candidates = [components.get(name), components.get(f"Patched{name}")]
        candidates = [c for c in candidates if c]
        if not candidates:
            continue  # a query-parameter serializer: its fields are parameters
        fields = cls().fields
        for component in candidates:
            for field_name, field in fields.items():
                schema = component["properties"].get(field_name)
                if schema is None or field.read_only:
                    continue
                if isinstance(field, serializers.CharField) and not field.allow_blank \
                        and "enum" not in schema:
                    assert schema.get("minLength", 0) >= 1, (name, field_name)
                    checked += 1
                if isinstance(field, serializers.ListField | serializers.ListSerializer):
                    minimum = field.min_length or (0 if field.allow_empty else 1)
                    if minimum:
                        assert schema.get("minItems") == minimum, (name, field_name)
                    if field.max_length is not None:
                        assert schema.get("maxItems") == field.max_length, (name, field_name)
                    checked += 1
    assert checked > 40


def test_every_rest_framework_message_has_a_japanese_translation():
    """DRF's own error messages the API can answer with: Japanese, never English (its
    Japanese catalogue lacks some; api/locale has them)."""
    import inspect

    from django.utils import translation
    from django.utils.functional import Promise
    from rest_framework import exceptions, fields, relations, serializers, validators

    messages = set()
    for module in (fields, serializers, relations, exceptions, validators):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            for value in (cls.__dict__.get("default_error_messages") or {}).values():
                messages.add(value)
            for attr in ("default_detail", "message", "missing_message"):
                value = cls.__dict__.get(attr)
                if isinstance(value, Promise):
                    messages.add(value)
    english = []
    for message in messages:
        with translation.override("en"):
            text = str(message)
        with translation.override("ja"):
            if text and str(message) == text:
                english.append(text)
    assert not english, english
    assert len(messages) > 60


def test_an_empty_benefit_list_is_refused_in_japanese(schema_validator, owner, member):
    from tests.api.conftest import client_for
    from tests.api.test_shop_management import shop_body

    client = client_for(schema_validator, owner.user)
    response = client.post("/api/v1/manage/shops", shop_body(benefits=[]), format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "benefits" and error["detail"] == "1件以上指定してください。"
    response = client.post("/api/v1/manage/shops", shop_body(name="   "), format="json")
    assert response.status_code == 400
    assert re.search(r"[ぁ-んァ-ン一-龥]", response.json()["errors"][0]["detail"])
    member_client = client_for(schema_validator, member.user)
    response = member_client.patch("/api/v1/users/me", {"notify_by_email": "maybe"},
                                   format="json")
    assert response.status_code == 400
    assert re.search(r"[ぁ-んァ-ン一-龥]", response.json()["errors"][0]["detail"])
