"""Credit notes: corrections of an issued invoice."""

from typing import TypedDict

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from activity import services as activity
from core.money_format import format_money
from core.money_log import log_money_action
from ledger import services as ledger
from ledger.models import TransactionType

from ..models import (
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    Invoice,
    InvoiceItem,
    InvoiceStatus,
)
from .invoices import invoice_settle
from .locks import invoice_lock


class CreditedLine(TypedDict):
    """One line of the invoice to credit, and how much of it (minor units)."""

    invoice_line: InvoiceItem
    amount: int


def credit_note_issue(
    *, invoice: Invoice, reason: str = "", memo: str = "", lines: list[CreditedLine] | None = None,
    amount: int | None = None, credit_amount: int = 0, refund_amount: int = 0,
    out_of_band_amount: int = 0, created_by: User | None = None, idempotency_key: str = "",
) -> CreditNote:  # fmt: skip
    """Credit `lines` ([{"invoice_line": item, "amount": minor units}]) or a flat
    `amount` of an open or paid invoice.

    The credit first reduces what is still owed on the invoice (which is paid when
    nothing is left); the rest, the post-payment part, is split by the caller into
    credit to the customer's balance, refund and out of band, which must add up. A
    refund returns money received: at most what was paid out of band, less earlier
    refunds. With an idempotency key, issuing again returns the first credit note.
    """
    with transaction.atomic():
        invoice = invoice_lock(invoice)
        if idempotency_key:
            existing = CreditNote.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                if existing.invoice_id != invoice.pk:
                    raise ValidationError("This form was already used for another invoice.")
                return existing
        if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.PAID):
            raise ValidationError("Credit notes are issued against open or paid invoices.")
        note_lines = _note_lines(invoice, lines, amount)
        total = sum(line.amount for line in note_lines)
        if total > invoice.creditable_amount:
            left = format_money(invoice.creditable_amount, invoice.currency)
            raise ValidationError(
                {"amount": f"At most {left} can still be credited on this invoice."}
            )
        pre_payment = min(total, invoice.pre_payment_credit_room)
        post_payment = total - pre_payment
        if credit_amount + refund_amount + out_of_band_amount != post_payment:
            raise ValidationError(
                {
                    "credit_amount": "The credit, refund and out-of-band amounts must add up to "
                    f"{format_money(post_payment, invoice.currency)}: the part of the credit "
                    "note beyond what is still owed on the invoice."
                }
            )
        if refund_amount:
            _check_refund(invoice, refund_amount)
        number = f"{invoice.number}-CN-{invoice.credit_notes.count() + 1:02d}"
        note = CreditNote(
            invoice=invoice,
            number=number,
            reason=reason,
            memo=memo,
            currency=invoice.currency,
            amount=total,
            pre_payment_amount=pre_payment,
            credit_amount=credit_amount,
            refund_amount=refund_amount,
            out_of_band_amount=out_of_band_amount,
            created_by=created_by,
            idempotency_key=idempotency_key,
        )
        note.full_clean(exclude=["invoice", "created_by", "balance_transaction"])
        if credit_amount:
            note.balance_transaction = ledger.transaction_post(
                customer=invoice.customer,
                type=TransactionType.CREDIT_NOTE,
                amount=-credit_amount,
                currency=invoice.currency,
                description=f"Credit note {number}",
                created_by=created_by,
                invoice=invoice.public_id,
            )
        note.save()
        for line in note_lines:
            line.credit_note = note
        CreditNoteLine.objects.bulk_create(note_lines)
        _record(note, "credit_note.created")

        invoice.pre_payment_credit_notes_amount += pre_payment
        invoice.post_payment_credit_notes_amount += post_payment
        invoice.amount_remaining -= pre_payment
        if invoice.status == InvoiceStatus.OPEN and invoice.amount_remaining == 0:
            invoice_settle(invoice, description=f"Credit note {number} credited what was left.")
        invoice.save()
        _log(note, "credit_note.issue", created_by)
    return note


