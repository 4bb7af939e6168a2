"""The daily django-q2 schedules of the operations app (created after migrate)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django_q.models import Schedule

from operations.services import next_local_time, schedules_ensure

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def test_migrate_created_the_daily_backup_at_three_in_tokyo():
    schedule = Schedule.objects.get(func="operations.tasks.backup_daily")
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.repeats == -1
    local = schedule.next_run.astimezone(TOKYO)
    assert (local.hour, local.minute) == (3, 0)
    prune = Schedule.objects.get(func="operations.tasks.audit_prune_daily")
    assert prune.schedule_type == Schedule.DAILY


def test_ensuring_again_changes_nothing():
    Schedule.objects.filter(func="operations.tasks.backup_daily").update(
        next_run=datetime.datetime(2030, 1, 1, 18, 0, tzinfo=datetime.UTC))
    assert schedules_ensure() == []
    assert Schedule.objects.filter(func="operations.tasks.backup_daily").count() == 1
    assert Schedule.objects.get(func="operations.tasks.backup_daily").next_run.year == 2030


def test_a_missing_schedule_is_created_again():
    Schedule.objects.filter(func="operations.tasks.audit_prune_daily").delete()
    assert schedules_ensure() == ["operations.tasks.audit_prune_daily"]


def test_backup_schedule_can_be_turned_off_for_the_systemd_timer(settings):
    settings.BACKUP_SCHEDULE = False
    schedules_ensure()
    assert not Schedule.objects.filter(func="operations.tasks.backup_daily").exists()
    assert Schedule.objects.filter(func="operations.tasks.audit_prune_daily").exists()


def test_next_local_time():
    before = datetime.datetime(2026, 3, 1, 2, 59, tzinfo=TOKYO)
    after = datetime.datetime(2026, 3, 1, 3, 0, tzinfo=TOKYO)
    assert next_local_time("03:00", now=before) == datetime.datetime(2026, 3, 1, 3, 0,
                                                                     tzinfo=TOKYO)
    assert next_local_time("03:00", now=after) == datetime.datetime(2026, 3, 2, 3, 0,
                                                                    tzinfo=TOKYO)
    for bad in ("3am", "25:00", "", "03"):
        with pytest.raises(ValueError):
            next_local_time(bad)


HOUSEKEEPING = [
    "directory.accounts.tasks.prune_link_requests",
    "directory.shops.join.shop_account_requests_prune",
    "api.tokens.api_tokens_prune",
]


def test_migrate_created_the_daily_housekeeping_at_four_in_tokyo():
    """The test database was made by `migrate` on an empty database: the pruning of
    expired links and tokens is scheduled there, daily, like the backup."""
    for func in HOUSEKEEPING:
        schedule = Schedule.objects.get(func=func)
        assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1
        local = schedule.next_run.astimezone(TOKYO)
        assert (local.hour, local.minute) == (4, 0)


def test_each_housekeeping_schedule_runs_and_prunes_only_old_rows():
    from django.utils import timezone
    from django_q.tasks import async_task

    from api.models import ApiToken
    from directory.accounts.models import SignupRequest
    from directory.shops.models import ShopAccountRequest
    from tests.factories import UserFactory

    long_ago = timezone.now() - datetime.timedelta(days=400)
    user = UserFactory()
    SignupRequest.objects.create(email="old@example.jp", token_hash="a" * 64, created_at=long_ago)
    SignupRequest.objects.create(email="new@example.jp", token_hash="b" * 64)
    ShopAccountRequest.objects.create(email="old@example.jp", token_hash="c" * 64,
                                      created_at=long_ago)
    ShopAccountRequest.objects.create(email="new@example.jp", token_hash="d" * 64)
    ApiToken.objects.create(user=user, token_hash="e" * 64, prefix="e", expires_at=long_ago)
    ApiToken.objects.create(user=user, token_hash="f" * 64, prefix="f",
                            expires_at=timezone.now() + datetime.timedelta(days=30))

    # As the worker runs them: by the schedule's dotted name (tests run tasks inline).
    for schedule in Schedule.objects.filter(func__in=HOUSEKEEPING):
        async_task(schedule.func)

    assert list(SignupRequest.objects.values_list("email", flat=True)) == ["new@example.jp"]
    assert list(ShopAccountRequest.objects.values_list("email", flat=True)) == ["new@example.jp"]
    assert list(ApiToken.objects.values_list("prefix", flat=True)) == ["f"]
