from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "cms_pages.assistant"
    label = "assistant"
    verbose_name = _("FAQ assistant and insights")

    def ready(self):
        from cms_pages.assistant import signals

        signals.connect()
        post_migrate.connect(_ensure_schedule, sender=self, dispatch_uid="assistant_schedule")


PURGE_TASK = "cms_pages.assistant.tasks.analytics_purge_daily"
COUNT_TASK = "cms_pages.assistant.page_counts.page_counts_flush"


def _ensure_schedule(sender, using="default", **kwargs):
    """The daily purge of old counters (django-q2), created once; an administrator may
    retime it."""
    from django.db import connections
    from django_q.models import Schedule

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    if not Schedule.objects.using(using).filter(func=PURGE_TASK).exists():
        Schedule.objects.using(using).create(
            name="analytics retention (assistant counters)", func=PURGE_TASK,
            schedule_type=Schedule.DAILY, repeats=-1)
    if not Schedule.objects.using(using).filter(func=COUNT_TASK).exists():
        # Shop views and zero-result searches from nginx's count log (page_counts.py).
        Schedule.objects.using(using).create(
            name="page counts from nginx's log (assistant counters)", func=COUNT_TASK,
            schedule_type=Schedule.MINUTES, minutes=1, repeats=-1)