def _check_refund(invoice: Invoice, refund_amount: int) -> None:
    # Read under the invoice's lock: of two refunds at once, the second sees the first.
    left = invoice.refundable_amount
    if refund_amount <= left:
        return
    at_most = format_money(max(left, 0), invoice.currency)
    if not invoice.amount_paid:
        raise ValidationError(
            {
                "refund_amount": f"At most {at_most} can be refunded: nothing was paid on "
                "this invoice out of band. Credit the customer's balance instead."
            }
        )
    message = (
        f"At most {at_most} can still be refunded on this invoice: "
        f"{format_money(invoice.amount_paid, invoice.currency)} was paid out of band"
    )
    if refunded := invoice.amount_paid - left:
        message += f", {format_money(refunded, invoice.currency)} of it already refunded"
    raise ValidationError({"refund_amount": message + "."})


def _note_lines(
    invoice: Invoice, lines: list[CreditedLine] | None, amount: int | None
) -> list[CreditNoteLine]:
    if (lines is None) == (amount is None):
        raise ValidationError("Credit either lines of the invoice or an amount.")
    if amount is not None:
        if amount <= 0:
            raise ValidationError({"amount": "Enter an amount greater than zero."})
        return [CreditNoteLine(description="Credit", amount=amount)]
    assert lines is not None  # exactly one of the two, checked above
    lines = [line for line in lines if line["amount"]]
    if not lines:
        raise ValidationError({"amount": "Enter an amount to credit on at least one line."})
    credited = dict(
        CreditNoteLine.objects.filter(
            invoice_line__invoice=invoice, credit_note__status=CreditNoteStatus.ISSUED
        )
        .values_list("invoice_line")
        .annotate(Sum("amount"))
    )
    # The lines as finalized, not the caller's copies of them.
    finalized = {item.pk: item for item in invoice.lines.all()}
    note_lines = []
    for line in lines:
        item, line_amount = finalized.get(line["invoice_line"].pk), line["amount"]
        if item is None:
            raise ValidationError("A credited line must be a line of this invoice.")
        left = item.total - credited.get(item.pk, 0)
        if not 0 < line_amount <= left:
            raise ValidationError(
                {
                    "amount": f"“{item.description}”: at most "
                    f"{format_money(max(left, 0), invoice.currency)} can be credited."
                }
            )
        credited[item.pk] = credited.get(item.pk, 0) + line_amount
        note_lines.append(
            CreditNoteLine(invoice_line=item, description=item.description, amount=line_amount)
        )
    return note_lines


def credit_note_void(*, credit_note: CreditNote, created_by: User | None = None) -> CreditNote:
    """Cancel a credit note of an unpaid invoice and its effects: what it took off the
    invoice is owed again, and any credit it gave the balance is taken back. A paid
    invoice's credit notes are final (CreditNote.void_refusal)."""
    with transaction.atomic():
        invoice = invoice_lock(credit_note.invoice)
        note = CreditNote.objects.select_for_update().get(pk=credit_note.pk)
        note.invoice = invoice  # as locked
        if refusal := note.void_refusal:
            raise ValidationError(refusal)
        if note.credit_amount:
            note.void_balance_transaction = ledger.transaction_post(
                customer=invoice.customer,
                type=TransactionType.CREDIT_NOTE,
                amount=note.credit_amount,
                currency=note.currency,
                description=f"Voided credit note {note.number}",
                created_by=created_by,
                invoice=invoice.public_id,
            )
        note.status = CreditNoteStatus.VOID
        note.voided_at = timezone.now()
        note.save()
        invoice.pre_payment_credit_notes_amount -= note.pre_payment_amount
        invoice.post_payment_credit_notes_amount -= note.post_payment_amount
        invoice.amount_remaining += note.pre_payment_amount
        invoice.save()
        _log(note, "credit_note.void", created_by)
        _record(note, "credit_note.voided")
    return note


def _log(note: CreditNote, action: str, user: User | None) -> None:
    """The money log's line for `action` on the note, once its transaction commits."""
    log_money_action(
        action,
        customer=note.invoice.customer.public_id,
        object_id=note.public_id,
        amount=note.amount,
        currency=note.currency,
        user_id=user.pk if user else None,
    )


def _record(note: CreditNote, kind: str) -> None:
    activity.record(
        kind,
        customer=note.invoice.customer.public_id,
        invoice=note.invoice.public_id,
        object_id=note.public_id,
        data={"number": note.number, "amount": note.amount, "currency": note.currency},
    )
