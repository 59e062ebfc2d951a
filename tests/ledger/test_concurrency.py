"""Many writers on one balance: nothing lost, every ending balance chains. On
PostgreSQL the row lock serialises them; on SQLite BEGIN IMMEDIATE and the busy
timeout do, without "database is locked"."""

import threading

import pytest
from django.db import connection

from ledger.models import BalanceTransaction, CustomerBalance
from ledger.verify import ledger_problems
from tests.factories import adjust, make_customer

THREADS = 8
ADJUSTMENTS = 50


@pytest.mark.usefixtures("flushable_db")
def test_concurrent_adjustments_on_one_customer_lose_nothing():
    customer = make_customer()
    errors = []

    def work(thread):
        try:
            for n in range(ADJUSTMENTS):
                amount = -(thread * 1000 + n + 1) if n % 2 else thread * 1000 + n + 1
                adjust(customer, amount, "USD", idempotency_key=f"t{thread}-{n}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    transactions = BalanceTransaction.objects.filter(customer=customer)
    assert transactions.count() == THREADS * ADJUSTMENTS
    balance = CustomerBalance.objects.get(customer=customer, currency="USD")
    assert balance.amount == sum(transactions.values_list("amount", flat=True))
    assert list(ledger_problems()) == []
