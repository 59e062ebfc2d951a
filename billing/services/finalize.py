"""Finalizing a draft: its number, the snapshots of the customer and the seller, and the
customer's credit balance taken in its currency (which may pay it in full)."""

import copy
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from customers import sql as customers_sql
from customers.models import Customer
from ledger import services as ledger
from ledger.models import TransactionType

from .. import minimums, snapshots, sql, totals
from ..models import Invoice, InvoiceStatus
from .emails import email_on_finalize
from .invoices import invoice_settle, log_money, recompute, record_invoice
from .locks import invoice_lock_draft

PAID_BY_BALANCE = "Paid by the customer's credit balance."
NOTHING_DUE = "Nothing to pay."
PAID_TOO_SMALL = "Below the minimum chargeable amount: the amount is owed on the next invoice."


def invoice_finalize(*, invoice: Invoice, now: datetime | None = None) -> Invoice:
    """Make a draft an issued invoice: number it, freeze what it says about the customer
    and the seller, and take the customer's credit balance in its currency."""
    now = now or timezone.now()
    with transaction.atomic():
        invoice = invoice_lock_draft(invoice)
        before = copy.deepcopy(_field_values(invoice))  # a copy: JSON may change in place
        customer = invoice.customer  # live: invoice_lock_draft checked, under the lock
        # Issued under the customer's entity as it is now, like the rest of the snapshot.
        invoice.legal_entity = customer.legal_entity
        invoice.number = _next_number(customer)
        invoice.customer_snapshot = snapshots.customer_snapshot(customer)
        invoice.seller_snapshot = snapshots.seller_snapshot(invoice.legal_entity)
        if invoice.taxed_as != customer.tax_exempt:
            recompute(invoice)
        invoice.status = InvoiceStatus.OPEN
        invoice.finalized_at = now
        invoice.due_date = timezone.localdate(now) + timedelta(days=invoice.days_until_due)
        paid_because = _apply_balance(invoice)
        record_invoice(
            "invoice.finalized",
            invoice,
            {
                "number": invoice.number,
                "amount": invoice.amount_due,
                "currency": invoice.currency,
            },
        )
        if paid_because:
            invoice_settle(invoice, description=paid_because)  # recorded after the finalizing
        # Only the fields that changed are written (faster than all of them), worked out
        # rather than listed: a field set here later cannot be left out of the save.
        after = _field_values(invoice)
        invoice.save(update_fields=[name for name, value in after.items() if before[name] != value])
        log_money(invoice, "invoice.finalize", invoice.total)
        email_on_finalize(invoice)  # queued if BILLING_EMAIL_ON_FINALIZE, sent on commit
    return invoice


def _field_values(invoice: Invoice) -> dict[str, Any]:
    return {field.name: getattr(invoice, field.attname) for field in Invoice._meta.concrete_fields}


def _next_number(customer: Customer) -> str:
    """`<prefix>-<sequence>` from the customer's next sequence, taken under the
    customer row's lock. A number already used (the prefix or sequence was edited) is
    skipped: numbers are unique and never reused."""
    while True:
        prefix, sequence = customers_sql.invoice_sequence_take(customer.pk)
        number = f"{prefix}-{sequence:04d}"
        if not sql.invoice_number_used(number):
            return number


def _apply_balance(invoice: Invoice) -> str:
    """Take the customer's credit balance; why the invoice is now paid, or "" if it is not
    (the caller settles it)."""
    balance = ledger.balance_for_update(customer=invoice.customer, currency=invoice.currency)
    applied = totals.apply_balance(invoice.total, balance)
    if applied:
        invoice.applied_balance_transaction = ledger.transaction_post(
            customer=invoice.customer,
            type=TransactionType.APPLIED_TO_INVOICE,
            amount=-applied,
            currency=invoice.currency,
            description=f"Applied to invoice {invoice.number}",
            invoice=invoice.public_id,
        )
    invoice.applied_balance = applied
    invoice.amount_due = invoice.total + applied
    invoice.amount_remaining = invoice.amount_due
    if invoice.amount_due == 0:
        return PAID_BY_BALANCE if applied else NOTHING_DUE
    if invoice.amount_due < minimums.minimum_charge(invoice.currency):
        # Too small to collect: the invoice is paid and the amount is owed on the next.
        invoice.too_small_balance_transaction = ledger.transaction_post(
            customer=invoice.customer,
            type=TransactionType.INVOICE_TOO_SMALL,
            amount=invoice.amount_due,
            currency=invoice.currency,
            description=f"Invoice {invoice.number} was below the minimum chargeable amount",
            invoice=invoice.public_id,
        )
        return PAID_TOO_SMALL
    return ""
