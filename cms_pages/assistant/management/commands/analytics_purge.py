from django.core.management.base import BaseCommand

from cms_pages.assistant.services import analytics_purge, retention_days


class Command(BaseCommand):
    help = "Delete the anonymous counters (assistant, searches, shop views) older than " \
           "settings.ANALYTICS_RETENTION_DAYS."

    def handle(self, *args, **options):
        deleted = analytics_purge()
        self.stdout.write(f"deleted {deleted} rows older than {retention_days()} days")
