"""Issue 16 bugs 5 and 6 on the Invoices page: the customer is found by name as well as by
ID or email, in the Customer filter and in Create invoice, and Create invoice offers the
currencies of the customer it is for ("Choose a currency" when it has none)."""

import re

import pytest
from django.urls import reverse

from billing.customer_lookup import customer_to_invoice, match_customers
from billing.models import Invoice
from customers.services import customer_delete
from tests.factories import make_customer, make_invoice, make_item

pytestmark = pytest.mark.django_db


def _text(html):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    return re.sub(r" ([,.])", r"\1", text)


def test_match_customers_by_id_email_or_any_part_of_the_name():
    globex = make_customer(name="Globex Corporation", email="billing@globex.example")
    holdings = make_customer(name="The GLOBEX Holdings")
    make_customer(name="Initech")
    assert match_customers(globex.public_id).customers == [globex]
    assert match_customers("BILLING@globex.example").customers == [globex]
    named = match_customers("globex")
    assert named.by_name and named.customers == [globex, holdings]
    assert match_customers("lobex corp").customers == [globex]  # any part, any case
    assert match_customers("gl").customers == [globex, holdings]  # short: a plain scan
    assert match_customers("nobody@globex.example").customers == []  # an email is no name
    assert match_customers("").customers == []


def test_match_customers_is_bounded_and_says_so():
    for number in range(4):
        make_customer(name=f"Acme {number}")
    match = match_customers("acme", limit=3)
    assert [c.name for c in match.customers] == ["Acme 0", "Acme 1", "Acme 2"]
    assert match.more and match.one is None


def test_customer_to_invoice_takes_the_only_match_or_the_whole_name():
    globex = make_customer(name="Globex")
    make_customer(name="Globex Holdings")
    initech = make_customer(name="Initech")
    assert customer_to_invoice("initech").one == initech
    assert customer_to_invoice("GLOBEX").one == globex  # the only one named exactly so
    assert customer_to_invoice("glob").one is None
    assert len(customer_to_invoice("glob").customers) == 2
    customer_delete(customer=initech, deleted_by=None)
    assert customer_to_invoice("initech").customers == []  # live customers only


def test_customer_to_invoice_lists_wider_search_hits_without_taking_them():
    customer = make_customer(name="Globex Corporation", email="billing@globex.example")
    match = customer_to_invoice("globex.exam")  # part of the email
    assert match.customers == [customer] and match.one is None


def test_create_invoice_lists_a_customer_found_by_part_of_its_email(billing_client, htmx):
    customer = make_customer(name="Globex Corporation", email="billing@globex.example")
    url = reverse("billing:invoice_new")
    body = billing_client.get(url, {"customer": "globex.exam"}, **htmx).content.decode()
    assert "1 customer matches “globex.exam”: choose one." in _text(body)
    assert f'href="/invoices/new/?customer={customer.public_id}"' in body
    response = billing_client.post(url, {"customer": "globex.exam"}, **htmx)
    assert response.status_code == 422 and not Invoice.objects.exists()
    assert "choose one from the list." in response.content.decode()


def test_invoices_filter_customer_by_name_shows_all_matching_customers(billing_client, htmx):
    globex = make_invoice(make_customer(name="Globex Corporation"), 1000)
    holdings = make_invoice(make_customer(name="Globex Holdings"), 1000)
    other = make_invoice(make_customer(name="Initech"), 1000)
    response = billing_client.get(reverse("billing:invoices"), {"customer": "Globex"}, **htmx)
    body = response.content.decode()
    assert globex.public_id in body and holdings.public_id in body
    assert other.public_id not in body
    assert (
        "Invoices of 2 customers with “Globex” in their name: Globex Corporation, Globex Holdings."
        in _text(body)
    )


def test_invoices_filter_customer_says_when_nothing_matches(billing_client):
    make_invoice(make_customer(name="Initech"), 1000)
    body = billing_client.get(reverse("billing:invoices"), {"customer": "Globex"}).content
    assert "No customer has the name, ID or email “Globex”." in _text(body.decode())


