"""The OpenAPI schema: valid OpenAPI 3, every legacy function, documented in docs/api.md."""

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
