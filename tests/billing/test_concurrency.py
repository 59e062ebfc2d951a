"""Finalizing many drafts of one customer at once: every invoice gets its own number,
the sequence moves once per invoice and the credit balance is never taken twice. On
PostgreSQL the customer row lock serialises the finalizations; on SQLite BEGIN
IMMEDIATE and the busy timeout do."""

import contextlib
import threading

import pytest
from django.db import connection

from billing.models import CustomerCoupon, Invoice, InvoiceStatus
from billing.services import invoice_create, invoice_finalize
from customers.models import Customer
from ledger.models import BalanceTransaction, CustomerBalance, TransactionType
from ledger.verify import ledger_problems
from tests.factories import adjust, make_coupon, make_customer, make_invoice, make_item

THREADS = 8
INVOICES_PER_THREAD = 3
CREDIT = 10_500  # less than the drafts add up to: the last ones get none or part of it


def _finalize_concurrently(threads):
    customer = make_customer(invoice_prefix="RACE01")
    adjust(customer, -CREDIT)
    drafts = [make_invoice(customer, 1000) for _ in range(threads * INVOICES_PER_THREAD)]
    start = threading.Barrier(threads)
    errors = []

    def work(mine):
        try:
            start.wait()
            for draft in mine:
                invoice_finalize(invoice=draft)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(drafts[t::threads],)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    invoices = list(Invoice.objects.filter(customer=customer))
    count = len(drafts)
    assert all(invoice.status != InvoiceStatus.DRAFT for invoice in invoices)
    numbers = sorted(invoice.number for invoice in invoices)
    assert numbers == [f"RACE01-{n:04d}" for n in range(1, count + 1)]
    assert Customer.objects.get(pk=customer.pk).next_invoice_sequence == count + 1

    # The credit went to the invoices exactly once: 10 whole, one in part, none after.
    applied = sorted(-invoice.applied_balance for invoice in invoices)
    assert sum(applied) == CREDIT
    assert applied.count(1000) == CREDIT // 1000 and 500 in applied
    assert (
        BalanceTransaction.objects.filter(
            customer=customer, type=TransactionType.APPLIED_TO_INVOICE
        ).count()
        == CREDIT // 1000 + 1
    )
    assert CustomerBalance.objects.get(customer=customer, currency="USD").amount == 0
    assert list(ledger_problems()) == []


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL"
)
def test_concurrent_finalizations_on_postgresql_number_each_invoice_once():
    _finalize_concurrently(THREADS)


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_concurrent_finalizations_on_sqlite_number_each_invoice_once():
    _finalize_concurrently(4)


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_once_coupon_goes_to_one_of_two_invoices_created_at_once(monkeypatch):
    customer = make_customer()
    CustomerCoupon.objects.create(customer=customer, coupon=make_coupon(percent_off="50"))
    make_item(customer, 1000)
    # Both creations read the coupon before either uses it up. With the coupon row
    # locked, the second waits at its read instead, the barrier times out and the
    # first goes on alone.
    both_read = threading.Barrier(2, timeout=3)
    delete = CustomerCoupon.delete

    def delete_after_both_read(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return delete(self, *args, **kwargs)

    monkeypatch.setattr(CustomerCoupon, "delete", delete_after_both_read)
    errors = []

    def work():
        try:
            invoice_create(customer=customer, currency="USD")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert Invoice.objects.filter(customer=customer).count() == 2
    assert Invoice.objects.filter(customer=customer, coupon__isnull=False).count() == 1
