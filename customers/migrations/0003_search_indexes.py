"""Indexes for free-text search and the metadata filter, one kind per database.

SQLite: an FTS5 table with the trigram tokenizer (substring search, any case),
kept in step with customers_customer by triggers. PostgreSQL: pg_trgm GIN indexes
on the same text and on the name, and a jsonb_path_ops GIN index for metadata key=value.
"""

from django.db import migrations

from customers.db import run_sql_per_vendor

from customers.search import (
    POSTGRES_DOCUMENT,
    SQLITE_FTS_TABLE,
    sqlite_document_values,
)

SQLITE_COLUMNS = "name, email, description, public_id, metadata_values, metadata_pairs"

SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE {SQLITE_FTS_TABLE} USING fts5({SQLITE_COLUMNS}, tokenize='trigram')",
    f"""CREATE TRIGGER {SQLITE_FTS_TABLE}_insert AFTER INSERT ON customers_customer BEGIN
        INSERT INTO {SQLITE_FTS_TABLE}(rowid, {SQLITE_COLUMNS})
        VALUES (new.id, {sqlite_document_values("new")});
    END""",
    f"""CREATE TRIGGER {SQLITE_FTS_TABLE}_update
        AFTER UPDATE OF name, email, description, public_id, metadata ON customers_customer
    BEGIN
        DELETE FROM {SQLITE_FTS_TABLE} WHERE rowid = old.id;
        INSERT INTO {SQLITE_FTS_TABLE}(rowid, {SQLITE_COLUMNS})
        VALUES (new.id, {sqlite_document_values("new")});
    END""",
    f"""CREATE TRIGGER {SQLITE_FTS_TABLE}_delete AFTER DELETE ON customers_customer BEGIN
        DELETE FROM {SQLITE_FTS_TABLE} WHERE rowid = old.id;
    END""",
    f"""INSERT INTO {SQLITE_FTS_TABLE}(rowid, {SQLITE_COLUMNS})
        SELECT c.id, {sqlite_document_values("c")} FROM customers_customer c""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {SQLITE_FTS_TABLE}_{name}" for name in ("insert", "update", "delete")
] + [f"DROP TABLE IF EXISTS {SQLITE_FTS_TABLE}"]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
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
]


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_roles")]
    operations = [
        run_sql_per_vendor(
            {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD},
            {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD},
        )
    ]
