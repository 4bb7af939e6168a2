"""`manage.py import_legacy DIR`: import the legacy system's CSV export (see
operations/legacy/importer.py and docs/migration.md)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.legacy.importer import import_rows_csv, legacy_import
from operations.legacy.mapping import MappingError


class Command(BaseCommand):
    help = ("Import one CSV file per legacy table from DIR (upsert by legacy id, one "
            "transaction). Exit status 1 if a file or a row failed.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--mapping", type=Path, default=None,
                            help="TOML mapping file (default: the shipped default_mapping.toml).")
        parser.add_argument("--encoding", default=None,
                            help="Force the files' encoding (utf-8, cp932); default: detect.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Report what would change, save nothing.")
        parser.add_argument("--strict", action="store_true",
                            help="Save nothing if any row fails validation.")
        parser.add_argument("--report", type=Path, default=None,
                            help="Also write the run's report as JSON to this file.")
        parser.add_argument("--rows", type=Path, default=None,
                            help="Also write every rejected or altered row as CSV (file, line, "
                                 "legacy id, field, reason, action) to this file.")
        parser.add_argument("--unpublish-missing", action="store_true",
                            help="Unpublish shops, events and articles imported earlier that "
                                 "this export no longer has (they are listed either way).")

    def handle(self, *args, **options):
        directory = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        try:
            report = legacy_import(directory=directory, mapping_path=options["mapping"],
                                   encoding=options["encoding"], dry_run=options["dry_run"],
                                   strict=options["strict"],
                                   unpublish_missing=options["unpublish_missing"])
        except MappingError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.as_text())
        if options["report"]:
            options["report"].write_text(json.dumps({
                "directory": report.directory, "dry_run": report.dry_run,
                "fatal": report.fatal, "rolled_back": report.rolled_back,
                "mapping": report.mapping_path, "mapping_sha256": report.mapping_sha256,
                "missing": report.missing, "unpublished": report.unpublished,
                "encodings": report.encodings, "not_imported": report.skipped_files,
                "tables": {name: vars(result) for name, result in report.tables.items()},
                "issues": [vars(issue) for issue in report.issues],
            }, ensure_ascii=False, indent=2), encoding="utf-8")
        if options["rows"]:
            import_rows_csv(report, options["rows"])
        if report.fatal or report.errors:
            raise CommandError(f"{len(report.errors)} error(s): see the lines above.",
                               returncode=1)
