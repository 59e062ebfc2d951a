"""Finalizing many drafts of one customer at once: every invoice gets its own number,
the sequence moves once per invoice and the credit balance is never taken twice. On
PostgreSQL the customer row lock serialises the finalizations; on SQLite BEGIN
IMMEDIATE and the busy timeout do."""

import contextlib
import threading

import pytest
from django.db import connection

from billing.models import CustomerCoupon, Invoice, InvoiceStatus
from billing.services import (
    credit_note_issue,
    invoice_create,
    invoice_finalize,
    invoice_mark_paid,
    invoice_void,
)
from customers.models import Customer
from ledger.models import BalanceTransaction, CustomerBalance, TransactionType
from ledger.verify import ledger_problems
from tests.concurrency import at_once
from tests.factories import (
    adjust,
    balance_of,
    make_coupon,
    make_customer,
    make_invoice,
    make_item,
    make_tax_rate,
)

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


@pytest.mark.usefixtures("flushable_db")
def test_billing_and_adjustments_of_one_customer_at_once_all_succeed():
    """Finalizing, crediting and voiding lock the invoice and the customer, then the
    balance; an adjustment locks the balance, and its foreign key check at COMMIT
    share-locks the customer. Locking the customer FOR UPDATE deadlocked the two on
    PostgreSQL."""
    customer = make_customer()
    ops = 4  # of each billing kind, per thread
    paid = [
        invoice_mark_paid(invoice=make_invoice(customer, 1000, finalize=True))
        for _ in range(2 * ops)
    ]
    took_credit = []  # open, with part of the total paid from the balance
    for _ in range(2 * ops):
        adjust(customer, -500)
        took_credit.append(make_invoice(customer, 1000, finalize=True))
    adjust(customer, -1_000_000)
    drafts = [make_invoice(customer, 1000) for _ in range(2 * ops)]
    start = threading.Barrier(THREADS)
    errors = []

    def finalize(invoice):
        invoice_finalize(invoice=invoice)

    def credit(invoice):
        credit_note_issue(invoice=invoice, amount=1000, credit_amount=1000)

    def void(invoice):
        invoice_void(invoice=invoice)

    def adjustment(n):
        adjust(customer, 100 if n % 2 else -100)

    def work(action, targets):
        start.wait()
        for target in targets:
            try:
                action(target)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
        connection.close()

    jobs = [(adjustment, range(40)), (adjustment, range(40))] + [
        (action, targets[half::2])
        for action, targets in ((finalize, drafts), (credit, paid), (void, took_credit))
        for half in (0, 1)
    ]
    workers = [threading.Thread(target=work, args=job) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    statuses = Invoice.objects.filter(customer=customer).values_list("status", flat=True)
    assert list(statuses).count(InvoiceStatus.VOID) == len(took_credit)
    assert not Invoice.objects.filter(customer=customer, status=InvoiceStatus.DRAFT).exists()
    # The credit, less what the drafts took, plus the credit notes and what the voids
    # gave back; the adjustments cancel out.
    assert balance_of(customer) == -1_000_000 + 8 * 1000 - 8 * 1000 - 8 * 500
    assert list(ledger_problems()) == []


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.parametrize("vendor, threads", [("postgresql", 6), ("sqlite", 3)])
def test_coupons_set_at_once_are_recorded_as_one_chain_of_changes(vendor, threads):
    """Each change reads the customer's defaults under its row lock, so the entries chain:
    each one's old value is the one before's new value, none lost or shown twice."""
    if connection.vendor != vendor:
        pytest.skip(f"the {vendor} variant")
    from activity.models import Entry
    from billing.services import customer_coupon_set

    customer = make_customer()
    coupons = iter([make_coupon(percent_off=str(n + 1), name=f"C{n}") for n in range(threads)])
    lock = threading.Lock()

    def work():
        with lock:
            coupon = next(coupons)
        customer_coupon_set(customer=customer, coupon=coupon)

    at_once(threads, work)
    entries = Entry.objects.filter(kind="customer.updated", customer=customer.public_id)
    changes = [entry.data["changes"][0] for entry in entries.order_by("id")]
    assert len(changes) == threads
    olds = [change["old"] for change in changes]
    news = [change["new"] for change in changes]
    assert olds == ["", *news[:-1]]
    assert news[-1] == CustomerCoupon.objects.get(customer=customer).coupon.name


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.parametrize("vendor, threads", [("postgresql", 6), ("sqlite", 4)])
def test_a_rates_customers_and_a_customers_rates_set_at_once_are_each_recorded(vendor, threads):
    """The admin sets a rate's customers while the customer page sets a customer's rates:
    every customer's entries chain (each old value is the one before's new value) and
    end at the rates it has."""
    if connection.vendor != vendor:
        pytest.skip(f"the {vendor} variant")
    from activity.models import Entry
    from billing.services import customer_billing_defaults_set, tax_rate_default_for_set

    rate = make_tax_rate("20")
    customers = [make_customer() for _ in range(3)]
    tax_rate_default_for_set(tax_rate=rate, customers=customers[:1])
    jobs = iter(range(threads))
    lock = threading.Lock()

    def work():
        with lock:
            job = next(jobs)
        if job % 2:  # the rate's customers: one of them and the next
            chosen = [customers[job % 3], customers[(job + 1) % 3]]
            tax_rate_default_for_set(tax_rate=rate, customers=chosen)
        else:  # one customer given the rate, or none
            customer = customers[job % 3]
            customer_billing_defaults_set(
                customer=customer, tax_rates=[rate] if job % 4 else [], coupon=None
            )

    for _ in range(3):
        at_once(threads, work)
        jobs = iter(range(threads))
    for customer in customers:
        entries = Entry.objects.filter(kind="customer.updated", customer=customer.public_id)
        changes = [
            change
            for entry in entries.order_by("id")
            for change in entry.data["changes"]
            if change["field"] == "default_tax_rates"
        ]
        olds, news = [c["old"] for c in changes], [c["new"] for c in changes]
        assert olds == [[], *news[:-1]], customer
        assert (news or [[]])[-1] == [str(r) for r in customer.default_tax_rates.all()]
