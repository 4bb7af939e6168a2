"""Fixtures for the CMS tests: the demo tree from cms_pages' migrations, users per role."""

import pytest
from django.core.cache import cache
from wagtail.models import Page, Site

from directory.accounts import roles
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home(db):
    return Site.objects.get(is_default_site=True).root_page.specific


def demo_page(slug):
    return Page.objects.get(depth=3, slug=slug).specific


@pytest.fixture
def news_index(home):
    return demo_page("news")


@pytest.fixture
def contact_page(home):
    return demo_page("contact")


@pytest.fixture
def secretariat(db):
    return UserFactory(groups=[roles.SECRETARIAT])


@pytest.fixture
def editor(db):
    return UserFactory(groups=[roles.EDITOR])
