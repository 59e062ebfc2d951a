"""Database triggers that make balance transactions immutable: an UPDATE may change
only the description and metadata, and no row may be deleted.

(Re)installed after every `migrate` (see apps.py): SQLite drops a table's triggers
when a migration rebuilds it. Django's test flush deletes rows (SQLite) or truncates
tables (PostgreSQL), so tests that flush drop them first (tests/conftest.py).
"""

from django.db import connections

from customers.db import install_triggers as install
from customers.db import trigger_names

TABLE = "ledger_balancetransaction"
MESSAGE_UPDATE = "balance transactions are immutable: only description and metadata can change"
MESSAGE_DELETE = "balance transactions cannot be deleted"


def _sqlite_triggers():
    from .models import MUTABLE_FIELDS, BalanceTransaction

    columns = [
        field.column
        for field in BalanceTransaction._meta.concrete_fields
        if field.name not in MUTABLE_FIELDS
    ]
    changed = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns)
    return {
        f"{TABLE}_immutable": f"""BEFORE UPDATE ON {TABLE} WHEN {changed}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE_UPDATE}'); END""",
        f"{TABLE}_no_delete": f"""BEFORE DELETE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE_DELETE}'); END""",
    }


POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
            RAISE EXCEPTION '{MESSAGE_DELETE}';
        END IF;
        IF to_jsonb(NEW) - 'description' - 'metadata'
                IS DISTINCT FROM to_jsonb(OLD) - 'description' - 'metadata' THEN
            RAISE EXCEPTION '{MESSAGE_UPDATE}';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_guard BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_guard()""",
    # Row triggers do not see TRUNCATE (nor TRUNCATE ... CASCADE from customers).
    f"""CREATE OR REPLACE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_guard()""",
]


def install_triggers(using="default"):
    install(connections[using], sqlite=_sqlite_triggers(), postgresql=POSTGRES)


def drop_triggers(using="default"):
    """For test teardown only: lets Django's flush (DELETE on SQLite, TRUNCATE on
    PostgreSQL) empty the table; the flush's post_migrate reinstalls them."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")


def installed_triggers(using="default"):
    return trigger_names(connections[using], TABLE)


def expected_triggers(using="default"):
    if connections[using].vendor == "sqlite":
        return set(_sqlite_triggers())
    return {f"{TABLE}_guard", f"{TABLE}_no_truncate"}
