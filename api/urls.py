"""/v1/: each address's views by method (api/http.py's endpoint)."""

from django.urls import path, re_path

from .http import endpoint, not_found
from .openapi import openapi_json
from .views import (
    balance_transactions,
    coupons,
    credit_notes,
    customers,
    invoice_actions,
    invoices,
    items,
    tax_ids,
    tax_rates,
)

app_name = "api"

urlpatterns = [
    path("customers", endpoint(GET=customers.list_, POST=customers.create), name="customers"),
    path("customers/search", endpoint(GET=customers.search_), name="customers_search"),
    path(
        "customers/<str:id>",
        endpoint(GET=customers.retrieve, POST=customers.update, DELETE=customers.delete),
        name="customer",
    ),
    path(
        "customers/<str:id>/tax_ids",
        endpoint(GET=tax_ids.list_, POST=tax_ids.create),
        name="customer_tax_ids",
    ),
    path(
        "customers/<str:id>/tax_ids/<str:tax_id>",
        endpoint(GET=tax_ids.retrieve, DELETE=tax_ids.delete),
        name="customer_tax_id",
    ),
    path(
        "customers/<str:id>/balance_transactions",
        endpoint(GET=balance_transactions.list_, POST=balance_transactions.create),
        name="customer_balance_transactions",
    ),
    path(
        "customers/<str:id>/balance_transactions/<str:transaction_id>",
        endpoint(GET=balance_transactions.retrieve, POST=balance_transactions.update),
        name="customer_balance_transaction",
    ),
    path(
        "credit_notes",
        endpoint(GET=credit_notes.list_, POST=credit_notes.create),
        name="credit_notes",
    ),
    path("credit_notes/preview", endpoint(GET=credit_notes.preview), name="credit_note_preview"),
    path("credit_notes/<str:id>", endpoint(GET=credit_notes.retrieve), name="credit_note"),
    path("credit_notes/<str:id>/lines", endpoint(GET=credit_notes.lines), name="credit_note_lines"),
    path("credit_notes/<str:id>/pdf", endpoint(GET=credit_notes.pdf_), name="credit_note_pdf"),
    path("credit_notes/<str:id>/void", endpoint(POST=credit_notes.void), name="credit_note_void"),
    path("invoices", endpoint(GET=invoices.list_, POST=invoices.create), name="invoices"),
    path(
        "invoices/<str:id>",
        endpoint(GET=invoices.retrieve, POST=invoices.update, DELETE=invoices.delete),
        name="invoice",
    ),
    path("invoices/<str:id>/lines", endpoint(GET=invoices.lines), name="invoice_lines"),
    path("invoices/<str:id>/pdf", endpoint(GET=invoices.pdf_), name="invoice_pdf"),
    path(
        "invoices/<str:id>/finalize",
        endpoint(POST=invoice_actions.finalize),
        name="invoice_finalize",
    ),
    path("invoices/<str:id>/pay", endpoint(POST=invoice_actions.pay), name="invoice_pay"),
    path("invoices/<str:id>/void", endpoint(POST=invoice_actions.void), name="invoice_void"),
    path("invoices/<str:id>/send", endpoint(POST=invoice_actions.send), name="invoice_send"),
    path(
        "invoices/<str:id>/mark_uncollectible",
        endpoint(POST=invoice_actions.mark_uncollectible),
        name="invoice_mark_uncollectible",
    ),
    path("invoiceitems", endpoint(GET=items.list_, POST=items.create), name="invoiceitems"),
    path(
        "invoiceitems/<str:id>",
        endpoint(GET=items.retrieve, POST=items.update, DELETE=items.delete),
        name="invoiceitem",
    ),
    path("coupons", endpoint(GET=coupons.list_, POST=coupons.create), name="coupons"),
    path("coupons/<str:id>", endpoint(GET=coupons.retrieve), name="coupon"),
    path("tax_rates", endpoint(GET=tax_rates.list_, POST=tax_rates.create), name="tax_rates"),
    path("tax_rates/<str:id>", endpoint(GET=tax_rates.retrieve), name="tax_rate"),
    path("openapi.json", endpoint(GET=openapi_json), name="openapi"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
