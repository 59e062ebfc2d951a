import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from ledger.models import BalanceTransaction, CustomerBalance, ImmutableTransactionError
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


def _refused(sql):
    """Run raw SQL that the triggers must refuse; the database's message."""
    if sql.startswith("INSERT OR REPLACE") and connection.vendor != "sqlite":
        pytest.skip("SQLite syntax")
    if sql.startswith("TRUNCATE"):
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL syntax")
        sql = "SET CONSTRAINTS ALL IMMEDIATE; " + sql  # no pending FK checks first
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(error.value)


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
    assert "balance transactions" in _refused(sql)
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


# The balance rows: each moves only with a new transaction, by that transaction's amount.


def _balance(customer, currency="USD"):
    return CustomerBalance.objects.get(customer=customer, currency=currency).amount


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_customerbalance SET amount = 5",
        "UPDATE ledger_customerbalance SET amount = amount - 1",
        "UPDATE ledger_customerbalance SET currency = 'EUR'",
        "UPDATE ledger_customerbalance SET customer_id = {other}",
        "DELETE FROM ledger_customerbalance",
        "INSERT INTO ledger_customerbalance (customer_id, currency, amount, updated) "
        "SELECT customer_id, 'EUR', 500, updated FROM ledger_customerbalance",
        "INSERT OR REPLACE INTO ledger_customerbalance SELECT * FROM ledger_customerbalance",
        "TRUNCATE ledger_customerbalance CASCADE",
    ],
)
def test_raw_sql_cannot_change_or_delete_a_balance(posted, sql):
    assert "balance" in _refused(sql.format(other=make_customer().pk))
    assert list(CustomerBalance.objects.values_list("currency", "amount")) == [("USD", -1000)]


def test_the_orm_cannot_change_a_balance_either(posted):
    with pytest.raises(DatabaseError), transaction.atomic():
        CustomerBalance.objects.update(amount=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        CustomerBalance.objects.all().delete()
    assert _balance(posted.customer) == -1000


def _raw_insert(customer, amount, ending_balance, currency="USD"):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_balancetransaction (public_id, customer_id, type, amount, "
            "currency, ending_balance, description, internal_note, metadata, idempotency_key, "
            "created) VALUES ('cbtxn_raw', %s, 'adjustment', %s, %s, %s, '', '', '{}', '', "
            "CURRENT_TIMESTAMP)",
            [customer.pk, amount, currency, ending_balance],
        )


def test_a_transaction_moves_its_balance_and_must_continue_the_chain(posted):
    customer = posted.customer
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw_insert(customer, 300, 999)  # the chain says -700
    assert _balance(customer) == -1000
    _raw_insert(customer, 300, -700)
    assert _balance(customer) == -700


def test_a_transaction_without_its_balance_row_is_refused(posted):
    with pytest.raises(DatabaseError, match="needs the balance row"), transaction.atomic():
        _raw_insert(posted.customer, 300, 300, currency="EUR")
    assert not BalanceTransaction.objects.filter(currency="EUR").exists()


def test_replacing_a_balance_is_refused_without_recursive_triggers(posted):
    """Another client (the sqlite3 shell) runs without recursive_triggers, so REPLACE's
    implicit delete fires no DELETE trigger: the insert trigger refuses it itself."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite syntax")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers=OFF")
    try:
        message = _refused(
            "INSERT OR REPLACE INTO ledger_customerbalance (id, customer_id, currency, amount, "
            "updated) SELECT id, customer_id, currency, 0, updated FROM ledger_customerbalance"
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers=ON")
    assert "balance" in message
    assert _balance(posted.customer) == -1000