def test_invoices_filter_customer_by_name_says_when_it_shows_only_some(billing_client, monkeypatch):
    monkeypatch.setattr("billing.customer_lookup.NAME_MATCHES", 2)
    for number in range(3):
        make_invoice(make_customer(name=f"Acme {number}"), 1000)
    body = billing_client.get(reverse("billing:invoices"), {"customer": "acme"}).content
    text = _text(body.decode())
    assert "customers have “acme” in their name: the invoices of the first" in text


def test_invoices_filter_customer_by_name_finds_deleted_customers_invoices(billing_client):
    customer = make_customer(name="Gone Away Ltd")
    invoice = make_invoice(customer, 1000, finalize=True)
    customer_delete(customer=customer, deleted_by=None)
    body = billing_client.get(reverse("billing:invoices"), {"customer": "gone away"}).content
    assert invoice.number in body.decode()


def test_create_invoice_for_a_customer_typed_by_name(billing_client, htmx):
    customer = make_customer(name="Globex Corporation", default_currency="EUR")
    make_customer(name="Initech")
    url = reverse("billing:invoice_new")
    data = {"customer": "globex", "currency": "EUR", "days_until_due": "30"}
    response = billing_client.post(url, data, **htmx)
    invoice = Invoice.objects.get()
    assert response["HX-Redirect"] == invoice.get_absolute_url()
    assert invoice.customer == customer


def test_create_invoice_with_an_ambiguous_name_lists_the_customers(billing_client, htmx):
    first = make_customer(name="Globex Corporation", email="corp@example.com")
    second = make_customer(name="Globex Holdings", email="holdings@example.com")
    url = reverse("billing:invoice_new")
    response = billing_client.post(url, {"customer": "globex", "days_until_due": "30"}, **htmx)
    assert response.status_code == 422
    text = _text(response.content.decode())
    assert "Several customers match “globex”: choose one from the list." in text
    assert "2 customers match “globex”: choose one." in text
    body = response.content.decode()
    for customer in (first, second):
        assert f'href="/invoices/new/?customer={customer.public_id}"' in body
    assert not Invoice.objects.exists()


def test_create_invoice_with_no_such_name_says_so(billing_client, htmx):
    url = reverse("billing:invoice_new")
    response = billing_client.post(url, {"customer": "Nobody Ltd"}, **htmx)
    assert response.status_code == 422
    assert "No customer has the name, ID or email “Nobody Ltd”." in response.content.decode()


def test_dialog_offers_the_chosen_customers_currencies_by_the_customer_page_rule(
    billing_client, htmx
):
    url = reverse("billing:invoice_new")
    body = billing_client.get(url, **htmx).content.decode()
    assert "customer&#x27;s currency" not in body and "customer's currency" not in body
    assert '<option value="" selected>Choose a currency</option>' in body

    euro = make_customer(name="Euro Shop", default_currency="EUR", payment_terms_days=14)
    make_item(euro, 1000, "CAD")
    body = billing_client.get(url, {"customer": "euro sh"}, **htmx).content.decode()
    assert "Invoice for Euro Shop" in _text(body)
    assert '<option value="EUR" selected>' in body and '<option value="CAD">' in body
    assert "Choose a currency" not in body
    assert 'name="days_until_due" value="14"' in body

    make_customer(name="Stateless Ltd", default_currency="")
    body = billing_client.get(url, {"customer": "stateless"}, **htmx).content.decode()
    assert "customer&#x27;s currency" not in body and "customer's currency" not in body
    assert '<option value="" selected>Choose a currency</option>' in body


def _selected(body, name):
    field = re.search(rf'<select name="{name}".*?</select>', body, re.S).group(0)
    return re.findall(r'<option value="(\w*)" selected>', field)


