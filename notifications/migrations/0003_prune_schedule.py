"""The daily django-q2 schedule that prunes subscriptions with no success for 30 days."""

import datetime

from django.db import migrations
from django.utils import timezone

PRUNE_SCHEDULE = "push-prune-subscriptions"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q.Schedule")
    tomorrow = timezone.now().replace(hour=18, minute=30, second=0, microsecond=0)  # 03:30 JST
    if tomorrow <= timezone.now():
        tomorrow += datetime.timedelta(days=1)
    Schedule.objects.get_or_create(name=PRUNE_SCHEDULE, defaults={
        "func": "notifications.tasks.prune_subscriptions",
        "schedule_type": "D", "repeats": -1, "next_run": tomorrow,
    })


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q.Schedule").objects.filter(name=PRUNE_SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_push_sending"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
