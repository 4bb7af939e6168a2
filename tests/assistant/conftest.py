import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # rate limits, throttles and the index version
    yield
    cache.clear()
