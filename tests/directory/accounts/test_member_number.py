"""Member numbers: 27 + an 8-digit sequence, from a locked counter row, unique under
concurrency (the threaded test runs on PostgreSQL, where rows are really locked)."""

import threading

import pytest
from django.db import connections

from directory.accounts.models import Counter
from directory.members.services import MEMBER_NUMBER_COUNTER, member_number_issue
from tests.factories import MemberFactory


@pytest.mark.django_db
def test_numbers_follow_the_prefecture_code_and_the_sequence():
    assert [member_number_issue() for _ in range(3)] == [
        "2700000001", "2700000002", "2700000003"]
    assert Counter.objects.get(name=MEMBER_NUMBER_COUNTER).value == 3


@pytest.mark.django_db
def test_the_format_is_a_setting(settings):
    settings.PORTAL = {**settings.PORTAL, "PREFECTURE_CODE": "13",
                       "MEMBER_NUMBER_FORMAT": "{prefecture_code}-{number:06d}"}

    assert member_number_issue() == "13-000001"


@pytest.mark.django_db
def test_numbers_already_held_are_skipped(masters):
    MemberFactory(member_number="2700000001")
    MemberFactory(member_number="2700000002")

    assert member_number_issue() == "2700000003"


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_share_a_number():
    from django.db import transaction

    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def issue():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(member_number_issue())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(numbers) == 40
    assert len(set(numbers)) == 40
    assert sorted(numbers) == [f"27{n:08d}" for n in range(1, 41)]
