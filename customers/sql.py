"""The customers app's raw SQL, in one place. Other apps call these functions rather
than write SQL against customers' tables; table names come from the models.

Each is plain SQL because the ORM cannot say it, or because its query building cost
more than the query (the callers say which). The search index and trigger DDL stay in
triggers.py, beside the code that installs them; what fills the index without its
triggers is here (insert_triggers_deferred).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections, transaction
from django.db.models import Field, QuerySet, TextField
from django.db.models.expressions import RawSQL

from .models import Customer, TaxId
from .triggers import (
    FTS,
    FTS_COLUMNS,
    SEARCH_FIELDS,
    add_metadata_keys,
    create_insert_triggers,
    drop_insert_triggers,
    fts_values,
)

CUSTOMERS = Customer._meta.db_table
TAX_IDS = TaxId._meta.db_table

# The text the PostgreSQL trigram index holds (migration 0003); queries must use it
# verbatim for the index to serve them; a test checks it against the migration.
POSTGRES_DOCUMENT = (
    "lower("
    + "".join(f"{name} || chr(10) || " for name in SEARCH_FIELDS)
    + "customers_metadata_values(metadata))"
)

_TAKE_INVOICE_SEQUENCE = (
    f"UPDATE {CUSTOMERS} SET next_invoice_sequence = next_invoice_sequence + 1 "
    "WHERE id = %s RETURNING invoice_prefix, next_invoice_sequence - 1"
)
_TAX_ID_ROWS = f"SELECT type, value FROM {TAX_IDS} WHERE customer_id = %s ORDER BY created, id"
_FTS_MATCHES = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s"


def invoice_sequence_take(customer_id: int) -> tuple[str, int]:
    """(invoice prefix, sequence) for the customer's next invoice number, the stored
    sequence moved on by one, in one statement. The UPDATE locks the customer row until
    the caller's transaction ends (on PostgreSQL a FOR NO KEY UPDATE lock: see "Lock
    order" in docs/decisions.md), so concurrent finalizations get consecutive numbers."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_INVOICE_SEQUENCE, [customer_id])
        return cursor.fetchone()


def tax_id_rows(customer_id: int) -> list[tuple[str, str]]:
    """The customer's tax IDs as (type, value) pairs, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(_TAX_ID_ROWS, [customer_id])
        return cursor.fetchall()


def metadata_keys_used(queryset: QuerySet) -> list[str]:
    """The metadata keys the queryset's customers use, sorted, read in the database."""
    sql, params = queryset.order_by().values("metadata").query.sql_with_params()
    if connection.vendor == "postgresql":
        keys_sql = f"SELECT DISTINCT k FROM ({sql}) AS c, jsonb_object_keys(c.metadata) AS k"
    else:
        keys_sql = f"SELECT DISTINCT j.key FROM ({sql}) AS c, json_each(c.metadata) AS j"
    with connection.cursor() as cursor:
        cursor.execute(keys_sql + " ORDER BY 1", params)
        return [row[0] for row in cursor.fetchall()]


def customers_insert(using: str, fields: list[Field], rows: list[tuple]) -> None:
    """INSERTs `rows` (one tuple of prepared values per customer, in `fields` order)
    with one prepared statement."""
    db = connections[using]
    quote = db.ops.quote_name
    sql = (
        f"INSERT INTO {quote(CUSTOMERS)} "
        f"({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with db.cursor() as cursor:
        cursor.executemany(sql, rows)


def customers_update(using: str, fields: list[Field], rows: list[tuple]) -> None:
    """UPDATEs customers' `fields` with one prepared statement: each of `rows` holds the
    prepared values in `fields` order, then the customer's primary key. (bulk_update's
    CASE WHEN per field spent ~90% of a 20,000-row update import resolving expressions.)"""
    db = connections[using]
    quote = db.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(CUSTOMERS)} SET {sets} WHERE {quote(Customer._meta.pk.column)} = %s"
    with db.cursor() as cursor:
        cursor.executemany(sql, rows)


