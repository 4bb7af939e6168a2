"""Compile .po catalogues into .mo with polib, so no GNU gettext is needed.

Compiles every .po under settings.LOCALE_PATHS and under the `locale/`
directory of the project's own apps (not of installed packages). Fuzzy and
obsolete entries are left out, as msgfmt does. Python-format placeholders
(`%(name)s`, `%s`) and template placeholders are checked: a translation that
drops or invents one would raise at render time, so it fails the command.
"""

import re
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

_PYTHON_FORMAT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def _placeholders(text: str) -> list[str]:
    return sorted(match for match in _PYTHON_FORMAT.findall(text) if match != "%%")


class Command(BaseCommand):
    help = "Compile the project's .po files into .mo files with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale", "-l", action="append", default=[],
            help="Compile only this locale (e.g. ja). May be repeated.",
        )

    def locale_dirs(self) -> list[Path]:
        base_dir = Path(settings.BASE_DIR).resolve()
        dirs = [Path(path).resolve() for path in settings.LOCALE_PATHS]
        for app_config in apps.get_app_configs():
            app_dir = Path(app_config.path).resolve()
            # Only our own apps: inside the project and not in a virtualenv.
            if base_dir not in app_dir.parents or any(
                part in {".venv", "venv", "site-packages"} for part in app_dir.parts
            ):
                continue
            locale_dir = app_dir / "locale"
            if locale_dir.is_dir():
                dirs.append(locale_dir)
        unique: list[Path] = []
        for directory in dirs:
            if directory not in unique and directory.is_dir():
                unique.append(directory)
        return unique

    def handle(self, *args, **options):
        locales = set(options["locale"])
        compiled = 0
        problems: list[str] = []
        for locale_dir in self.locale_dirs():
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                if locales and po_path.parent.parent.name not in locales:
                    continue
                try:
                    catalogue = polib.pofile(str(po_path), wrapwidth=0)
                except (OSError, ValueError) as error:
                    raise CommandError(f"{po_path}: {error}") from error
                problems.extend(self.check_placeholders(po_path, catalogue))
                mo_path = po_path.with_suffix(".mo")
                catalogue.save_as_mofile(str(mo_path))
                compiled += 1
                if options["verbosity"] >= 1:
                    self.stdout.write(
                        f"{po_path} → {mo_path.name} "
                        f"({len(catalogue.translated_entries())} translated, "
                        f"{len(catalogue.untranslated_entries())} untranslated, "
                        f"{len(catalogue.fuzzy_entries())} fuzzy)"
                    )
        if problems:
            raise CommandError("\n".join(problems))
        if not compiled:
            self.stderr.write("No .po files found.")

    @staticmethod
    def check_placeholders(po_path: Path, catalogue: polib.POFile) -> list[str]:
        problems = []
        for entry in catalogue.translated_entries():
            if "python-format" not in entry.flags:
                continue
            if entry.msgid_plural:
                wanted = _placeholders(entry.msgid_plural)
                translations = entry.msgstr_plural.values()
            else:
                wanted = _placeholders(entry.msgid)
                translations = [entry.msgstr]
            for translation in translations:
                found = _placeholders(translation)
                # Named placeholders must match; a plural may drop the bare count (%d).
                if {p for p in found if "(" in p} != {p for p in wanted if "(" in p} or (
                    len([p for p in found if "(" not in p])
                    > len([p for p in wanted if "(" not in p])
                ):
                    problems.append(
                        f"{po_path}:{entry.linenum}: placeholders differ in "
                        f"{entry.msgid!r}: {wanted} ≠ {found}"
                    )
        return problems
