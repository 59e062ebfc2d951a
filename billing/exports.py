"""The Invoices page export: CSV streamed in constant memory, or XLSX up to
XLSX_MAX_ROWS invoices; amounts in major units of each invoice's currency, text cells
neutralised against spreadsheet formulas."""

from core.exports import csv_download, export_filename, neutralise, xlsx_download
from core.money import to_major

AMOUNTS = ["subtotal", "discount", "tax", "total", "applied_balance", "amount_due",
           "amount_paid", "amount_remaining", "pre_payment_credit_notes_amount",
           "post_payment_credit_notes_amount"]  # fmt: skip
TEXTS = ["customer__name", "customer__email"]
DATES = ["created", "finalized_at", "due_date", "paid_at", "voided_at"]
# The file is built whole before it is sent, at 1,500-2,500 invoices/s as measured
# (openpyxl's write-only mode): 50,000 take 20-35 s, well inside a proxy's timeout.
XLSX_MAX_ROWS = 50_000
HEADER = ["id", "number", "customer_id", "customer_name", "customer_email", "status",
          "currency", *AMOUNTS, *DATES]  # fmt: skip


def invoice_rows(queryset):
    """Header, then one list of cells per invoice, newest first."""
    yield HEADER
    values = queryset.order_by("-created", "-id").values_list(
        "public_id", "number", "customer__public_id", *TEXTS, "status", "currency", *AMOUNTS,
        *DATES,
    )  # fmt: skip
    for row in values.iterator(chunk_size=2000):
        public_id, number, customer_id, name, email, status, currency = row[:7]
        amounts = row[7 : 7 + len(AMOUNTS)]
        dates = row[7 + len(AMOUNTS) :]
        yield [
            public_id, number or "", customer_id, neutralise(name), neutralise(email), status,
            currency, *(to_major(amount, currency) for amount in amounts),
            *(date.isoformat() if date else "" for date in dates),
        ]  # fmt: skip


def invoices_csv_response(queryset):
    return csv_download(invoice_rows(queryset), export_filename("invoices", "csv"))


def invoices_xlsx_response(queryset):
    return xlsx_download(
        invoice_rows(queryset),
        export_filename("invoices", "xlsx"),
        count=queryset.count(),
        limit=XLSX_MAX_ROWS,
        noun="invoices",
    )
