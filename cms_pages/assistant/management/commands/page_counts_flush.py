from django.core.management.base import BaseCommand

from cms_pages.assistant.page_counts import count_logs, page_counts_flush


class Command(BaseCommand):
    help = ("Add the new lines of nginx's count log(s) (settings.PAGE_COUNT_LOGS) to the "
            "shop view and zero-result search counters. The django-q2 schedule runs it "
            "every minute; run it on each nginx host that has no cluster of its own.")

    def handle(self, *args, **options):
        lines = page_counts_flush()
        self.stdout.write(f"counted {lines} lines from {len(count_logs())} log(s)")
