"""Migration from the legacy system (spec §2–§5): reading the old vendor's CSV
export (reader.py), the column mapping (mapping.py, default_mapping.toml), the
idempotent import (importer.py), the post-migration inspection (report.py) and
the password set-up mails for accounts whose hash could not be kept
(passwords.py). See docs/migration.md for the hand-over procedure."""