def rows_in_chunks(queryset: QuerySet, chunk_size: int) -> Iterator[list[tuple]]:
    """The queryset's rows as tuples, a list of up to `chunk_size` at a time, through a
    server-side cursor on PostgreSQL, so memory stays flat at any size."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while records := cursor.fetchmany(chunk_size):
            yield records


def tax_ids_text(vendor: str, separator: str) -> RawSQL:
    """A subquery a customer: its tax IDs as `type:value<separator>…` in no set order,
    NULL if it has none."""
    pairs = "type || ':' || value"
    joiner = f"'{separator}'"
    aggregate = "string_agg" if vendor == "postgresql" else "group_concat"
    sql = f"SELECT {aggregate}({pairs}, {joiner}) FROM {TAX_IDS} WHERE customer_id = {CUSTOMERS}.id"
    return RawSQL(f"({sql})", ())


def search_document() -> RawSQL:
    """POSTGRES_DOCUMENT as an expression (PostgreSQL)."""
    return RawSQL(POSTGRES_DOCUMENT, [], output_field=TextField())


def metadata_values(vendor: str) -> RawSQL:
    """The metadata values as one text (so a search does not match keys)."""
    if vendor == "postgresql":
        sql = "customers_metadata_values(metadata)"
    else:
        sql = "(SELECT group_concat(value, char(10)) FROM json_each(metadata))"
    return RawSQL(sql, [], output_field=TextField())


def fts_matches(phrase: str) -> RawSQL:
    """The rowids (customer IDs) the SQLite FTS index matches for `phrase`, as a
    subquery."""
    return RawSQL(_FTS_MATCHES, [phrase])


def fts_match_count(using: str, phrase: str, limit: int) -> int:
    """How many customers the SQLite FTS index matches for `phrase`, counted to
    `limit` at most."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({_FTS_MATCHES} LIMIT {limit})", [phrase])
        (matched,) = cursor.fetchone()
    return matched


_LIVE_CUSTOMER_IDS = f"SELECT id FROM {CUSTOMERS} WHERE deleted_at IS NULL"


def live_customer_ids() -> str:
    """A subquery: the IDs of the customers not deleted, for another app's SQL to keep
    to live customers in the same statement (the ledger's balance lock)."""
    return _LIVE_CUSTOMER_IDS


_LAST_CUSTOMER_ID = f"SELECT coalesce(max(id), 0) FROM {CUSTOMERS}"
_INDEX_CUSTOMERS_AFTER = (
    f"INSERT INTO {FTS}(rowid, {FTS_COLUMNS}) SELECT c.id, {fts_values('c')} "
    f"FROM {CUSTOMERS} c WHERE c.id > %s"
)
_ADD_METADATA_KEYS_AFTER = add_metadata_keys(
    f"{CUSTOMERS} c, json_each(c.metadata) AS j", "c.id > %s"
)


@contextmanager
def insert_triggers_deferred(using: str = "default") -> Iterator[None]:
    """For inserting many customers in the caller's transaction: on SQLite, the search
    index and the metadata keys of the new rows are filled by one statement each at
    the end instead of the insert triggers' statement per row (for 100,000 imported
    customers the trigram index alone went from ~14 s to ~3 s).

    The triggers are dropped and made again inside the transaction: if anything fails
    it rolls back with the rows, and no one else can insert meanwhile (SQLite has one
    writer). PostgreSQL keeps its trigger and index maintenance."""
    db = connections[using]
    if db.vendor != "sqlite":
        yield
        return
    if not db.in_atomic_block:
        raise transaction.TransactionManagementError("Defer the triggers in a transaction.")
    with db.cursor() as cursor:
        # AUTOINCREMENT ids only grow, so the new rows are those above this one.
        cursor.execute(_LAST_CUSTOMER_ID)
        (last_id,) = cursor.fetchone()
    drop_insert_triggers(db)
    try:
        yield
    except BaseException:
        transaction.set_rollback(True, using)
        raise
    with db.cursor() as cursor:
        cursor.execute(_INDEX_CUSTOMERS_AFTER, [last_id])
        cursor.execute(_ADD_METADATA_KEYS_AFTER, [last_id])
    create_insert_triggers(db)
