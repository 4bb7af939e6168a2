"""`manage.py backup`: take a generation; `--list` them; `--verify GENERATION`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from operations.backup import (
    BackupError,
    backup_create,
    backup_generations,
    backup_invalid_folders,
    backup_root,
    backup_verify,
)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class Command(BaseCommand):
    help = ("Back up the database and the media files into BACKUP_DIR as one generation "
            "and keep the newest BACKUP_KEEP; or list or verify the generations.")

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--list", action="store_true", help="List the generations kept.")
        mode.add_argument(
            "--verify", metavar="GENERATION",
            help="Restore GENERATION into a scratch database and compare row counts.",
        )
        parser.add_argument(
            "--keep", type=int, default=None,
            help="Generations to keep after this backup (default: settings.BACKUP_KEEP).",
        )

    def handle(self, *args, list=False, verify=None, keep=None, **options):
        try:
            if list:
                return self.list_generations()
            if verify:
                return self.verify(verify)
            return self.backup(keep)
        except BackupError as error:
            raise CommandError(str(error)) from error

    def backup(self, keep):
        result = backup_create(keep=keep)
        generation = result.generation
        self.stdout.write(self.style.SUCCESS(
            f"Backup {generation.name} written to {generation.path} "
            f"({len(generation.manifest['tables'])} tables, {generation.rows_total} rows, "
            f"{human_size(generation.size)})."
        ))
        if result.removed:
            self.stdout.write(f"Removed older generations: {', '.join(result.removed)}")

    def list_generations(self):
        generations = backup_generations()
        root = backup_root()
        if not generations:
            self.stdout.write(f"No backup generations in {root}.")
        else:
            self.stdout.write(f"{'generation':<22} {'taken at (local time)':<26} "
                              f"{'size':>10} {'rows':>10}  database")
            for generation in reversed(generations):
                taken = timezone.localtime(generation.created_at).strftime("%Y-%m-%d %H:%M:%S %Z")
                self.stdout.write(
                    f"{generation.name:<22} {taken:<26} {human_size(generation.size):>10} "
                    f"{generation.rows_total:>10}  {generation.vendor}"
                )
            self.stdout.write(f"{len(generations)} generation(s) in {root}.")
        for name in backup_invalid_folders():
            self.stderr.write(f"{name}: no valid manifest (incomplete or damaged; not counted)")

    def verify(self, name):
        result = backup_verify(name=name)
        if not result.ok:
            raise CommandError(
                f"Generation {name} FAILED verification:\n  - " + "\n  - ".join(result.differences)
            )
        self.stdout.write(self.style.SUCCESS(
            f"Generation {name} OK: restored into a scratch database, {result.tables} tables "
            f"and {result.rows} rows match the manifest."
        ))
