"""`manage.py restore GENERATION`: the database and media files of one backup generation."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a backup generation (see `manage.py backup --list`) into the database, "
            "which must be empty unless --force, and its media files into MEDIA_ROOT. "
            "Checksums are verified first; a damaged generation is refused.")

    def add_arguments(self, parser):
        parser.add_argument("generation", help="The generation name, e.g. 20260301T180000Z.")
        parser.add_argument(
            "--force", action="store_true",
            help="Replace the contents of a database that is not empty.",
        )
        parser.add_argument(
            "--skip-media", action="store_true", help="Restore the database only.",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Do not ask for confirmation before --force replaces a database.",
        )

    def handle(self, *args, generation, force=False, skip_media=False, interactive=True,
               **options):
        if force and interactive:
            name = connections["default"].settings_dict.get("NAME")
            answer = input(
                f"This replaces everything in the database {name!s} with generation "
                f"{generation}. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            result = backup_restore(name=generation, force=force, media=not skip_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        media = ("media skipped" if result.media_files is None
                 else f"{result.media_files} media files")
        self.stdout.write(self.style.SUCCESS(
            f"Restored generation {result.generation}: {result.tables} tables, "
            f"{result.rows} rows, {media}. Run `manage.py migrate` if the code is newer "
            f"than the backup."
        ))
