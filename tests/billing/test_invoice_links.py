"""The Invoices page reached by a link that filters by customer ID (Home's largest
open balances, the customer page's Billing summary): the pill and the note name the
customer, and "Total invoiced" lists the invoices its figure sums."""

import re
from html import unescape

import pytest
from django.urls import reverse

from billing import dashboard
from billing.services import invoice_mark_paid, invoice_void
from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def _text(html):
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def _listed_numbers(body):
    return set(re.findall(r">([A-Z0-9]+-\d{4})</a>", body))


def test_a_link_by_customer_id_names_the_customer_in_its_pill_and_note(billing_client):
    customer = make_customer(name="Globex & Sons")
    make_invoice(customer, 1200, finalize=True)
    [top] = dashboard.largest_open_balances()["USD"]
    text = _text(billing_client.get(top.url).text)
    assert "Customer: Globex & Sons" in text and f"Customer: {customer.public_id}" not in text
    assert f"Invoices of Globex & Sons ( {customer.public_id} )." in text
    by_email = billing_client.get(reverse("billing:invoices"), {"customer": customer.email})
    assert "Customer: Globex & Sons" in _text(by_email.text)


def test_total_invoiced_lists_the_invoices_it_sums_not_drafts_or_void(billing_client):
    customer = make_customer()
    paid = invoice_mark_paid(invoice=make_invoice(customer, 5000, finalize=True))
    open_invoice = make_invoice(customer, 1200, finalize=True)
    make_invoice(customer, 9900)  # a draft
    invoice_void(invoice=make_invoice(customer, 300, finalize=True))
    [usd] = dashboard.customer_summary(customer)
    page = billing_client.get(usd.invoiced_url).text
    assert _listed_numbers(page) == {paid.number, open_invoice.number}
    assert usd.invoiced == 6200
    assert "Status: Invoiced (not draft or void)" in _text(page)
    query = usd.invoiced_url.split("?", 1)[1]
    overview = billing_client.get(f"{reverse('billing:invoice_overview')}?{query}").text
    assert "of 2 invoices" in _text(overview)
