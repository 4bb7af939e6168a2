"""Fixtures of the API tests: a client that validates every response against the
OpenAPI schema, one user per role, and a clean cache (throttles, lockouts)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.tokens import api_token_issue
from directory.accounts.roles import AUDITOR, MUNICIPAL_STAFF, SECRETARIAT
from tests.api.schema import SchemaValidator, generate_schema
from tests.factories import MemberFactory, OwnerFactory, ShopFactory, UserFactory

_SCHEMA = {}


def api_schema() -> dict:
    if "schema" not in _SCHEMA:
        _SCHEMA["schema"] = generate_schema()
    return _SCHEMA["schema"]


@pytest.fixture(scope="session")
def schema_validator():
    return SchemaValidator(api_schema())


class ValidatingClient(APIClient):
    """DRF's test client; every response is checked against the OpenAPI schema."""

    validator: SchemaValidator | None = None

    def request(self, **kwargs):
        response = super().request(**kwargs)
        if self.validator is not None:
            self.validator.validate(response)
        return response

    def as_token(self, raw: str | None):
        self.credentials(**({"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}))
        return self


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db, schema_validator):
    client = ValidatingClient()
    client.validator = schema_validator
    return client


def token_for(user, name="test") -> str:
    return api_token_issue(user=user, name=name)[1]


def client_for(validator, user=None) -> ValidatingClient:
    client = ValidatingClient()
    client.validator = validator
    if user is not None:
        client.as_token(token_for(user))
    return client


@pytest.fixture
def member(masters):
    return MemberFactory()


@pytest.fixture
def secretariat_user(masters):
    return UserFactory(groups=[SECRETARIAT], is_staff=True)


@pytest.fixture
def auditor_user(masters):
    return UserFactory(groups=[AUDITOR], is_staff=True)


@pytest.fixture
def municipal_user(osaka_city):
    return UserFactory(groups=[MUNICIPAL_STAFF], municipality=osaka_city, is_staff=True)


@pytest.fixture
def owner(masters):
    return OwnerFactory()


@pytest.fixture
def shop(masters):
    return ShopFactory()
