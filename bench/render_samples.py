"""Sample invoice and credit-note PDFs, with PNG previews of their first page (pdftoppm),
for a reviewer to look at: a few languages and scripts, a 250-line invoice, a draft.

    python bench/render_samples.py [OUTPUT_DIR]      # default bench/out/samples/
"""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import setup_django  # noqa: E402

LANGUAGES = ["en", "fr-CA", "de", "ja", "zh-TW", "ko", "th", "ml", "ru", "el", "ar", "he"]


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "out" / "samples"
    out.mkdir(parents=True, exist_ok=True)
    setup_django("", "samples")
    from bench.pdf import make_invoice
    from billing.models import CustomerCoupon
    from billing.pdf import credit_note_pdf, invoice_pdf
    from billing.services import credit_note_issue, invoice_create, invoice_mark_paid
    from ledger.services import balance_adjust
    from tests.factories import make_coupon, make_customer, make_item, make_tax_rate

    vat = make_tax_rate("20", display_name="VAT")
    customer = make_customer(
        name="Ada Lovelace & Co", email="billing@ada.example", default_currency="EUR",
        address_line1="12 Rue de la Paix", address_city="Paris", address_postal_code="75002",
        address_country="FR", shipping_name="Ada Lovelace", shipping_line1="1 Dock Road",
        shipping_city="Calais", shipping_country="FR", tax_exempt="reverse",
        tax_ids=[{"type": "eu_vat", "value": "FR61954506077"}],
        invoice_custom_fields=[{"name": "PO", "value": "4711"}],
    )  # fmt: skip
    customer.default_tax_rates.add(vat)
    CustomerCoupon.objects.create(customer=customer, coupon=make_coupon(percent_off="10"))
    balance_adjust(customer=customer, amount=-2500, currency="EUR")
    invoice = make_invoice(customer, 6, "EUR")
    invoice_mark_paid(invoice=invoice)
    note = credit_note_issue(
        invoice=invoice, amount=5000, credit_amount=3000, refund_amount=2000,
        reason="order_change", memo="Two seats fewer",
    )  # fmt: skip
    files = []
    for language in LANGUAGES:
        files.append((f"invoice-{language}.pdf", invoice_pdf(invoice, language)))
        files.append((f"credit-note-{language}.pdf", credit_note_pdf(note, language)))
    long = make_invoice(make_customer(name="Long invoice", address_country="US"), 250, "USD")
    files.append(("invoice-250-lines.pdf", invoice_pdf(long)))
    draft_customer = make_customer(name="Draft Ltd", address_country="DE")
    make_item(draft_customer, 9900, "EUR", description="Preview item")
    draft = invoice_create(customer=draft_customer, currency="EUR")
    files.append(("invoice-draft.pdf", invoice_pdf(draft)))
    for name, content in files:
        path = out / name
        path.write_bytes(content)
        if shutil.which("pdftoppm"):
            preview = ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile"]
            subprocess.run([*preview, str(path), str(path.with_suffix(""))], check=True)
    print(f"{len(files)} PDFs (and PNG previews of page 1) in {out}")


if __name__ == "__main__":
    main()
