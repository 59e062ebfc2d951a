"""Database triggers that keep the search index and the metadata key list in step
with customers_customer.

They are (re)installed after every `migrate` (see apps.py), not only by a migration:
SQLite rebuilds a table for most ALTERs and drops its triggers with it, so a later
migration of Customer would silently switch them off.
"""

from contextlib import contextmanager

from django.db import connections, transaction

from core.db import install_triggers as install
from core.db import trigger_names

FTS = "customers_customer_search"
# The customer fields the search index holds, beside the metadata values and key=value
# pairs. Migration 0003 built the FTS table and PostgreSQL's trigram index from them:
# changing this needs a migration that rebuilds both (tests compare the two).
SEARCH_FIELDS = ("name", "email", "description", "public_id")
FTS_COLUMNS = ", ".join([*SEARCH_FIELDS, "metadata_values", "metadata_pairs"])


def _fts_values(row):
    return (
        "".join(f"{row}.{name}, " for name in SEARCH_FIELDS)
        + f"(SELECT group_concat(value, char(10)) FROM json_each({row}.metadata)), "
        f"(SELECT group_concat(key || '=' || value, char(10)) FROM json_each({row}.metadata))"
    )


def _add_metadata_keys(rows, where="true"):
    """The metadata keys of `rows` (SQL naming `j`, a json_each of metadata) into the
    key list; SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT."""
    return (
        f'INSERT INTO customers_metadatakey ("key") SELECT DISTINCT j.key FROM {rows} '
        f'WHERE {where} ON CONFLICT ("key") DO NOTHING'
    )


_ADD_METADATA_KEYS = _add_metadata_keys("json_each(new.metadata) AS j") + ";"
SQLITE_INSERT_TRIGGERS = (f"{FTS}_insert", "customers_metadatakey_insert")

SQLITE = {
    f"{FTS}_insert": f"""AFTER INSERT ON customers_customer BEGIN
        INSERT INTO {FTS}(rowid, {FTS_COLUMNS}) VALUES (new.id, {_fts_values("new")});
    END""",
    f"{FTS}_update": f"""
        AFTER UPDATE OF {", ".join([*SEARCH_FIELDS, "metadata"])} ON customers_customer
    BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id;
        INSERT INTO {FTS}(rowid, {FTS_COLUMNS}) VALUES (new.id, {_fts_values("new")});
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


def install_triggers(using="default"):
    install(connections[using], sqlite=SQLITE, postgresql=POSTGRES)


def installed_triggers(using="default"):
    """The names of the customer triggers the database has."""
    return trigger_names(connections[using], "customers_customer")


def expected_triggers(using="default"):
    if connections[using].vendor == "sqlite":
        return set(SQLITE)
    return {"customers_metadatakey_add"}


@contextmanager
def insert_triggers_deferred(using="default"):
    """For inserting many customers in the caller's transaction: on SQLite, the search
    index and the metadata keys of the new rows are filled by one statement each at
    the end instead of the insert triggers' statement per row (for 100,000 imported
    customers the trigram index alone went from ~14 s to ~3 s).

    The triggers are dropped and made again inside the transaction: if anything fails
    it rolls back with the rows, and no one else can insert meanwhile (SQLite has one
    writer). PostgreSQL keeps its trigger and index maintenance."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("Defer the triggers in a transaction.")
    with connection.cursor() as cursor:
        # AUTOINCREMENT ids only grow, so the new rows are those above this one.
        cursor.execute("SELECT coalesce(max(id), 0) FROM customers_customer")
        (last_id,) = cursor.fetchone()
        for name in SQLITE_INSERT_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    except BaseException:
        transaction.set_rollback(True, using)
        raise
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FTS}(rowid, {FTS_COLUMNS}) SELECT c.id, {_fts_values('c')} "
            "FROM customers_customer c WHERE c.id > %s",
            [last_id],
        )
        cursor.execute(
            _add_metadata_keys("customers_customer c, json_each(c.metadata) AS j", "c.id > %s"),
            [last_id],
        )
        for name in SQLITE_INSERT_TRIGGERS:
            cursor.execute(f"CREATE TRIGGER {name} {SQLITE[name]}")
