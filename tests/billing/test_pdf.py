import io

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from billing import pdf
from billing.documents import document_language, page_size
from billing.services import credit_note_issue, invoice_mark_paid
from customers.services import customer_update
from tests.factories import adjust, make_customer, make_invoice

pytestmark = pytest.mark.django_db


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(
    ("preferred", "override", "expected"),
    [
        (["fr-CA", "en"], None, "fr-CA"),
        (["fr-BE"], None, "fr"),
        (["xx", "de"], None, "de"),
        ([], None, "en"),
        (["ja"], "ko", "ko"),
        (["pt-BR"], None, "pt-BR"),
    ],
)
def test_document_language(preferred, override, expected):
    assert document_language(preferred, override) == expected


def test_letter_paper_in_north_america_and_the_philippines():
    assert page_size("US", "FR") == "letter"
    assert page_size("", "MX") == "letter"
    assert page_size("PH") == "letter"
    assert page_size("DE", "US") == "A4"
    assert page_size("", "") == "A4"


def test_invoice_pdf_shows_the_invoice():
    customer = make_customer(name="Ada Lovelace", default_currency="USD", invoice_prefix="ADA",
                             address_line1="12 Analytical Row", address_country="GB",
                             tax_ids=[{"type": "gb_vat", "value": "GB980780684"}])  # fmt: skip
    adjust(customer, -1000, "USD")
    invoice = make_invoice(customer, 123456, finalize=True)
    text = pdf_text(pdf.invoice_pdf(invoice))
    assert "Invoice" in text and "ADA-0001" in text
    assert "Ada Lovelace" in text and "12 Analytical Row" in text
    assert "GB980780684" in text
    assert "$1,234.56" in text and "-$10.00" in text  # total and applied credit
    assert "$1,224.56" in text  # amount due
    assert "Page 1 of 1" in text
    assert "DRAFT" not in text


def test_draft_pdf_is_a_marked_preview():
    invoice = make_invoice(make_customer(), 5000)
    text = pdf_text(pdf.invoice_pdf(invoice))
    assert "DRAFT" in text


def test_issued_pdf_does_not_change_when_the_customer_does():
    customer = make_customer(name="Before Ltd", address_line1="1 Old Street")
    invoice = make_invoice(customer, 5000, finalize=True)
    before = pdf_text(pdf.invoice_pdf(invoice))
    customer_update(customer=customer, fields={"name": "After Ltd", "address_line1": "2 New St"})
    invoice.refresh_from_db()
    assert pdf_text(pdf.invoice_pdf(invoice)) == before
    assert "Before Ltd" in before


def test_reverse_charge_invoice_says_so():
    customer = make_customer(tax_exempt="reverse", address_country="DE")
    text = pdf_text(pdf.invoice_pdf(make_invoice(customer, 5000, currency="EUR", finalize=True)))
    assert "Reverse charge" in text


def test_credit_note_pdf_shows_its_allocation():
    invoice = make_invoice(make_customer(invoice_prefix="CRN"), 5000, finalize=True)
    invoice_mark_paid(invoice=invoice)
    note = credit_note_issue(invoice=invoice, amount=1500, credit_amount=1000, refund_amount=500,
                             reason="duplicate", memo="Charged twice")  # fmt: skip
    text = pdf_text(pdf.credit_note_pdf(note))
    assert "Credit note" in text and "CRN-0001-CN-01" in text
    assert "Duplicate" in text and "Charged twice" in text
    assert "Credited to your balance" in text and "$10.00" in text
    assert "Refunded" in text and "$5.00" in text


HOSTILE = '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/hostname">'


def test_customer_fields_are_escaped_and_nothing_is_fetched(monkeypatch):
    fetched = []
    original = pdf.StaticFilesOnly.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.StaticFilesOnly, "fetch", spy)
    customer = make_customer(name=HOSTILE[:200], address_line1="http://example.com/x.png",
                             description=HOSTILE)  # fmt: skip
    invoice = make_invoice(customer, 1000, finalize=True, memo=HOSTILE)
    content = pdf.invoice_pdf(invoice)
    assert all(url.startswith(pdf.STATIC_DIR.as_uri()) for url in fetched), fetched
    assert b"/EmbeddedFile" not in content
    reader = PdfReader(io.BytesIO(content))
    assert not reader.attachments
    assert '<img src="file:///etc/passwd">' in pdf_text(content)  # shown as text


