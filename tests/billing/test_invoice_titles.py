"""Invoice pages and dialogs name a draft by its customer, never by an internal ID."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def test_a_draft_is_named_by_its_customer_and_an_issued_invoice_by_its_number():
    customer = make_customer(name="Acme Ltd", invoice_prefix="ACME")
    assert str(make_invoice(customer, 1000)) == "Draft invoice for Acme Ltd"
    assert str(make_invoice(customer, 1000, finalize=True)) == "ACME-0001"


def test_draft_page_title_names_the_customer_not_the_internal_id(billing_client):
    invoice = make_invoice(make_customer(name="Acme Ltd"), 1000)
    page = billing_client.get(invoice.get_absolute_url()).text
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Draft invoice for Acme Ltd")
    assert invoice.public_id not in title


def test_draft_dialogs_and_search_do_not_repeat_the_customer_name(billing_client, htmx):
    invoice = make_invoice(make_customer(name="Acme Ltd"), 1000)
    url = reverse("billing:invoice_finalize", args=[invoice.public_id])
    dialog = billing_client.get(url, **htmx).text
    assert "<strong>Draft invoice</strong> · Acme Ltd" in dialog
    results = billing_client.get(reverse("billing:search"), {"q": "Acme"}).text
    assert "Draft invoice for" not in results


def test_invoice_list_pdf_links_of_drafts_stay_told_apart(billing_client):
    customer = make_customer(name="Acme Ltd")
    drafts = [make_invoice(customer, 1000), make_invoice(customer, 2000)]
    page = billing_client.get(reverse("billing:invoices")).text
    for draft in drafts:
        assert f'aria-label="PDF of draft {draft.public_id}"' in page


def test_admin_item_list_names_drafts_without_a_query_per_row(admin_client):
    url = reverse("admin:billing_invoiceitem_changelist")

    def queries_for_a_list_of(drafts):
        for _ in range(drafts):
            make_invoice(make_customer(name="Acme Ltd"), 1000)
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(url).text
        assert "Draft invoice for Acme Ltd" in page
        return len(queries)

    assert queries_for_a_list_of(1) == queries_for_a_list_of(3)
