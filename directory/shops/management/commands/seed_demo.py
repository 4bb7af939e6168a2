"""`manage.py seed_demo --shops N`: masters, demo shops, events, ふぁみなび, members
and the back-office demo accounts. Idempotent: a rerun tops up to N."""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from directory.demo import (
    DEMO_PASSWORD,
    DEMO_STAFF,
    DemoSeedError,
    demo_seed,
    demo_staff_enrolment_links,
    shops_count_parse,
)


class Command(BaseCommand):
    help = ("Create demo data (shops in all 43 municipalities, events, faminavi articles, "
            "members, one back-office account per role). Idempotent: a rerun tops up to N.")

    def add_arguments(self, parser):
        # A string, not type=int, so a bad value gets our own (translated) message.
        parser.add_argument("--shops", default="2000",
                            help="Number of demo shops, 0 to 1,000,000 (default 2000).")
        parser.add_argument("--seed", type=int, default=42,
                            help="Random seed; the same seed gives the same data.")
        parser.add_argument("--allow-production", action="store_true",
                            help="Seed even under production settings (creates known passwords).")

    def handle(self, *args, **options):
        # Demo accounts have a published password: never on a production site by accident.
        settings_module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if settings_module.endswith(".production") and not options["allow_production"]:
            raise CommandError(_("Demo data is not created under production settings."))
        try:
            shops = shops_count_parse(options["shops"])
        except DemoSeedError as error:
            raise CommandError(str(error)) from error
        started = time.monotonic()
        counts = demo_seed(shops=shops, seed=options["seed"])
        self.stdout.write(self.style.SUCCESS(
            _("Demo data ready: %(shops)s shops (%(new_shops)s new), %(events)s events, "
              "%(articles)s faminavi articles, %(members)s members, in %(seconds).1f seconds.")
            % {"shops": counts["shops"], "new_shops": counts["shops_created"],
               "events": counts["events"], "articles": counts["articles"],
               "members": counts["members"], "seconds": time.monotonic() - started}
        ))
        self.stdout.write(
            _("Back-office demo accounts (password “%(password)s”): %(emails)s")
            % {"password": DEMO_PASSWORD, "emails": ", ".join(row[0] for row in DEMO_STAFF)}
        )
        links = demo_staff_enrolment_links()
        if links:
            self.stdout.write(
                _("Their authenticator apps are registered through these one-time links "
                  "(valid 72 hours; sign in with the account first; a new one: manage.py "
                  "staff_2fa_link EMAIL):"))
            for email, url in links:
                self.stdout.write(f"  {email}: {url}")
