"""Global search: the page, the dialog, the live results, and what each user may see."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from billing.search import SHOWN, global_search
from billing.services import credit_note_issue
from customers.services import customer_delete
from tests.factories import make_customer, make_invoice, make_user

pytestmark = pytest.mark.django_db

SEARCH = reverse("billing:search")


def test_finds_customers_by_name_email_id_and_metadata_value(billing_user):
    acme = make_customer(name="Acme Corp", email="ap@acme.example", metadata={"crm": "X-4242"})
    make_customer(name="Globex", email="info@globex.example")
    for text in ("acme", "AP@ACME", acme.public_id, "x-4242"):
        results = global_search(text=text, user=billing_user)
        assert results.customers == [acme], text


def test_finds_invoices_and_credit_notes_by_number(billing_user):
    invoice = make_invoice(make_customer(name="Initech"), 5000, finalize=True)
    other = make_invoice(make_customer(), 700, finalize=True)
    note = credit_note_issue(invoice=invoice, amount=1000)
    results = global_search(text=invoice.number.lower(), user=billing_user)
    assert results.invoices == [invoice]
    assert other not in results.invoices
    assert global_search(text=note.number, user=billing_user).credit_notes == [note]
    assert global_search(text=invoice.public_id, user=billing_user).invoices == [invoice]


def test_finds_invoices_by_the_beginning_of_their_number_only(billing_user):
    invoice = make_invoice(make_customer(name="Initech"), 5000, finalize=True)
    prefix, sequence = invoice.number.rsplit("-", 1)
    assert global_search(text=f"{prefix}-".lower(), user=billing_user).invoices == [invoice]
    # The middle of a number is no match: a name typed into the box would read every row.
    assert global_search(text=f"-{sequence}", user=billing_user).invoices == []


def test_shows_at_most_a_few_of_each_kind_newest_first(billing_user):
    customers = [make_customer(name=f"Wayne {n}") for n in range(SHOWN + 2)]
    results = global_search(text="wayne", user=billing_user)
    assert results.customers == customers[::-1][:SHOWN]


def test_leaves_out_deleted_customers(billing_user):
    gone = make_customer(name="Gone Ltd")
    customer_delete(customer=gone, deleted_by=billing_user)
    assert global_search(text="gone", user=billing_user).empty


def test_user_without_invoice_permission_sees_customers_only(db):
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    customer = make_customer(name="Umbrella")
    invoice = make_invoice(customer, 100, finalize=True)
    results = global_search(text="umbrella", user=user)
    assert results.customers == [customer]
    assert global_search(text=invoice.number, user=user).invoices == []
    client_response = _client(user).get(SEARCH, {"q": invoice.number})
    assert invoice.get_absolute_url() not in client_response.content.decode()


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_page_works_as_a_plain_get(billing_client):
    customer = make_customer(name="Stark Industries")
    response = billing_client.get(SEARCH, {"q": "stark"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body and 'role="search"' in body
    assert f'href="{customer.get_absolute_url()}"' in body
    assert 'value="stark"' in body


def test_page_without_text_shows_only_the_box(billing_client):
    response = billing_client.get(SEARCH)
    assert response.status_code == 200
    assert "Nothing matches" not in response.content.decode()


def test_says_when_nothing_matches(billing_client):
    response = billing_client.get(SEARCH, {"q": "zzz-nothing"})
    assert "Nothing matches “zzz-nothing”." in response.content.decode()


def test_htmx_opens_the_dialog_fragment(billing_client, htmx):
    response = billing_client.get(SEARCH, **htmx, HTTP_HX_TARGET="dialog-slot")
    body = response.content.decode()
    assert "<dialog" in body and "<html" not in body
    assert "data-search-input" in body


def test_live_results_are_only_the_results_fragment(billing_client, htmx):
    make_customer(name="Wonka")
    response = billing_client.get(SEARCH, {"q": "wonka"}, **htmx, HTTP_HX_TARGET="search-results")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="search-results"')
    assert "Wonka" in body and "<dialog" not in body and "<form" not in body
    assert response["Vary"] and "HX-Target" in response["Vary"]


def test_dialog_shows_a_few_and_the_page_more(billing_client, htmx):
    for n in range(SHOWN + 3):
        make_customer(name=f"Tyrell {n}")
    dialog = billing_client.get(SEARCH, {"q": "tyrell"}, **htmx, HTTP_HX_TARGET="dialog-slot")
    typed = billing_client.get(
        SEARCH, {"q": "tyrell"}, **htmx, HTTP_HX_TARGET="search-dialog-results"
    )
    page = billing_client.get(SEARCH, {"q": "tyrell"})
    on_page = billing_client.get(SEARCH, {"q": "tyrell"}, **htmx, HTTP_HX_TARGET="search-results")
    assert dialog.content.decode().count("data-search-result>") == SHOWN
    assert typed.content.decode().count("data-search-result>") == SHOWN
    assert page.content.decode().count("data-search-result>") == SHOWN + 3
    assert on_page.content.decode().count("data-search-result>") == SHOWN + 3


def _ids(body):
    return re.findall(r'\bid="([^"]+)"', body)


def test_the_dialog_and_the_page_share_no_id(billing_client, htmx):
    make_customer(name="Soylent")
    page = billing_client.get(SEARCH, {"q": "soylent"}).content.decode()
    dialog = billing_client.get(
        SEARCH, {"q": "soylent"}, **htmx, HTTP_HX_TARGET="dialog-slot"
    ).content.decode()
    assert set(_ids(page)) & set(_ids(dialog)) == set()
    # The dialog's label, hint and live results name its own box and results.
    assert 'for="search-dialog-input"' in dialog and 'id="search-dialog-input"' in dialog
    assert 'aria-describedby="search-dialog-hint"' in dialog
    assert 'hx-target="#search-dialog-results"' in dialog and 'id="search-dialog-results"' in dialog


def test_the_count_of_results_is_said_in_a_status_outside_the_results(billing_client, htmx):
    invoice = make_invoice(make_customer(name="Massive Dynamic"), 5000, finalize=True)
    make_customer(name="Massive Co")
    body = billing_client.get(SEARCH, {"q": "massive"}).content.decode()
    status = '<p id="search-status" class="visually-hidden" role="status">2 results</p>'
    assert status in body
    assert body.index(status) < body.index('<div id="search-results"')
    one = billing_client.get(SEARCH, {"q": invoice.number}).content.decode()
    assert 'role="status">1 result</p>' in one
    none = billing_client.get(SEARCH, {"q": "zzz-nothing"}).content.decode()
    assert 'role="status">No results</p>' in none


def test_live_results_update_the_status_out_of_band(billing_client, htmx):
    make_customer(name="Hooli")
    make_customer(name="Hooli XYZ")
    for scope in ("search", "search-dialog"):
        body = billing_client.get(
            SEARCH, {"q": "hooli"}, **htmx, HTTP_HX_TARGET=f"{scope}-results"
        ).content.decode()
        assert f'<p id="{scope}-status" hx-swap-oob="innerHTML">2 results</p>' in body
        assert 'role="status"' not in body  # the one live region stays on the page


def test_the_dialog_has_a_place_for_a_failed_request(billing_client, htmx):
    body = billing_client.get(SEARCH, **htmx, HTTP_HX_TARGET="dialog-slot").content.decode()
    assert 'role="alert" data-request-error' in body


def test_needs_sign_in(client):
    response = client.get(SEARCH, {"q": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_top_bar_has_the_search_button_and_shortcuts(billing_client):
    body = billing_client.get(reverse("customers:list")).content.decode()
    assert 'id="search-button"' in body and f'href="{SEARCH}"' in body
    assert 'id="shortcuts-dialog"' in body and "Keyboard shortcuts" in body


def test_search_page_does_not_mark_invoices_as_the_current_page(billing_client):
    body = billing_client.get(SEARCH).content.decode()
    assert 'aria-current="page">Invoices' not in body


def test_finds_customers_by_tax_id_and_external_id_through_customer_search(billing_user):
    customer = make_customer(
        name="Taxed GmbH", tax_ids=[{"type": "eu_vat", "value": "DE136695976"}], aliases=["crm-77"]
    )
    make_customer(name="Someone Else")
    assert global_search(text="DE136695976", user=billing_user).customers == [customer]
    assert global_search(text="crm-77", user=billing_user).customers == [customer]
