"""Database triggers that make the ledger hold even past the services:

- Balance transactions are immutable: an UPDATE may change only the description and
  metadata, and no row may be deleted.
- A balance moves only with a new transaction: inserting a transaction adds its amount
  to its (customer, currency) balance row, which must exist; a balance row opens at 0
  and may only ever hold the ending balance of its newest transaction. So a direct
  UPDATE of a balance is refused, and so is a transaction whose ending balance does not
  continue the chain. Balance rows cannot be deleted.

(Re)installed after every `migrate` (see apps.py): SQLite drops a table's triggers
when a migration rebuilds it. Django's test flush deletes rows (SQLite) or truncates
tables (PostgreSQL), so tests that flush drop them first (tests/conftest.py).
"""

from django.db import connections

from core.db import install_triggers as install
from core.db import trigger_names

TABLE = "ledger_balancetransaction"
BALANCES = "ledger_customerbalance"
MESSAGE_UPDATE = "balance transactions are immutable: only description and metadata can change"
MESSAGE_DELETE = "balance transactions cannot be deleted"
# No apostrophes: the messages are SQL string literals.
MESSAGE_BALANCE = "a balance moves only with a new balance transaction, to its ending balance"
MESSAGE_BALANCE_DELETE = "balances cannot be deleted"
MESSAGE_NO_BALANCE = "a balance transaction needs the balance row it moves"

# The ending balance of the newest transaction of the balance row NEW: one step down
# the (customer, currency, id) index. A new balance row opens at 0: a transaction
# cannot exist without its row, so the (customer, currency) of a new row has none
# (and comparing with them would race a concurrent first use of the currency).
_NEWEST = f"""(SELECT ending_balance FROM {TABLE}
    WHERE customer_id = NEW.customer_id AND currency = NEW.currency
    ORDER BY id DESC LIMIT 1)"""


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
        # changes(): the rows the UPDATE just before it changed.
        f"{TABLE}_moves_balance": f"""AFTER INSERT ON {TABLE} BEGIN
            UPDATE {BALANCES} SET amount = amount + NEW.amount, updated = NEW.created
            WHERE customer_id = NEW.customer_id AND currency = NEW.currency;
            SELECT RAISE(ABORT, '{MESSAGE_NO_BALANCE}') WHERE changes() = 0; END""",
        f"{BALANCES}_guard": f"""BEFORE UPDATE ON {BALANCES}
            WHEN NEW.id IS NOT OLD.id OR NEW.customer_id IS NOT OLD.customer_id
              OR NEW.currency IS NOT OLD.currency OR NEW.amount IS NOT {_NEWEST}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE_BALANCE}'); END""",
        # The EXISTS refuses an INSERT OR REPLACE of a balance even on a connection
        # without recursive_triggers (a shell, another client), where REPLACE's implicit
        # delete fires no DELETE trigger.
        f"{BALANCES}_opens_at_zero": f"""BEFORE INSERT ON {BALANCES}
            WHEN NEW.amount IS NOT 0 OR EXISTS (SELECT 1 FROM {BALANCES} WHERE id = NEW.id
              OR (customer_id = NEW.customer_id AND currency = NEW.currency))
            BEGIN SELECT RAISE(ABORT, '{MESSAGE_BALANCE}'); END""",
        f"{BALANCES}_no_delete": f"""BEFORE DELETE ON {BALANCES}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE_BALANCE_DELETE}'); END""",
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
    f"""CREATE OR REPLACE FUNCTION {TABLE}_move_balance() RETURNS trigger AS $$
    BEGIN
        UPDATE {BALANCES} SET amount = amount + NEW.amount, updated = NEW.created
        WHERE customer_id = NEW.customer_id AND currency = NEW.currency;
        IF NOT FOUND THEN
            RAISE EXCEPTION '{MESSAGE_NO_BALANCE}';
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_moves_balance AFTER INSERT ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_move_balance()""",
    f"""CREATE OR REPLACE FUNCTION {BALANCES}_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
            RAISE EXCEPTION '{MESSAGE_BALANCE_DELETE}';
        END IF;
        IF TG_OP = 'INSERT' THEN
            IF NEW.amount <> 0 THEN
                RAISE EXCEPTION '{MESSAGE_BALANCE}';
            END IF;
        ELSIF (NEW.id, NEW.customer_id, NEW.currency)
                IS DISTINCT FROM (OLD.id, OLD.customer_id, OLD.currency)
                OR NEW.amount IS DISTINCT FROM {_NEWEST} THEN
            RAISE EXCEPTION '{MESSAGE_BALANCE}';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE TRIGGER {BALANCES}_guard BEFORE INSERT OR UPDATE OR DELETE
    ON {BALANCES} FOR EACH ROW EXECUTE FUNCTION {BALANCES}_guard()""",
    f"""CREATE OR REPLACE TRIGGER {BALANCES}_no_truncate BEFORE TRUNCATE ON {BALANCES}
    FOR EACH STATEMENT EXECUTE FUNCTION {BALANCES}_guard()""",
]


def install_triggers(using="default"):
    install(connections[using], sqlite=_sqlite_triggers(), postgresql=POSTGRES)


def drop_triggers(using="default"):
    """For test teardown only: lets Django's flush (DELETE on SQLite, TRUNCATE on
    PostgreSQL) empty the tables; the flush's post_migrate reinstalls them."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for table in (TABLE, BALANCES):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def installed_triggers(using="default"):
    connection = connections[using]
    return trigger_names(connection, TABLE) | trigger_names(connection, BALANCES)


def expected_triggers(using="default"):
    if connections[using].vendor == "sqlite":
        return set(_sqlite_triggers())
    return {
        f"{TABLE}_guard", f"{TABLE}_no_truncate", f"{TABLE}_moves_balance",
        f"{BALANCES}_guard", f"{BALANCES}_no_truncate",
    }  # fmt: skip
