"""PDF rendering speed, warm, in one process: a one-page invoice and a 250-line invoice in
a Latin and a CJK language (p50/p95 per document), a credit note, and a batch of invoices.

    python bench/pdf.py                  # scratch SQLite in bench/out/
    BENCH_PDF_BATCH=200 python bench/pdf.py
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import setup_django  # noqa: E402


def make_invoice(customer, lines, currency):
    from billing.models import InvoiceItem
    from billing.services import invoice_create, invoice_finalize

    InvoiceItem.objects.bulk_create(
        InvoiceItem(customer=customer, description=f"Service item {n + 1} — monthly plan",
                    quantity=n % 3 + 1, unit_amount=1250 + n, amount=(n % 3 + 1) * (1250 + n),
                    currency=currency)
        for n in range(lines)
    )  # fmt: skip
    return invoice_finalize(invoice=invoice_create(customer=customer, currency=currency))


def main():
    setup_django("", "pdf")
    from bench.customers import timed
    from billing.pdf import credit_note_pdf, invoice_pdf
    from billing.services import credit_note_issue
    from tests.factories import make_customer, make_tax_rate

    vat = make_tax_rate("20")
    people = {
        "en": make_customer(name="Ada Lovelace", preferred_locales=["en"], address_country="US",
                            address_line1="1 Market Street", address_city="San Francisco",
                            tax_ids=[{"type": "us_ein", "value": "91-1144442"}]),
        "ja": make_customer(name="株式会社テスト", preferred_locales=["ja"], address_country="JP",
                            address_line1="千代田区丸の内1-1", address_city="東京"),
    }  # fmt: skip
    for customer in people.values():
        customer.default_tax_rates.add(vat)
    print("\nPDF rendering (warm, one process)")
    for language, customer in people.items():
        currency = "USD" if language == "en" else "JPY"
        short = make_invoice(customer, 5, currency)
        long = make_invoice(customer, 250, currency)
        pages = len(
            __import__("pypdf").PdfReader(__import__("io").BytesIO(invoice_pdf(long))).pages
        )
        p50, p95 = timed(lambda: invoice_pdf(short), 60)  # noqa: B023
        print(f"{language}: 1-page invoice       p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        p50, p95 = timed(lambda: invoice_pdf(long), 5)  # noqa: B023
        print(f"{language}: 250-line invoice ({pages} pages) p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        note = credit_note_issue(invoice=short, amount=100)
        p50, p95 = timed(lambda: credit_note_pdf(note), 30)  # noqa: B023
        print(f"{language}: credit note          p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")

    count = int(os.environ.get("BENCH_PDF_BATCH", 1000))
    invoices = [make_invoice(people["en" if n % 2 else "ja"], 5, "USD" if n % 2 else "JPY")
                for n in range(count)]  # fmt: skip
    started = time.perf_counter()
    size = sum(len(invoice_pdf(invoice)) for invoice in invoices)
    seconds = time.perf_counter() - started
    print(f"batch: {count:,} invoices (half en, half ja) in {seconds:.1f} s, "
          f"{count / seconds:.1f}/s, {size / count / 1024:.0f} KB each")  # fmt: skip


if __name__ == "__main__":
    main()
