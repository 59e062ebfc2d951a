"""The system check that a trigger names only columns its table's model has."""

from core.db import trigger_column_errors
from customers import triggers as customer_triggers
from ledger import triggers as ledger_triggers


def test_the_installed_triggers_name_only_existing_columns():
    assert not trigger_column_errors(
        sqlite=customer_triggers.SQLITE, postgresql=customer_triggers.POSTGRES, check_id="x"
    )
    assert not trigger_column_errors(
        sqlite=ledger_triggers._sqlite_triggers(),
        postgresql=ledger_triggers.POSTGRES,
        check_id="x",
    )


def test_a_sqlite_trigger_naming_a_missing_column_is_an_error():
    sqlite = {
        "t": """AFTER UPDATE OF name, nickname ON customers_customer BEGIN
            INSERT INTO customers_customer_search(rowid, name) VALUES (new.id, new.full_name);
        END"""
    }
    errors = trigger_column_errors(sqlite=sqlite, postgresql=[], check_id="customers.E002")
    assert [error.id for error in errors] == ["customers.E002"] * 2
    assert "full_name" in errors[0].msg and "nickname" in errors[1].msg


def test_a_postgresql_trigger_function_naming_a_missing_column_is_an_error():
    postgresql = [
        """CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$
        BEGIN UPDATE x SET a = NEW.amount_due; RETURN NULL; END $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE TRIGGER t AFTER INSERT ON ledger_balancetransaction
        FOR EACH ROW EXECUTE FUNCTION f()""",
    ]
    errors = trigger_column_errors(sqlite={}, postgresql=postgresql, check_id="ledger.E001")
    assert len(errors) == 1 and "amount_due" in errors[0].msg
