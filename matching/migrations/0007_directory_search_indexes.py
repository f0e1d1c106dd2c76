"""Indexes for the public expertise directory's filters and word search, on PostgreSQL only
(SQLite, the embedded default, has neither GIN nor trigram indexes and its catalogues are small).

Over only what the directory shows (public and active profiles, like `expertise_directory_order`):
- GIN (jsonb_path_ops) on capability_areas, sectors and languages, which serve the directory's
  jsonb containment filters (`cms.directory.json_list_contains`);
- a trigram GIN index on the searched text (names, titles and summaries in both languages and
  the keywords, `cms.directory.SEARCH_EXPRESSION`), which serves `ILIKE '%word%'`. It needs the
  pg_trgm extension: created here when the database user may (a trusted extension since
  PostgreSQL 13: the database's owner may); without it the search still works, unindexed.
"""

from django.db import DatabaseError, migrations, transaction

# Keep in step with cms.directory.SEARCH_EXPRESSION (the query must use the same expression).
SEARCH_EXPRESSION = (
    "(name || ' ' || name_fr || ' ' || title || ' ' || title_fr || ' ' || summary || ' ' "
    "|| summary_fr || ' ' || keywords::text)"
)
WHERE = "WHERE public AND is_active"
TABLE = "matching_expertiseprofile"
LISTS = {
    "expertise_directory_areas": "capability_areas",
    "expertise_directory_sectors": "sectors",
    "expertise_directory_languages": "languages",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in LISTS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} USING gin ({column} jsonb_path_ops) "
            f"{WHERE}"
        )
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # no right to create it: the search stays unindexed
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS expertise_directory_words ON {TABLE} "
        f"USING gin ({SEARCH_EXPRESSION} gin_trgm_ops) {WHERE}"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*LISTS, "expertise_directory_words"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("matching", "0006_public_directory")]

    operations = [migrations.RunPython(create, drop)]
