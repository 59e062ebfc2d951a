"""The Activity section as people read it: each entry says what happened in
words, whatever the kind, and the whole trail asks for what each scope asks for."""

import pytest
from django.urls import reverse

from activity import exports
from tests.activity.test_views import record, user_with
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

LIST = reverse("activity:list")
EXPORT = reverse("activity:export")


def _section(client, customer):
    content = client.get(customer.get_absolute_url()).content.decode()
    return " ".join(content[content.index('id="activity"') :].split())


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"kind": "invoice"}, "invoice"),
        ({"kind": "credit_note"}, "credit note"),
        ({"kind": "reminder", "reminder": "before_due"}, "reminder before the due date"),
        ({"kind": "reminder", "reminder": "after_due"}, "reminder after the due date"),
    ],
)
def test_an_email_entry_says_which_email_it_was(billing_client, data, said):
    # The data billing.tasks.record_email writes.
    customer = make_customer()
    record("email.sent", customer=customer.public_id, invoice="in_1", object_id="em_1",
           data={"to": ["ada@example.com"], "number": "ACME-0001", **data})  # fmt: skip
    # The number links to the email's invoice.
    assert (
        f'<a href="/invoices/in_1/">ACME-0001</a> · '
        f'<span class="activity-detail">{said} · to ada@example.com'
    ) in _section(billing_client, customer)
    assert exports.description("email.sent", {"to": ["ada@example.com"], **data}) == (
        f"Email sent · {said} · to ada@example.com"
    )


@pytest.mark.parametrize(
    ("code", "said"),
    [("adjustment", "Adjustment"), ("unapplied_from_invoice", "Unapplied from invoice"),
     ("invoice_too_small", "Invoice too small")],
)  # fmt: skip
def test_a_balance_transaction_entry_names_its_type_in_words(billing_client, code, said):
    # The data ledger.services writes for a posting.
    customer = make_customer()
    record("balance_transaction.created", customer=customer.public_id, object_id="cbtxn_1",
           data={"amount": -2000, "currency": "USD", "type": code, "description": ""})  # fmt: skip
    section = _section(billing_client, customer)
    assert f'-$20.00 · <span class="activity-detail">{said}</span>' in section
    assert code not in section or code == said.lower()


def test_a_tax_id_entry_keeps_its_type_code_beside_the_value():
    assert exports.detail({"type": "eu_vat", "value": "DE136695976"}) == "eu_vat DE136695976"


def test_the_whole_trail_asks_for_what_each_scope_asks_for():
    record("customer.updated", customer="cus_secret", data={"name": "Hidden"})
    for permissions in (["customers.view_customer"], ["billing.view_invoice"]):
        client = user_with("activity.view_entry", "activity.export_entry", *permissions)
        assert client.get(LIST).status_code == 403
        assert client.get(LIST, {"group": "customer"}).status_code == 403
        assert client.get(EXPORT).status_code == 403
        assert b'href="/activity/"' not in client.get(reverse("billing:search")).content
    client = user_with("activity.view_entry", "customers.view_customer", "billing.view_invoice")
    assert b"Hidden" in client.get(LIST).content
    assert b'href="/activity/"' in client.get(reverse("billing:search")).content


def test_an_entry_in_a_currency_no_longer_known_still_shows(billing_client):
    customer = make_customer()
    record("balance_transaction.created", customer=customer.public_id, object_id="cbtxn_1",
           data={"amount": 1250, "currency": "XTS", "type": "adjustment"})  # fmt: skip
    response = billing_client.get(customer.get_absolute_url())
    assert response.status_code == 200
    assert "1250 XTS (minor units)" in _section(billing_client, customer)


def _entry_html(client, **params):
    content = client.get(LIST, params).content.decode()
    start = content.index('class="activity-what"')
    return " ".join(content[start : content.index("</p>", start)].split())


def test_entries_name_documents_by_number_and_leave_out_the_pages_own_subject(billing_client):
    record("invoice.finalized", customer="cus_1", invoice="in_1", object_id="in_1",
           data={"number": "INV-7"})  # fmt: skip
    invoice_url = reverse("billing:invoice", args=["in_1"])
    # On the customer's page: the number, linked; no raw IDs.
    on_customer = _entry_html(billing_client, customer="cus_1")
    assert f'<a href="{invoice_url}">INV-7</a>' in on_customer
    assert "in_1</code>" not in on_customer and "cus_1" not in on_customer
    # On the invoice's own page: the number, not linked to the page it is on.
    on_invoice = _entry_html(billing_client, invoice="in_1")
    assert "INV-7" in on_invoice and "href" not in on_invoice
    # On the whole trail: the customer too, by ID (entries keep no names).
    everything = _entry_html(billing_client)
    assert f'href="{reverse("customers:detail", args=["cus_1"])}"' in everything


def test_a_draft_without_a_number_is_linked_by_its_id(billing_client):
    record("invoice.created", customer="cus_1", invoice="in_2", object_id="in_2",
           data={"currency": "usd"})  # fmt: skip
    on_customer = _entry_html(billing_client, customer="cus_1")
    assert f'<a href="{reverse("billing:invoice", args=["in_2"])}"><code>in_2</code></a>' in (
        on_customer
    )


def test_entries_of_what_someone_may_not_see_are_left_out():
    """A custom permission set: customers and the trail, but no invoices or balances."""
    record("customer.updated", customer="cus_1", data={"description": "Profile"})
    record("invoice.finalized", customer="cus_1", invoice="in_1", object_id="in_1",
           data={"number": "INV-7"})  # fmt: skip
    record("balance_transaction.created", customer="cus_1", object_id="cbtxn_1",
           data={"amount": -500, "currency": "usd", "type": "adjustment"})  # fmt: skip
    client = user_with("activity.view_entry", "customers.view_customer")
    content = client.get(LIST, {"customer": "cus_1"}).content.decode()
    assert "Profile" in content
    assert "INV-7" not in content and "Adjustment" not in content
    assert '<option value="invoice"' not in content and '<option value="balance"' not in content
    # Nor by asking for the group.
    assert client.get(LIST, {"customer": "cus_1", "group": "invoice"}).status_code == 400
