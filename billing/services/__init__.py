"""Every write to invoice items, invoices and credit notes goes through these
functions. Each runs in one database transaction and locks the invoice it changes;
money moves only through ledger.services."""

from .credit_notes import credit_note_issue, credit_note_void
from .defaults import (
    customer_billing_defaults_set,
    customer_coupon_set,
    tax_rate_default_for_set,
)
from .emails import email_credit_note, email_invoice, email_resend
from .finalize import invoice_finalize
from .invoice_start import invoice_create_for_reference
from .invoices import (
    MAX_INVOICE_LINES,
    MAX_INVOICE_TOTAL,
    invoice_create,
    invoice_currencies,
    invoice_delete,
    invoice_mark_paid,
    invoice_mark_uncollectible,
    invoice_update,
    invoice_void,
)
from .items import item_add, item_delete

__all__ = [
    "MAX_INVOICE_LINES", "MAX_INVOICE_TOTAL", "credit_note_issue", "credit_note_void",
    "customer_billing_defaults_set", "customer_coupon_set", "email_credit_note", "email_invoice",
    "email_resend", "invoice_create", "invoice_create_for_reference",
    "invoice_currencies",
    "invoice_delete", "invoice_finalize", "invoice_mark_paid", "invoice_mark_uncollectible",
    "invoice_update", "invoice_void", "item_add", "item_delete", "tax_rate_default_for_set",
]  # fmt: skip
