from django.core.management.base import BaseCommand

from config.cache_warm import cache_warm, warm_paths


class Command(BaseCommand):
    help = ("Fetch the most visited pages (home, lists, the most viewed shops of the last "
            "30 days) into nginx's page cache through its refresh listener: run after a "
            "deploy or after emptying the cache. Queued on django-q2 unless --now.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="pages at most (500)")
        parser.add_argument("--now", action="store_true", help="fetch here and wait")
        parser.add_argument("--list", action="store_true", help="only print the pages")

    def handle(self, *args, limit, now, list, **options):  # noqa: A002 - the option's name
        if list:
            for path in warm_paths(limit=limit):
                self.stdout.write(path)
            return
        if now:
            self.stdout.write(f"warmed {cache_warm(limit=limit)} pages")
            return
        from django_q.tasks import async_task

        async_task("config.cache_warm.cache_warm", limit=limit)
        self.stdout.write(f"queued the warm-up of at most {limit} pages")
