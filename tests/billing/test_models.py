"""Model predicates the invoice page asks instead of restating status rules."""

import pytest

from billing.models import INVOICE_TRANSITIONS, Invoice, InvoiceStatus

PREDICATES = {
    "can_finalize": InvoiceStatus.OPEN,
    "can_mark_paid": InvoiceStatus.PAID,
    "can_void": InvoiceStatus.VOID,
    "can_mark_uncollectible": InvoiceStatus.UNCOLLECTIBLE,
}


@pytest.mark.parametrize("status", InvoiceStatus.values)
def test_action_predicates_follow_invoice_transitions(status):
    invoice = Invoice(status=status)
    for predicate, target in PREDICATES.items():
        expected = target in INVOICE_TRANSITIONS[status]
        assert getattr(invoice, predicate) is expected, (status, predicate)


@pytest.mark.parametrize(
    ("status", "room"),
    [(InvoiceStatus.OPEN, 700), (InvoiceStatus.PAID, 0), (InvoiceStatus.UNCOLLECTIBLE, 0)],
)
def test_only_an_open_invoice_has_room_for_a_pre_payment_credit(status, room):
    assert Invoice(status=status, amount_remaining=700).pre_payment_credit_room == room


def test_an_issued_note_says_why_it_is_final_and_a_void_one_says_nothing():
    from billing.models import CreditNote, CreditNoteStatus

    paid = Invoice(status=InvoiceStatus.PAID, number="ACME-0001")
    issued = CreditNote(status=CreditNoteStatus.ISSUED, invoice=paid)
    assert issued.final_reason == issued.void_refusal != ""
    void = CreditNote(status=CreditNoteStatus.VOID, invoice=paid)
    assert void.final_reason == ""
    open_invoice = Invoice(status=InvoiceStatus.OPEN, number="ACME-0002")
    assert CreditNote(status=CreditNoteStatus.ISSUED, invoice=open_invoice).final_reason == ""
