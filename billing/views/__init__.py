"""Invoice items, invoices and credit notes: pages and dialogs. Thin: a form parses
the input, billing.services decides, the template shows. One module per part of the
app; billing/urls.py names the views through this package."""

from .credit_notes import credit_note_create, credit_note_detail, credit_note_pdf, credit_note_void
from .customer_billing import (
    customer_billing,
    customer_billing_defaults,
    customer_invoice_create,
    item_add,
    item_delete,
    section_context,
)
from .emails import credit_note_send, email_resend, invoice_send
from .home import home
from .invoice_actions import (
    invoice_delete,
    invoice_finalize,
    invoice_mark_paid,
    invoice_mark_uncollectible,
    invoice_void,
)
from .invoices import (
    invoice_create,
    invoice_detail,
    invoice_edit,
    invoice_export,
    invoice_list,
    invoice_overview,
    invoice_pdf,
    line_add,
)
from .search import search

__all__ = [
    "credit_note_create",
    "credit_note_detail",
    "credit_note_pdf",
    "credit_note_send",
    "credit_note_void",
    "customer_billing",
    "customer_billing_defaults",
    "customer_invoice_create",
    "email_resend",
    "home",
    "invoice_create",
    "invoice_delete",
    "invoice_detail",
    "invoice_edit",
    "invoice_export",
    "invoice_finalize",
    "invoice_list",
    "invoice_mark_paid",
    "invoice_mark_uncollectible",
    "invoice_overview",
    "invoice_pdf",
    "invoice_send",
    "invoice_void",
    "item_add",
    "item_delete",
    "line_add",
    "search",
    "section_context",
]
