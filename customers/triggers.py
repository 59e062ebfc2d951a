"""Database triggers that keep the search index and the metadata key list in step
with customers_customer.

They are (re)installed after every `migrate` (see apps.py), not only by a migration:
SQLite rebuilds a table for most ALTERs and drops its triggers with it, so a later
migration of Customer would silently switch them off.
"""

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from core.db import install_triggers as install
from core.db import trigger_names

FTS = "customers_customer_search"
# The customer fields the search index holds, beside the metadata values and key=value
# pairs. Migration 0003 built the FTS table and PostgreSQL's trigram index from them:
# changing this needs a migration that rebuilds both (tests compare the two).
SEARCH_FIELDS = ("name", "email", "description", "public_id")
FTS_COLUMNS = ", ".join([*SEARCH_FIELDS, "metadata_values", "metadata_pairs"])


def fts_values(row: str) -> str:
    return (
        "".join(f"{row}.{name}, " for name in SEARCH_FIELDS)
        + f"(SELECT group_concat(value, char(10)) FROM json_each({row}.metadata)), "
        f"(SELECT group_concat(key || '=' || value, char(10)) FROM json_each({row}.metadata))"
    )


def add_metadata_keys(rows: str, where: str = "true") -> str:
    """The metadata keys of `rows` (SQL naming `j`, a json_each of metadata) into the
    key list; SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT."""
    return (
        f'INSERT INTO customers_metadatakey ("key") SELECT DISTINCT j.key FROM {rows} '
        f'WHERE {where} ON CONFLICT ("key") DO NOTHING'
    )


_ADD_METADATA_KEYS = add_metadata_keys("json_each(new.metadata) AS j") + ";"
SQLITE_INSERT_TRIGGERS = (f"{FTS}_insert", "customers_metadatakey_insert")

SQLITE = {
    f"{FTS}_insert": f"""AFTER INSERT ON customers_customer BEGIN
        INSERT INTO {FTS}(rowid, {FTS_COLUMNS}) VALUES (new.id, {fts_values("new")});
    END""",
    f"{FTS}_update": f"""
        AFTER UPDATE OF {", ".join([*SEARCH_FIELDS, "metadata"])} ON customers_customer
    BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id;
        INSERT INTO {FTS}(rowid, {FTS_COLUMNS}) VALUES (new.id, {fts_values("new")});
    END""",
    f"{FTS}_delete": f"""AFTER DELETE ON customers_customer BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id;
    END""",
    "customers_metadatakey_insert": f"""AFTER INSERT ON customers_customer BEGIN
        {_ADD_METADATA_KEYS}
    END""",
    "customers_metadatakey_update": f"""AFTER UPDATE OF metadata ON customers_customer BEGIN
        {_ADD_METADATA_KEYS}
    END""",
}

POSTGRES = [
    """CREATE OR REPLACE FUNCTION customers_metadatakey_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO customers_metadatakey ("key")
        SELECT DISTINCT k FROM jsonb_object_keys(NEW.metadata) AS k
        ON CONFLICT ("key") DO NOTHING;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER customers_metadatakey_add
    AFTER INSERT OR UPDATE OF metadata ON customers_customer
    FOR EACH ROW EXECUTE FUNCTION customers_metadatakey_add()""",
]


def install_triggers(using: str = "default") -> None:
    install(connections[using], sqlite=SQLITE, postgresql=POSTGRES)


def installed_triggers(using: str = "default") -> set[str]:
    """The names of the customer triggers the database has."""
    return trigger_names(connections[using], "customers_customer")


def expected_triggers(using: str = "default") -> set[str]:
    if connections[using].vendor == "sqlite":
        return set(SQLITE)
    return {"customers_metadatakey_add"}


def drop_insert_triggers(connection: BaseDatabaseWrapper) -> None:
    """Drops SQLite's per-row insert triggers, for customers.sql.insert_triggers_deferred,
    which fills what they would have in one statement each, then calls
    create_insert_triggers()."""
    with connection.cursor() as cursor:
        for name in SQLITE_INSERT_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")


def create_insert_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in SQLITE_INSERT_TRIGGERS:
            cursor.execute(f"CREATE TRIGGER {name} {SQLITE[name]}")