def test_dialog_keeps_the_currency_and_days_chosen_while_the_customer_changes(billing_client, htmx):
    euro = make_customer(name="Euro Shop", default_currency="EUR", payment_terms_days=14)
    make_item(euro, 1000, "CAD")
    make_customer(name="Net Thirty", default_currency="EUR", payment_terms_days=30)
    url = reverse("billing:invoice_new")
    asked = {"customer": "euro sh", "currency": "CAD", "days_until_due": "45"}
    body = billing_client.get(url, asked, **htmx).content.decode()
    assert _selected(body, "currency") == ["CAD"]
    assert 'name="days_until_due" value="45"' in body
    assert 'name="currency_default" value="EUR"' in body
    assert 'name="days_until_due_default" value="14"' in body

    # A currency the customer is not offered gives way to its first; days that were only
    # the previous customer's terms give way to this one's.
    asked = {"customer": "net thirty", "currency": "CAD", "days_until_due": "14",
             "days_until_due_default": "14"}  # fmt: skip
    body = billing_client.get(url, asked, **htmx).content.decode()
    assert _selected(body, "currency") == ["EUR"]
    assert 'name="days_until_due" value="30"' in body

    # The previous customer's default currency is not taken as chosen.
    make_customer(name="Stateless Ltd", default_currency="")
    asked = {"customer": "stateless", "currency": "EUR", "currency_default": "EUR"}
    body = billing_client.get(url, asked, **htmx).content.decode()
    assert _selected(body, "currency") == [""]

    asked = {"new-name": "Ada", "currency": "CHF", "days_until_due": "7"}
    body = billing_client.get(url, asked, **htmx).content.decode()
    assert _selected(body, "currency") == ["CHF"]
    assert 'name="days_until_due" value="7"' in body


def test_dialog_for_a_new_customer_offers_its_currency_or_asks(billing_client, htmx):
    url = reverse("billing:invoice_new")
    params = {"new-name": "Ada", "new-default_currency": "GBP"}
    body = billing_client.get(url, params, **htmx).content.decode()
    currency = re.search(r'<select name="currency".*?</select>', body, re.S).group(0)
    assert re.findall(r'<option value="(\w*)"', currency) == ["GBP"]
    body = billing_client.get(url, {"new-name": "Ada"}, **htmx).content.decode()
    assert '<option value="" selected>Choose a currency</option>' in body


def test_create_invoice_for_a_customer_with_a_currency_takes_it_when_left_blank(
    billing_client, htmx
):
    customer = make_customer(name="Krona AB", default_currency="SEK")
    url = reverse("billing:invoice_new")
    data = {"customer": "krona", "currency": "", "days_until_due": ""}
    assert billing_client.post(url, data, **htmx).status_code == 200
    assert Invoice.objects.get().currency == "SEK" and Invoice.objects.get().customer == customer


def test_create_invoice_for_a_customer_without_a_currency_must_choose_one(billing_client, htmx):
    make_customer(name="Stateless Ltd", default_currency="")
    url = reverse("billing:invoice_new")
    response = billing_client.post(url, {"customer": "stateless", "currency": ""}, **htmx)
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_name_match_cut_short_keeps_the_first_by_name_not_any():
    for name in ["acme Zeta", "Acme Delta", "ACME Beta", "Acme Alpha"]:  # newest first by name
        make_customer(name=name)
    match = match_customers("acme", limit=2)
    assert [c.name for c in match.customers] == ["Acme Alpha", "ACME Beta"]
    assert match.more and match.cut_short.startswith("More than 2 customers have “acme”")
    picker = customer_to_invoice("cme", limit=2)  # the wider search, sorted the same way
    assert [c.name for c in picker.customers] == ["Acme Alpha", "ACME Beta"]


def test_export_refuses_and_overview_says_when_a_name_matched_too_many(billing_client, monkeypatch):
    monkeypatch.setattr("billing.customer_lookup.NAME_MATCHES", 2)
    for number in range(3):
        make_invoice(make_customer(name=f"Acme {number}"), 1000)
    export = billing_client.get(reverse("billing:invoice_export"), {"customer": "acme"})
    assert export.status_code == 400
    assert "More than 2 customers have “acme” in their name" in export.text
    overview = billing_client.get(reverse("billing:invoice_overview"), {"customer": "acme"})
    text = _text(overview.text)
    assert "of 2 invoices" in text
    assert "These counts and totals cover only the first 2 customers with “acme”" in text
    monkeypatch.setattr("billing.customer_lookup.NAME_MATCHES", 3)
    export = billing_client.get(reverse("billing:invoice_export"), {"customer": "acme"})
    assert export.status_code == 200
    overview = billing_client.get(reverse("billing:invoice_overview"), {"customer": "acme"})
    assert "cover only" not in overview.text
