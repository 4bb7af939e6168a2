from django.core.management.base import BaseCommand

from directory.accounts.roles import roles_sync
from directory.masters.services import masters_load


class Command(BaseCommand):
    help = "Load the masters (areas, 43 municipalities, genres, benefit types, facilities, programmes) and role groups. Idempotent."

    def handle(self, *args, **options):
        counts = masters_load()
        roles_sync()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
