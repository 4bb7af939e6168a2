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
