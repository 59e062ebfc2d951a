"""The billing app's models, one module per concept; every name other modules import
is re-exported here, so `from billing.models import ...` and the dotted paths the
migrations name (billing.models.new_invoice_id, new_invoice_item_id, new_credit_note_id,
new_coupon_id, new_tax_rate_id, new_document_email_id) keep working.

Amounts are integer minor units of the document's currency. Only billing.services
writes here; the arithmetic is billing.totals. A finalized invoice and its lines never
change again except for their status and payment fields: what a customer was sent
stays what they were sent.
"""

from .coupons import Coupon, CouponDuration, CustomerCoupon, new_coupon_id
from .credit_notes import (
    CreditNote,
    CreditNoteLine,
    CreditNoteReason,
    CreditNoteStatus,
    new_credit_note_id,
)
from .emails import (
    DocumentEmail,
    DocumentEmailKind,
    DocumentEmailStatus,
    new_document_email_id,
)
from .invoices import (
    INVOICE_TRANSITIONS,
    CollectionMethod,
    Invoice,
    InvoiceItem,
    InvoiceStatus,
    new_invoice_id,
    new_invoice_item_id,
)
from .tax_rates import TaxRate, new_tax_rate_id

__all__ = [
    "INVOICE_TRANSITIONS",
    "CollectionMethod",
    "Coupon",
    "CouponDuration",
    "CreditNote",
    "CreditNoteLine",
    "CreditNoteReason",
    "CreditNoteStatus",
    "CustomerCoupon",
    "DocumentEmail",
    "DocumentEmailKind",
    "DocumentEmailStatus",
    "Invoice",
    "InvoiceItem",
    "InvoiceStatus",
    "TaxRate",
    "new_coupon_id",
    "new_credit_note_id",
    "new_document_email_id",
    "new_invoice_id",
    "new_invoice_item_id",
    "new_tax_rate_id",
]
