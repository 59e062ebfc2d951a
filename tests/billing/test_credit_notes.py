"""Credit notes: what they may credit, how the amount is split, numbering and voiding."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from billing.models import CreditNote, InvoiceStatus
from billing.services import (
    credit_note_issue,
    credit_note_void,
    invoice_finalize,
    invoice_mark_paid,
    invoice_mark_uncollectible,
    invoice_update,
    invoice_void,
)
from ledger.models import TransactionType
from ledger.verify import ledger_problems
from tests.factories import (
    adjust,
    balance_of,
    make_coupon,
    make_customer,
    make_invoice,
    make_item,
    make_tax_rate,
)

pytestmark = pytest.mark.django_db

S = InvoiceStatus


def _open(*amounts, customer=None, **fields):
    return make_invoice(customer or make_customer(), *amounts, finalize=True, **fields)


def _paid(*amounts, customer=None):
    return invoice_mark_paid(invoice=_open(*amounts, customer=customer))


def _refresh(obj):
    obj.refresh_from_db()
    return obj


# Which invoices, and how much


def test_only_open_or_paid_invoices_can_be_credited():
    draft = make_invoice(None, 1000)
    void = invoice_void(invoice=_open(1000))
    uncollectible = invoice_mark_uncollectible(invoice=_open(1000))
    for invoice in (draft, void, uncollectible):
        assert not invoice.can_be_credited
        with pytest.raises(ValidationError):
            credit_note_issue(invoice=invoice, amount=100)
    assert not CreditNote.objects.exists()
    assert _open(1000).can_be_credited and _paid(1000).can_be_credited


def test_lines_or_an_amount_but_not_both_nor_neither():
    invoice = _open(1000)
    line = invoice.lines.get()
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, amount=100, lines=[{"invoice_line": line, "amount": 1}])
    for amount in (0, -5):
        with pytest.raises(ValidationError):
            credit_note_issue(invoice=invoice, amount=amount)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, lines=[{"invoice_line": line, "amount": 0}])
    other_line = _open(1000).lines.get()
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, lines=[{"invoice_line": other_line, "amount": 10}])
    assert not CreditNote.objects.exists()


def test_credit_notes_never_add_up_to_more_than_the_total():
    invoice = _open(1000)
    credit_note_issue(invoice=invoice, amount=600)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, amount=401)
    credit_note_issue(invoice=invoice, amount=400)
    invoice = _refresh(invoice)
    assert (invoice.credit_notes_total, invoice.creditable_amount) == (1000, 0)
    assert not invoice.can_be_credited
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, amount=1, credit_amount=1)


def test_a_line_is_credited_up_to_its_total_after_discount_and_tax():
    customer = make_customer()
    make_item(customer, 1000, tax_rates=[make_tax_rate("20")])
    make_item(customer, 500)
    draft = make_invoice(customer)
    invoice_update(invoice=draft, memo="", footer="", days_until_due=30,
                   coupon=make_coupon(percent_off="10"))  # fmt: skip
    invoice = invoice_finalize(invoice=draft)
    taxed, plain = invoice.lines.all()
    assert (taxed.total, plain.total, invoice.total) == (1080, 450, 1530)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, lines=[{"invoice_line": taxed, "amount": 1081}])
    credit_note_issue(invoice=invoice, lines=[{"invoice_line": taxed, "amount": 1000}])
    with pytest.raises(ValidationError):  # 80 left on that line
        credit_note_issue(invoice=invoice, lines=[{"invoice_line": taxed, "amount": 81}])
    note = credit_note_issue(
        invoice=invoice,
        lines=[{"invoice_line": taxed, "amount": 80}, {"invoice_line": plain, "amount": 450}],
    )
    assert [(line.invoice_line, line.amount) for line in note.lines.all()] == [
        (taxed, 80), (plain, 450)]  # fmt: skip
    assert note.amount == 530 and _refresh(invoice).creditable_amount == 0


def test_a_voided_note_no_longer_counts_against_its_line():
    # Open, and still owing the other line: the note can be voided (a paid invoice's
    # notes are final).
    invoice = _open(1000, 1000)
    line = invoice.lines.first()
    full = [{"invoice_line": line, "amount": 1000}]
    note = credit_note_issue(invoice=invoice, lines=full)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, lines=[{"invoice_line": line, "amount": 1}])
    credit_note_void(credit_note=note)
    assert credit_note_issue(invoice=invoice, lines=full).amount == 1000


def test_the_same_line_twice_in_one_note_cannot_exceed_the_line():
    customer = make_customer()
    invoice = _open(1000, 1000, customer=customer)
    first = invoice.lines.first()
    with pytest.raises(ValidationError):
        credit_note_issue(
            invoice=invoice,
            lines=[{"invoice_line": first, "amount": 600}, {"invoice_line": first, "amount": 600}],
        )


def test_the_line_limit_is_the_finalized_line_not_the_callers_copy():
    customer = make_customer()
    make_item(customer, 1000)
    make_item(customer, 1000, discountable=False)
    draft = make_invoice(customer)
    line = draft.lines.first()  # loaded before the coupon: no discount yet
    invoice_update(invoice=draft, memo="", footer="", days_until_due=30,
                   coupon=make_coupon(percent_off="50"))  # fmt: skip
    invoice = invoice_finalize(invoice=draft)
    assert invoice.lines.get(pk=line.pk).total == 500 and invoice.total == 1500
    assert line.total == 1000  # the caller's copy
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, lines=[{"invoice_line": line, "amount": 1000}])


# Pre-payment and post-payment


def test_on_an_open_invoice_the_credit_first_reduces_what_is_owed():
    invoice = _open(1000)
    note = credit_note_issue(invoice=invoice, amount=300, reason="order_change")
    assert (note.pre_payment_amount, note.post_payment_amount) == (300, 0)
    assert note.balance_transaction is None
    invoice = _refresh(invoice)
    assert (invoice.status, invoice.amount_remaining) == (S.OPEN, 700)
    assert invoice.pre_payment_credit_notes_amount == 300

    credit_note_issue(invoice=invoice, amount=700)
    invoice = _refresh(invoice)
    assert (invoice.status, invoice.amount_remaining, invoice.amount_paid) == (S.PAID, 0, 0)
    assert invoice.paid_at is not None


def test_a_paid_invoice_credit_must_be_split_exactly():
    customer = make_customer()
    adjust(customer, -50, "EUR")
    invoice = _paid(1000, customer=customer)
    for split in ({}, {"credit_amount": 500}, {"credit_amount": 400, "refund_amount": 100},
                  {"credit_amount": -100, "refund_amount": 700}):  # fmt: skip
        with pytest.raises(ValidationError):
            credit_note_issue(invoice=invoice, amount=600, **split)
    note = credit_note_issue(
        invoice=invoice, amount=600, credit_amount=300, refund_amount=200, out_of_band_amount=100
    )
    assert (note.pre_payment_amount, note.credit_amount, note.refund_amount) == (0, 300, 200)
    assert note.out_of_band_amount == 100 and note.post_payment_amount == 600
    posted = note.balance_transaction
    assert (posted.type, posted.amount, posted.currency) == (TransactionType.CREDIT_NOTE, -300,
                                                             "USD")  # fmt: skip
    assert (balance_of(customer), balance_of(customer, "EUR")) == (-300, -50)
    invoice = _refresh(invoice)
    assert (invoice.post_payment_credit_notes_amount, invoice.amount_remaining) == (600, 0)
    assert CreditNote.objects.count() == 1


def test_a_refund_only_credit_note_does_not_touch_thebalance_of():
    customer = make_customer()
    note = credit_note_issue(invoice=_paid(1000, customer=customer), amount=1000,
                             refund_amount=1000)  # fmt: skip
    assert note.balance_transaction is None and balance_of(customer) == 0


def test_beyond_what_is_owed_the_rest_is_post_payment():
    customer = make_customer()
    adjust(customer, -400)
    invoice = _open(1000, customer=customer)
    assert invoice.amount_remaining == 600
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, amount=1000)
    note = credit_note_issue(invoice=invoice, amount=1000, credit_amount=400)
    assert (note.pre_payment_amount, note.credit_amount) == (600, 400)
    invoice = _refresh(invoice)
    assert (invoice.status, invoice.amount_remaining) == (S.PAID, 0)
    assert (invoice.pre_payment_credit_notes_amount, invoice.post_payment_credit_notes_amount) == (
        600, 400)  # fmt: skip
    assert balance_of(customer) == -400


def test_credit_note_numbers_follow_the_invoice_number_and_are_never_reused():
    invoice = _open(1000)
    first = credit_note_issue(invoice=invoice, amount=100)
    credit_note_void(credit_note=first)
    second = credit_note_issue(invoice=invoice, amount=100)
    third = credit_note_issue(invoice=invoice, amount=100)
    numbers = [f"{invoice.number}-CN-{n:02d}" for n in (1, 2, 3)]
    assert [n.number for n in (first, second, third)] == numbers
    assert first.currency == invoice.currency == "USD"


def test_issuing_again_with_the_same_key_returns_the_first_note():
    customer = make_customer()
    invoice = _paid(1000, customer=customer)
    first = credit_note_issue(invoice=invoice, amount=300, credit_amount=300,
                              idempotency_key="form-1")  # fmt: skip
    again = credit_note_issue(invoice=invoice, amount=300, credit_amount=300,
                              idempotency_key="form-1")  # fmt: skip
    assert again == first and CreditNote.objects.count() == 1
    assert balance_of(customer) == -300 and _refresh(invoice).credit_notes_total == 300


# Voiding


def test_a_note_on_a_paid_invoice_is_final_and_keeps_its_credit_exactly():
    # Until issue 12 such a note could be voided, its credit taken back and the room
    # freed for another refund of the same money. Stripe voids only while the invoice
    # is open.
    customer = make_customer()
    adjust(customer, -70)
    invoice = _paid(1000, customer=customer)
    balance_before = balance_of(customer)
    note = credit_note_issue(invoice=invoice, amount=1000, credit_amount=900, refund_amount=100)
    assert balance_of(customer) == balance_before - 900
    assert not note.can_be_voided
    with pytest.raises(ValidationError, match="is paid: its credit notes can no longer be voided"):
        credit_note_void(credit_note=note)
    assert (_refresh(note).status, note.void_balance_transaction) == ("issued", None)
    assert balance_of(customer) == balance_before - 900
    invoice = _refresh(invoice)
    assert (invoice.credit_notes_total, invoice.creditable_amount, invoice.status) == (
        1000, 0, S.PAID)  # fmt: skip
    assert list(ledger_problems()) == []


def test_voiding_a_note_on_an_open_invoice_makes_the_amount_owed_again():
    invoice = _open(1000)
    note = credit_note_issue(invoice=invoice, amount=400)
    assert note.can_be_voided
    note = credit_note_void(credit_note=note)
    assert note.status == "void" and note.voided_at is not None
    assert not note.can_be_voided
    invoice = _refresh(invoice)
    assert (invoice.status, invoice.amount_remaining) == (S.OPEN, 1000)
    assert invoice.pre_payment_credit_notes_amount == 0
    with pytest.raises(ValidationError, match="already void"):
        credit_note_void(credit_note=note)


def test_a_note_that_paid_off_an_invoice_cannot_be_voided_once_it_is_paid():
    invoice = _open(1000)
    note = credit_note_issue(invoice=invoice, amount=1000)
    assert _refresh(invoice).status == S.PAID
    with pytest.raises(ValidationError):
        credit_note_void(credit_note=note)
    assert _refresh(note).status == "issued"
    assert _refresh(invoice).amount_remaining == 0


def test_an_invoice_with_issued_credit_notes_cannot_be_voided():
    customer = make_customer()
    adjust(customer, -300)
    invoice = _open(1000, customer=customer)
    note = credit_note_issue(invoice=invoice, amount=100)
    with pytest.raises(ValidationError):
        invoice_void(invoice=invoice)
    assert _refresh(invoice).status == S.OPEN
    credit_note_void(credit_note=note)
    invoice = invoice_void(invoice=invoice)
    assert invoice.status == S.VOID
    assert balance_of(customer) == -300


def test_a_credit_note_on_an_invoice_marked_uncollectible_can_still_be_voided():
    invoice = _open(5000)
    note = credit_note_issue(invoice=invoice, amount=1000)
    invoice = invoice_mark_uncollectible(invoice=invoice)
    credit_note_void(credit_note=note)
    invoice.refresh_from_db()
    assert invoice.amount_remaining == 5000
    invoice_void(invoice=invoice)  # nothing blocks voiding the invoice now


def test_a_credit_note_that_settled_its_invoice_is_final():
    invoice = _open(5000)
    note = credit_note_issue(invoice=invoice, amount=5000)
    invoice.refresh_from_db()
    assert invoice.status == S.PAID
    with pytest.raises(ValidationError, match="can no longer be voided"):
        credit_note_void(credit_note=note)


def test_voiding_a_refund_never_frees_room_for_another():
    invoice = _paid(1000)
    note = credit_note_issue(invoice=invoice, amount=1000, refund_amount=1000)
    with pytest.raises(ValidationError, match="can no longer be voided"):
        credit_note_void(credit_note=note)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, amount=1000, refund_amount=1000)
    assert _refunded(invoice) == 1000 and _refresh(note).status == "issued"


# Refunds: only money received, and only once


def _refunded(invoice):
    return sum(CreditNote.objects.filter(invoice=invoice).values_list("refund_amount", flat=True))


def test_an_invoice_paid_by_the_credit_balance_has_nothing_to_refund():
    customer = make_customer()
    adjust(customer, -1000)
    invoice = _open(1000, customer=customer)
    assert (invoice.status, invoice.amount_paid) == (S.PAID, 0)
    with pytest.raises(ValidationError, match=r"At most \$0\.00 can be refunded") as error:
        credit_note_issue(invoice=invoice, amount=1000, refund_amount=1000)
    assert list(error.value.message_dict) == ["refund_amount"]
    assert not CreditNote.objects.exists()
    assert credit_note_issue(invoice=invoice, amount=1000, credit_amount=1000).amount == 1000


def test_an_invoice_too_small_to_collect_has_nothing_to_refund():
    invoice = _open(30)  # below USD 0.50: paid at once, the 0.30 owed on the next invoice
    assert (invoice.status, invoice.amount_paid) == (S.PAID, 0)
    with pytest.raises(ValidationError, match=r"At most \$0\.00 can be refunded"):
        credit_note_issue(invoice=invoice, amount=30, refund_amount=30)
    assert not CreditNote.objects.exists()


def test_the_post_payment_part_of_an_open_invoice_cannot_be_refunded():
    customer = make_customer()
    adjust(customer, -400)
    invoice = _open(1000, customer=customer)  # 600 owed, nothing paid
    with pytest.raises(ValidationError, match=r"At most \$0\.00 can be refunded"):
        credit_note_issue(invoice=invoice, amount=1000, refund_amount=400)
    assert _refresh(invoice).amount_remaining == 600 and not CreditNote.objects.exists()


def test_refunds_never_exceed_what_was_paid_out_of_band_less_earlier_refunds():
    customer = make_customer()
    adjust(customer, -300)
    invoice = _paid(1000, customer=customer)
    assert invoice.amount_paid == 700  # the other 300 came from the credit balance
    credit_note_issue(invoice=invoice, amount=500, refund_amount=500)
    with pytest.raises(ValidationError, match=r"At most \$2\.00 can still be refunded"):
        credit_note_issue(invoice=invoice, amount=300, refund_amount=201, credit_amount=99)
    credit_note_issue(invoice=invoice, amount=300, refund_amount=200, credit_amount=100)
    with pytest.raises(ValidationError, match=r"At most \$0\.00 can still be refunded"):
        credit_note_issue(invoice=invoice, amount=100, refund_amount=1, credit_amount=99)
    assert _refunded(invoice) == 700 and _refresh(invoice).creditable_amount == 200


def test_a_refund_voided_before_the_rule_still_counts():
    # Voided refunds from before issue 12: the money left all the same.
    invoice = _paid(1000)
    note = credit_note_issue(invoice=invoice, amount=1000, refund_amount=1000)
    CreditNote.objects.filter(pk=note.pk).update(status="void")
    type(invoice).objects.filter(pk=invoice.pk).update(post_payment_credit_notes_amount=0)
    with pytest.raises(ValidationError, match=r"At most \$0\.00 can still be refunded"):
        credit_note_issue(invoice=_refresh(invoice), amount=1000, refund_amount=1000)
    assert credit_note_issue(invoice=invoice, amount=1000, out_of_band_amount=1000).amount == 1000


def _refund_concurrently(threads):
    """`threads` refunds of 1.00 at once on an invoice paid 1.00 short of that."""
    customer = make_customer()
    paid = 100 * (threads - 1)
    adjust(customer, paid - 1000)  # the rest of the 10.00 is paid by credit
    invoice = _paid(1000, customer=customer)
    assert invoice.amount_paid == paid
    start = threading.Barrier(threads)
    errors = []

    def work():
        try:
            start.wait()
            credit_note_issue(invoice=invoice, amount=100, refund_amount=100)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert [type(error) for error in errors] == [ValidationError]
    assert "can still be refunded" in str(errors[0])
    assert _refunded(invoice) == paid
    assert CreditNote.objects.filter(invoice=invoice).count() == threads - 1
    assert list(ledger_problems()) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_concurrent_refunds_on_postgresql_never_exceed_what_was_paid():
    _refund_concurrently(8)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_concurrent_refunds_on_sqlite_never_exceed_what_was_paid():
    _refund_concurrently(4)