def test_document_html_escapes_customer_fields():
    customer = make_customer(name="<b>Bold</b> & Co")
    invoice = make_invoice(customer, 1000, finalize=True)
    doc = pdf.invoice_document(invoice, invoice.customer_snapshot, invoice.seller_snapshot, "en")
    html = render_to_string("billing/pdf/invoice.html", {"doc": doc})
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html
    assert "<b>Bold" not in html


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/logo.png",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        f"{pdf.STATIC_DIR.as_uri()}/../config/settings.py",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(ValueError):
        pdf.StaticFilesOnly().fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls():
    response = pdf.StaticFilesOnly().fetch(f"{pdf.STATIC_DIR.as_uri()}/css/pdf.css")
    assert b"@page" in response.read()
    assert pdf.StaticFilesOnly().fetch("data:text/plain,hi").read() == b"hi"


def test_download_pdf_views(billing_client, support_client):
    invoice = make_invoice(make_customer(invoice_prefix="DLX"), 1000, finalize=True)
    response = billing_client.get(reverse("billing:invoice_pdf", args=[invoice.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="DLX-0001.pdf"'
    assert response.content.startswith(b"%PDF")
    note = credit_note_issue(invoice=invoice, amount=100)
    response = support_client.get(reverse("billing:credit_note_pdf", args=[note.public_id]))
    assert response["Content-Disposition"] == 'attachment; filename="DLX-0001-CN-01.pdf"'


def test_a_250_line_invoice_paginates_with_headers_and_one_totals_block():
    customer = make_customer(default_currency="USD")
    from billing.models import InvoiceItem
    from billing.services import invoice_create, invoice_finalize

    InvoiceItem.objects.bulk_create(
        InvoiceItem(customer=customer, description=f"Line {n:03d}", quantity=1,
                    unit_amount=100 + n, amount=100 + n, currency="USD")
        for n in range(250)
    )  # fmt: skip
    invoice = invoice_finalize(invoice=invoice_create(customer=customer))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf.invoice_pdf(invoice))).pages]
    assert len(pages) > 3
    assert all("Description" in page and "Unit price" in page for page in pages)
    assert sum(page.count("Subtotal") for page in pages) == 1
    assert "Subtotal" in pages[-1]
    assert f"Page 2 of {len(pages)}" in pages[1]
    text = "\n".join(pages)
    assert all(f"Line {n:03d}" in text for n in range(250))


def test_tax_exempt_coupon_and_tax_display_variants():
    from billing.models import CustomerCoupon
    from tests.factories import make_coupon, make_item, make_tax_rate

    vat = make_tax_rate("20", inclusive=True, display_name="VAT")
    taxed = make_customer(default_currency="EUR", invoice_amount_tax_display="exclude_tax")
    CustomerCoupon.objects.create(customer=taxed, coupon=make_coupon(percent_off="10", name="TEN"))
    make_item(taxed, 12000, "EUR", tax_rates=[vat])
    text = pdf_text(pdf.invoice_pdf(make_invoice(taxed, currency="EUR", finalize=True)))
    # Shown without the tax they include: €120.00 → €100.00, the discount €12.00 → €10.00.
    assert "Subtotal €100.00" in text and "Discount (TEN) -€10.00" in text
    assert "Total excluding tax €90.00" in text
    assert "VAT (20%, included) €18.00" in text and "Total €108.00" in text

    exempt = make_customer(default_currency="EUR", tax_exempt="exempt")
    make_item(exempt, 12000, "EUR", tax_rates=[vat])
    text = pdf_text(pdf.invoice_pdf(make_invoice(exempt, currency="EUR", finalize=True)))
    assert "VAT" not in text and "Reverse charge" not in text and "€120.00" in text


def test_download_in_another_language(billing_client):
    invoice = make_invoice(make_customer(preferred_locales=["fr"]), 1000, finalize=True)
    url = reverse("billing:invoice_pdf", args=[invoice.public_id])
    assert "Facture" in pdf_text(billing_client.get(url).content)
    assert "Rechnung" in pdf_text(billing_client.get(url, {"language": "de"}).content)
    assert "Facture" in pdf_text(billing_client.get(url, {"language": "FR-ca"}).content)


@pytest.mark.parametrize("language", ["xx", "fr-XX", "klingon"])
def test_an_unsupported_language_is_a_400_page_naming_it(billing_client, language):
    invoice = make_invoice(make_customer(preferred_locales=["de"]), 1000, finalize=True)
    note = credit_note_issue(invoice=invoice, amount=100)
    for url in (reverse("billing:invoice_pdf", args=[invoice.public_id]),
                reverse("billing:credit_note_pdf", args=[note.public_id])):  # fmt: skip
        response = billing_client.get(url, {"language": language})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert f"“{language}” is not a document language" in page
        # It offers the languages there are, the customer's first.
        assert page.index(f'{url}?language=de"') < page.index(f'{url}?language=ar"')
