"""Indexes for free-text search and the metadata filter, one kind per database.

SQLite: an FTS5 table with the trigram tokenizer (substring search, any case), kept
in step with customers_customer by the triggers in customers/triggers.py (installed
after every migrate, since SQLite drops a table's triggers when it rebuilds it). PostgreSQL: pg_trgm GIN indexes on the
same text and on the name, and a jsonb_path_ops GIN index for metadata key=value.
The SQL is written out here, not imported, so that this migration builds the same
thing whatever the app code later becomes; customers/search.py queries it.
"""

from django.db import migrations

from core.db import run_sql_per_vendor

FTS = "customers_customer_search"
FTS_COLUMNS = "name, email, description, public_id, metadata_values, metadata_pairs"


def fts_values(row):
    """What the FTS table holds for `row` (new, old, or a table alias)."""
    return (
        f"{row}.name, {row}.email, {row}.description, {row}.public_id, "
        f"(SELECT group_concat(value, char(10)) FROM json_each({row}.metadata)), "
        f"(SELECT group_concat(key || '=' || value, char(10)) FROM json_each({row}.metadata))"
    )


SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({FTS_COLUMNS}, tokenize='trigram')",
    f"INSERT INTO {FTS}(rowid, {FTS_COLUMNS}) "
    f"SELECT c.id, {fts_values('c')} FROM customers_customer c",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS}_{event}" for event in ("insert", "update", "delete")
] + [f"DROP TABLE IF EXISTS {FTS}"]

POSTGRES_DOCUMENT = (
    "lower(name || chr(10) || email || chr(10) || description || chr(10) || public_id "
    "|| chr(10) || customers_metadata_values(metadata))"
)
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # The metadata values as plain text (not JSON-escaped), one a line.
    """CREATE FUNCTION customers_metadata_values(metadata jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(string_agg(value, chr(10)), '') FROM jsonb_each_text(metadata)
    $$""",
    f"CREATE INDEX customer_search_trgm ON customers_customer "
    f"USING gin (({POSTGRES_DOCUMENT}) gin_trgm_ops) WHERE deleted_at IS NULL",
    "CREATE INDEX customer_name_trgm ON customers_customer "
    "USING gin (lower(name) gin_trgm_ops) WHERE deleted_at IS NULL",
    "CREATE INDEX customer_metadata_gin ON customers_customer "
    "USING gin (metadata jsonb_path_ops) WHERE deleted_at IS NULL",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS customer_search_trgm",
    "DROP INDEX IF EXISTS customer_name_trgm",
    "DROP INDEX IF EXISTS customer_metadata_gin",
    "DROP FUNCTION IF EXISTS customers_metadata_values(jsonb)",
]


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_roles")]
    operations = [
        run_sql_per_vendor(
            {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD},
            {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD},
        )
    ]
