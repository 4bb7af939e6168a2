"""manage.py maintenance on|off|status [--retry-after SECONDS] [--message TEXT]

Switches maintenance mode (config/maintenance.py): the public site answers 503 with a
Japanese notice and Retry-After; /admin/, /healthz and /readyz stay reachable. The flag
is written both to the flag file (this host) and to the shared cache (every app node on
the same Redis).
"""

from django.core.management.base import BaseCommand

from config import maintenance


class Command(BaseCommand):
    help = "Switch maintenance mode on or off, or show it."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["on", "off", "status"])
        parser.add_argument("--retry-after", type=int, default=None,
                            help="seconds for the Retry-After header (default: setting, 3600)")
        parser.add_argument("--message", default="",
                            help="an extra line for the notice, e.g. the expected end time")

    def handle(self, *args, action, retry_after, message, **options):
        if action == "on":
            maintenance.maintenance_set(True, retry_after=retry_after, message=message)
        elif action == "off":
            maintenance.maintenance_set(False)
        maintenance.forget()
        state = maintenance.maintenance_state()
        self.stdout.write("maintenance: on" if state is not None else "maintenance: off")
