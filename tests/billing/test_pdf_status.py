"""What is due, and the stamps: the PDF's headline and the invoice page's say what is
still owed after payments and credit notes; paid, void and uncollectible documents say
so. The Download PDF menu offers every document language, the customer's first."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from billing import pdf
from billing.services import (
    credit_note_issue,
    credit_note_void,
    invoice_mark_paid,
    invoice_mark_uncollectible,
    invoice_void,
)
from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def invoice():
    customer = make_customer(default_currency="GBP", preferred_locales=["de"])
    return make_invoice(customer, 922900, currency="GBP", finalize=True)


def _due_line(text):
    """The headline "£9,229.00 due 2 January 2027", if there is one."""
    return next((line for line in text.splitlines() if re.match(r"£[\d,.]+ due ", line)), None)


def test_open_invoice_headline_is_the_amount_due(invoice):
    text = pdf_text(pdf.invoice_pdf(invoice, "en"))
    assert _due_line(text).startswith("£9,229.00 due ")
    assert "PAID" not in text.upper().split()


def test_after_a_credit_note_the_headline_is_what_remains(invoice):
    credit_note_issue(invoice=invoice, amount=22900)
    invoice.refresh_from_db()
    text = pdf_text(pdf.invoice_pdf(invoice, "en"))
    assert _due_line(text).startswith("£9,000.00 due ")


@pytest.mark.parametrize(
    ("change", "stamp", "due"),
    [(invoice_mark_paid, "Paid", None), (invoice_void, "Void", None),
     (invoice_mark_uncollectible, "Uncollectible", "£9,229.00 due ")],
)  # fmt: skip
def test_settled_and_uncollectible_invoices_carry_a_stamp(invoice, change, stamp, due):
    change(invoice=invoice)
    invoice.refresh_from_db()
    text = pdf_text(pdf.invoice_pdf(invoice, "en"))
    assert re.search(rf"^{stamp}$", text, re.M | re.I)
    line = _due_line(text)
    assert (line is None) if due is None else line.startswith(due)


def test_stamps_are_in_the_documents_language(invoice):
    invoice_mark_paid(invoice=invoice)
    invoice.refresh_from_db()
    assert re.search(r"^Bezahlt$", pdf_text(pdf.invoice_pdf(invoice)), re.M | re.I)


def test_a_void_credit_note_is_stamped_void(invoice):
    note = credit_note_issue(invoice=invoice, amount=1000)
    assert not re.search(r"^Void$", pdf_text(pdf.credit_note_pdf(note, "en")), re.M | re.I)
    note = credit_note_void(credit_note=note)
    assert re.search(r"^Void$", pdf_text(pdf.credit_note_pdf(note, "en")), re.M | re.I)


def _headline(response):
    match = re.search(r'<p class="headline"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else None


def test_invoice_page_headline_says_what_is_due_or_that_it_is_settled(billing_client, invoice):
    url = invoice.get_absolute_url()
    assert _headline(billing_client.get(url)).startswith("£9,229.00 due ")
    credit_note_issue(invoice=invoice, amount=22900)
    assert _headline(billing_client.get(url)).startswith("£9,000.00 due ")
    invoice_mark_paid(invoice=invoice)
    assert _headline(billing_client.get(url)).startswith("Paid")
    # The htmx refresh of the invoice carries it too.
    assert _headline(billing_client.get(url, HTTP_HX_REQUEST="true")).startswith("Paid")


def test_void_and_uncollectible_invoice_pages_say_so(billing_client, invoice):
    invoice_mark_uncollectible(invoice=invoice)
    assert _headline(billing_client.get(invoice.get_absolute_url())) == (
        "Uncollectible · £9,229.00 remaining"
    )
    invoice_void(invoice=invoice)
    assert _headline(billing_client.get(invoice.get_absolute_url())) == "Void · nothing due"


def test_void_credit_note_page_says_so(billing_client, invoice):
    note = credit_note_issue(invoice=invoice, amount=1000)
    assert _headline(billing_client.get(note.get_absolute_url())) is None
    credit_note_void(credit_note=note)
    assert _headline(billing_client.get(note.get_absolute_url())).startswith("Void since ")


def _menu(response):
    return re.findall(r'\?language=([\w-]+)" download hreflang', response.content.decode())


def test_download_menus_offer_every_language_the_customers_first(billing_client, invoice):
    from customers.reference import DOCUMENT_LANGUAGES

    note = credit_note_issue(invoice=invoice, amount=1000)
    for page in (invoice.get_absolute_url(), note.get_absolute_url()):
        tags = _menu(billing_client.get(page))
        assert tags[0] == "de" and sorted(tags) == sorted(DOCUMENT_LANGUAGES)
        rest = [DOCUMENT_LANGUAGES[tag] for tag in tags[1:]]
        assert rest == sorted(rest)  # then by name
    url = reverse("billing:invoice_pdf", args=[invoice.public_id])
    assert f'href="{url}?language=ar"' in billing_client.get(invoice.get_absolute_url()).text
