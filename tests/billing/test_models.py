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
