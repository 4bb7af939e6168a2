"""`manage.py migration_report`: the post-migration inspection report (Markdown and HTML)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.legacy.mapping import MappingError
from operations.legacy.report import migration_report_build, migration_report_write


class Command(BaseCommand):
    help = ("Compare the legacy export with the portal and write migration-report.md and "
            "migration-report.html (row counts, pending shop edits, orphans, duplicate "
            "e-mails, shops without or with an odd position, every legacy master code "
            "with its match, counters against the highest legacy id, checksums), and "
            "migration-rows.csv (every rejected or altered row: file, line, legacy id, field, "
            "reason, action). Uses the mapping the last import recorded; exit status 1 when "
            "--mapping differs from it or no import was recorded.")

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=None,
                            help="The legacy export folder import_legacy read.")
        parser.add_argument("--mapping", type=Path, default=None,
                            help="Checked against the mapping the last import recorded "
                                 "(default: that mapping).")
        parser.add_argument("--output", type=Path, default=Path("."),
                            help="Folder for the two report files (default: here).")

    def handle(self, *args, **options):
        try:
            report = migration_report_build(source=options["source"],
                                            mapping_path=options["mapping"])
        except MappingError as error:
            raise CommandError(str(error)) from error
        for path in migration_report_write(report, options["output"]):
            self.stdout.write(f"wrote {path}")
        self.stdout.write("OK" if report.ok else "CHECK: see the report")
