"""pg_trgm GIN index on Shop.search_text (PostgreSQL only).

Substring search on normalised text (`search_text LIKE '%term%'`) uses this
index on PostgreSQL; SQLite, the embedded default, scans instead. Kept out of
Meta.indexes because Django would emit it for SQLite too.
"""

from django.db import migrations


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS shop_search_text_trgm "
        "ON shops_shop USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS shop_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("shops", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
