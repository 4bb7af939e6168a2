"""Index for one- and two-character keywords (PostgreSQL only).

pg_trgm (0002) can only narrow `LIKE '%term%'` when the term has three or more
characters; Japanese searches are often one or two (寿司, 歯科, 堺, 岬町), and
then PostgreSQL read every row (~100–300 ms at 100,000 shops). This adds

- `shops_search_grams(text)`: the distinct characters and two-character
  sequences of a text;
- `shops_shop.search_grams`: a stored generated column with those grams of
  `search_text` (PostgreSQL keeps it current on every INSERT and UPDATE, so
  `Shop.save()`, bulk_create and the demo seed need no change);
- a GIN index on it, so `search_grams @> ARRAY['寿司']` finds the shops whose
  search text contains 寿司 exactly, through the index.

A stored column rather than an expression index: when the planner filters
rows instead of using the index (a common term with ORDER BY … LIMIT), an
expression index makes it run the function for every row (~40–250 µs each),
whereas a stored array is checked in microseconds.

The column is not a model field: Django never selects or writes it. It
depends on `search_text`, so a later migration that changes that column's
type must drop and recreate it. SQLite (the embedded default) has neither
and scans instead, which is fast enough at its scale.
"""

from django.db import migrations

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION shops_search_grams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    chars text[] := string_to_array(t, NULL);
    n int := coalesce(array_length(chars, 1), 0);
    grams text[] := chars;
BEGIN
    FOR i IN 1 .. n - 1 LOOP
        grams := grams || (chars[i] || chars[i + 1]);
    END LOOP;
    RETURN ARRAY(SELECT DISTINCT gram FROM unnest(grams) AS gram);
END
$$
"""


def create_grams(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    schema_editor.execute(
        "ALTER TABLE shops_shop ADD COLUMN IF NOT EXISTS search_grams text[] "
        "GENERATED ALWAYS AS (shops_search_grams(search_text)) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS shop_search_grams_gin ON shops_shop USING gin (search_grams)"
    )


def drop_grams(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS shop_search_grams_gin")
    schema_editor.execute("ALTER TABLE shops_shop DROP COLUMN IF EXISTS search_grams")
    schema_editor.execute("DROP FUNCTION IF EXISTS shops_search_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("shops", "0003_alter_shop_options")]

    operations = [migrations.RunPython(create_grams, drop_grams)]
