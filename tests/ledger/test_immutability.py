import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from ledger.models import BalanceTransaction, ImmutableTransactionError
from ledger.triggers import expected_triggers, installed_triggers
from tests.factories import adjust, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted():
    return adjust(make_customer(), -1000, description="Goodwill")


def test_model_refuses_changes_to_money_fields(posted):
    posted.amount = -1
    with pytest.raises(ImmutableTransactionError):
        posted.save()
    with pytest.raises(ImmutableTransactionError):
        posted.save(update_fields=["amount"])
    with pytest.raises(ImmutableTransactionError):
        posted.delete()


def test_queryset_refuses_bulk_changes(posted):
    with pytest.raises(ImmutableTransactionError):
        BalanceTransaction.objects.update(amount=5)
    with pytest.raises(ImmutableTransactionError):
        BalanceTransaction.objects.all().delete()
    assert BalanceTransaction.objects.update(description="ok") == 1


def test_database_triggers_are_installed():
    assert expected_triggers() <= installed_triggers()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_balancetransaction SET amount = 5",
        "UPDATE ledger_balancetransaction SET ending_balance = 0",
        "UPDATE ledger_balancetransaction SET currency = 'EUR'",
        "UPDATE ledger_balancetransaction SET internal_note = 'edited'",
        "UPDATE ledger_balancetransaction SET type = 'initial'",
        "UPDATE ledger_balancetransaction SET customer_id = customer_id + 1",
        "DELETE FROM ledger_balancetransaction",
        "INSERT OR REPLACE INTO ledger_balancetransaction SELECT * FROM ledger_balancetransaction",
        "TRUNCATE ledger_balancetransaction CASCADE",
    ],
)
def test_raw_sql_cannot_change_or_delete_a_transaction(posted, sql):
    if sql.startswith("INSERT OR REPLACE") and connection.vendor != "sqlite":
        pytest.skip("SQLite syntax")
    if sql.startswith("TRUNCATE"):
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL syntax")
        sql = "SET CONSTRAINTS ALL IMMEDIATE; " + sql  # no pending FK checks first
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert "balance transactions" in str(error.value)
    posted.refresh_from_db()
    assert posted.amount == -1000


def test_raw_sql_may_change_description_and_metadata(posted):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_balancetransaction SET description = 'Edited'")
    posted.refresh_from_db()
    assert posted.description == "Edited"


def test_customer_with_ledger_rows_cannot_be_hard_deleted(posted):
    with pytest.raises(ProtectedError):
        posted.customer.delete()
