"""django-q2 task: the daily purge of counters past their retention (scheduled by
AssistantConfig after every migrate)."""

from cms_pages.assistant.services import analytics_purge


def analytics_purge_daily() -> int:
    return analytics_purge()
