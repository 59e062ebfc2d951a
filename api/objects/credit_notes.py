"""credit_note and credit_note_line_item.

Our credit note lines carry an amount that already includes the invoice line's tax (a share
of InvoiceItem.total), and we keep no split of it: `subtotal` and `total` are that amount,
the "excluding tax" fields and the tax breakdowns are Stripe's empty values."""

from typing import Any

from billing.models import CreditNote, CreditNoteLine

from .common import currency, list_object, or_none, timestamp


def credit_note_line_object(note: CreditNote, line: CreditNoteLine, index: int) -> dict[str, Any]:
    """Lines have no public ID of their own: theirs is the note's with the line's place
    (lines never change once issued, so it is stable)."""
    from_invoice = line.invoice_line is not None
    return {
        "id": f"cnli_{note.public_id.removeprefix('cn_')}_{index}",
        "object": "credit_note_line_item",
        "amount": line.amount,
        "description": line.description,
        "discount_amount": 0,
        "discount_amounts": [],
        # The InvoiceItem's ii_… ID: the ID of the invoice's line.
        "invoice_line_item": line.invoice_line.public_id if line.invoice_line else None,
        "livemode": False,
        "metadata": None,
        "pretax_credit_amounts": [],
        # An invoice line is credited by amount, not by quantity; a flat amount is one unit.
        "quantity": None if from_invoice else 1,
        "tax_rates": [],
        "taxes": None,
        "type": "invoice_line_item" if from_invoice else "custom_line_item",
        "unit_amount": None if from_invoice else line.amount,
        "unit_amount_decimal": None if from_invoice else str(line.amount),
    }


def credit_note_object(
    note: CreditNote, *, lines: list[CreditNoteLine], pdf_url: str | None
) -> dict[str, Any]:
    """`lines`: the note's lines, passed in so that a preview's unsaved ones serve too;
    `pdf_url`: where GET returns its PDF (None for a preview)."""
    invoice = note.invoice
    transaction = note.balance_transaction
    return {
        "id": note.public_id,
        "object": "credit_note",
        "amount": note.amount,
        "amount_shipping": 0,
        "created": timestamp(note.created),
        "currency": currency(note.currency),
        "customer": invoice.customer.public_id,
        "customer_account": None,
        "customer_balance_transaction": transaction.public_id if transaction else None,
        "discount_amount": 0,
        "discount_amounts": [],
        "effective_at": timestamp(note.created),
        "invoice": invoice.public_id,
        "lines": list_object(
            f"/v1/credit_notes/{note.public_id}/lines",
            (credit_note_line_object(note, line, index) for index, line in enumerate(lines)),
            False,
        ),
        "livemode": False,
        "memo": or_none(note.memo),
        "metadata": {},
        "number": note.number,
        "out_of_band_amount": note.out_of_band_amount or None,
        "pdf": pdf_url,
        "post_payment_amount": note.post_payment_amount,
        "pre_payment_amount": note.pre_payment_amount,
        "pretax_credit_amounts": [],
        "reason": or_none(note.reason),
        "refunds": [],
        "shipping_cost": None,
        "status": note.status,
        "subtotal": note.amount,
        "subtotal_excluding_tax": None,
        "total": note.amount,
        "total_excluding_tax": None,
        "total_taxes": None,
        # Stripe's meaning: issued while the invoice was still open (it reduced what was
        # owed), or after it was paid. Ours may do both; any pre-payment part says open.
        "type": "pre_payment" if note.pre_payment_amount else "post_payment",
        "voided_at": timestamp(note.voided_at),
    }
