import io
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ledger.models import BalanceTransaction, CustomerBalance
from ledger.triggers import BALANCES, TABLE, install_triggers
from tests.factories import adjust, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    customer = make_customer()
    adjust(customer, -1000)
    adjust(customer, 300)
    adjust(customer, 5, "JPY")
    return customer


def test_a_consistent_ledger_passes(ledger):
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert "Ledger OK: 3 transactions, 2 balances." in out.getvalue()


@contextmanager
def _past_the_guard(table, sqlite_trigger):
    """Corruption is only possible past the triggers: drop (SQLite) or disable
    (PostgreSQL) the table's guard, then put it back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {sqlite_trigger}")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_guard")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_guard")
    install_triggers()


def test_a_stored_balance_that_differs_fails(ledger):
    with _past_the_guard(BALANCES, f"{BALANCES}_guard"):
        CustomerBalance.objects.filter(currency="USD").update(amount=-1)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_ledger", stderr=err)
    assert "stored balance -1, transactions sum to -700" in err.getvalue()


def test_a_broken_ending_balance_chain_fails(ledger):
    with _past_the_guard(TABLE, f"{TABLE}_immutable") as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET ending_balance = 999 WHERE id = %s",
            [BalanceTransaction.objects.get(amount=300).pk],
        )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_ledger", stderr=err)
    assert "ending balance 999, expected -700" in err.getvalue()
