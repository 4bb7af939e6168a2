"""`manage.py send_password_setup --batch N`: mail the next N migrated accounts a
link to set a new password (their legacy hash could not be kept)."""

from django.core.management.base import BaseCommand, CommandError

from operations.legacy.passwords import password_setup_pending, password_setup_send_batch


class Command(BaseCommand):
    help = ("Queue the password set-up mail for the next N migrated accounts whose legacy "
            "password could not be kept. Run again (e.g. daily) until none are left.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500,
                            help="How many accounts to mail in this run (default 500).")

    def handle(self, *args, **options):
        if not 1 <= options["batch"] <= 100_000:
            raise CommandError("--batch must be between 1 and 100000.")
        sent = password_setup_send_batch(batch=options["batch"])
        self.stdout.write(f"queued {sent} mail(s); {password_setup_pending()} account(s) left")
