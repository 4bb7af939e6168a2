"""Fixtures of the shop-side tests (owners, the approval workflow); the helpers
that read and post Wagtail's edit form are in owner_helpers.py."""

import pytest

from directory.accounts import roles
from tests.factories import ShopBenefitFactory, UserFactory, owner_with_shop


@pytest.fixture
def secretariat(masters):
    return UserFactory(groups=[roles.SECRETARIAT])


@pytest.fixture
def published_shop(masters):
    """An owner and their published shop (with a benefit and a live revision)."""
    owner, shop = owner_with_shop(name="ひまわり食堂")
    ShopBenefitFactory(shop=shop)
    shop.save_revision().publish()
    shop.refresh_from_db()
    return owner, shop


@pytest.fixture
def _clear_cache():
    """Rate-limit counters live in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
