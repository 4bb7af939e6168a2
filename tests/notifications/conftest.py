import pytest

from directory.accounts import roles
from notifications.fakepush import FakePushService
from tests.factories import MemberFactory, UserFactory


@pytest.fixture
def fake_push(settings):
    """A local push service; its origin is allowed as an endpoint for this test only."""
    service = FakePushService().start()
    settings.PUSH_ENDPOINT_EXTRA_ORIGINS = [service.origin]
    yield service
    service.stop()


@pytest.fixture
def member(masters):
    member = MemberFactory()
    member.notify_by_push = True
    member.save(update_fields=["notify_by_push"])
    return member


@pytest.fixture
def secretariat(masters):
    return UserFactory(groups=[roles.SECRETARIAT], is_staff=True)


@pytest.fixture
def second_secretariat(masters):
    return UserFactory(groups=[roles.SECRETARIAT], is_staff=True)
