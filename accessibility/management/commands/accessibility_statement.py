"""Write the e2e sweep's results into the アクセシビリティ方針 page (試験結果).

    manage.py accessibility_statement [--results FILE] [--manual FILE] [--draft]

--results defaults to settings.ACCESSIBILITY_RESULTS_FILE (written by the sweep in
`make e2e`), else the results checked in with the code (accessibility/data/).
The page gets a new revision, published unless --draft (then it waits in the
editor for the secretariat)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accessibility import statement


class Command(BaseCommand):
    help = "Publish the accessibility test results (試験結果) on the アクセシビリティ方針 page."

    def add_arguments(self, parser):
        parser.add_argument("--results", help="the sweep's results file (JSON)")
        parser.add_argument("--manual", default=str(statement.MANUAL_CHECKS_FILE),
                            help="the manual checks (TOML)")
        parser.add_argument("--draft", action="store_true",
                            help="save a draft revision instead of publishing")

    def handle(self, *args, **options):
        results = options["results"]
        if not results:
            configured = Path(settings.ACCESSIBILITY_RESULTS_FILE)
            results = configured if configured.exists() else statement.BUNDLED_RESULTS_FILE
        try:
            result, revision = statement.statement_publish(
                results, options["manual"], publish=not options["draft"])
        except statement.StatementError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{'draft saved' if options['draft'] else 'published'}: "
            f"{revision.content_object.title} (revision {revision.pk}); "
            f"{len(result.pages)} pages tested on {result.tested_on}, "
            f"対応度 {result.conformance}, 適合 {result.count(statement.PASS)}, "
            f"不適合 {result.count(statement.FAIL)}, 該当なし {result.count(statement.NOT_APPLICABLE)}, "
            f"未確認 {result.count(statement.UNVERIFIED)}"
        )
