import pytest

from directory.masters.services import masters_load


@pytest.fixture
def masters(db):
    """The reference masters (43 municipalities, genres, programmes…)."""
    masters_load()


@pytest.fixture
def osaka_city(masters):
    from directory.masters.models import Municipality

    return Municipality.objects.get(code="271004")


@pytest.fixture
def sakai_city(masters):
    from directory.masters.models import Municipality

    return Municipality.objects.get(code="271403")
