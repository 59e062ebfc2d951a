import json

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer, profile_post_data

pytestmark = pytest.mark.django_db
LIST = reverse("customers:list")
ADD = reverse("ledger:customer_add")


def _triggers(response):
    return json.loads(response.headers["HX-Trigger"])


def test_list_shows_50_a_page_with_next_and_previous(billing_client):
    customers = [make_customer() for _ in range(51)]  # newest last
    response = billing_client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert page.count('name="customer"') == 50
    assert customers[0].public_id not in page
    assert f"after={customers[1].public_id}" in page and 'rel="prev"' not in page

    second = billing_client.get(LIST, {"after": customers[1].public_id}).content.decode()
    assert second.count('name="customer"') == 1 and customers[0].public_id in second
    assert f"before={customers[0].public_id}" in second and 'rel="next"' not in second

    back = billing_client.get(LIST, {"before": customers[0].public_id}).content.decode()
    assert back.count('name="customer"') == 50 and 'rel="prev"' not in back


def test_count_is_a_fragment_loaded_after_the_table(billing_client):
    for name in ("Keep", "Keep too", "Drop"):
        make_customer(name=name)
    assert 'hx-get="/customers/count/?' in billing_client.get(LIST).content.decode()
    count = reverse("customers:count")
    assert billing_client.get(count).content.decode() == "3 customers"
    assert billing_client.get(count, {"name": "keep"}).content.decode() == "2 customers"
    assert billing_client.get(count, {"name": "too"}).content.decode() == "1 customer"


def test_list_htmx_returns_only_the_table(billing_client, htmx):
    make_customer(name="Only Me")
    response = billing_client.get(LIST, {"q": "only"}, **htmx)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="customer-table"')
    assert "Only Me" in body and "<html" not in body and 'id="filters"' not in body
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_full_page(billing_client, htmx):
    response = billing_client.get(LIST, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **htmx)
    assert "<html" in response.content.decode()


def test_filters_in_the_url_render_without_javascript(billing_client):
    make_customer(name="Keep", default_currency="EUR")
    make_customer(name="Drop", default_currency="USD")
    page = billing_client.get(LIST, {"currency": "EUR"}).content.decode()
    assert "Keep" in page and "Drop" not in page
    assert '<option selected value="EUR">' in page


def test_bad_filter_shows_an_error_not_a_crash(billing_client):
    response = billing_client.get(LIST, {"metadata": "oops", "after": "cus_nope"})
    assert response.status_code == 200
    assert "Filter metadata as key=value" in response.content.decode()


def test_names_with_html_are_escaped_everywhere(billing_client):
    customer = make_customer(name="<script>alert(1)</script>", metadata={"x": "<b>hi</b>"})
    for url in (LIST, customer.get_absolute_url()):
        page = billing_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>hi</b>" not in billing_client.get(customer.get_absolute_url()).content.decode()


def test_add_dialog_fragment(billing_client, htmx):
    body = billing_client.get(ADD, **htmx).content.decode()
    assert body.lstrip().startswith("<dialog")
    assert "Add customer" in body and "Account email" in body


def test_add_without_javascript_is_a_page(billing_client):
    body = billing_client.get(ADD).content.decode()
    assert "<html" in body and "<dialog" in body and " open" in body


def test_add_customer_via_htmx_closes_dialog_and_refreshes_list(billing_client, htmx):
    response = billing_client.post(
        ADD,
        profile_post_data(metadata="internal_id=7", preferred_locales="fr-CA",
                          **{"tax_ids-0-type": "gb_vat", "tax_ids-0-value": "GB980780684"}),
        **htmx,
    )  # fmt: skip
    assert response.status_code == 204
    triggers = _triggers(response)
    assert {"closeDialog", "customersChanged"} <= set(triggers)
    assert triggers["showMessage"]["text"] == "Added Ada Lovelace."
    customer = Customer.objects.get()
    assert customer.metadata == {"internal_id": "7"}
    assert customer.preferred_locales == ["fr-CA"]
    assert customer.tax_ids.get().value == "GB980780684"


def test_add_without_javascript_redirects_to_the_customer(billing_client):
    response = billing_client.post(ADD, profile_post_data())
    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == customer.get_absolute_url()


def test_invalid_add_keeps_input_and_shows_errors_inline(billing_client, htmx):
    data = profile_post_data(
        email="not-an-email",
        name="Kept Name",
        address_line1="1 Kept St",
        default_currency="ZZZ",
        **{"tax_ids-0-type": "eu_vat", "tax_ids-0-value": "DE123456789"},
    )
    response = billing_client.post(ADD, data, **htmx)
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith("<dialog")
    assert 'value="Kept Name"' in body and 'value="1 Kept St"' in body
    assert "Enter a valid email address." in body
    assert "Select a valid choice. ZZZ is not one of the available choices." in body
    assert "not a valid European VAT number" in body and 'value="DE123456789"' in body
    assert not Customer.objects.exists()


def test_duplicate_email_or_name_needs_create_anyway(billing_client, htmx):
    existing = make_customer(name="Acme", email="Billing@Acme.example")
    response = billing_client.post(
        ADD, profile_post_data(name="Other", email="billing@acme.EXAMPLE"), **htmx
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "This customer may already exist" in body
    assert existing.get_absolute_url() in body and "Create anyway" in body
    assert Customer.objects.count() == 1

    response = billing_client.post(
        ADD, profile_post_data(name="acme", email="new@example.com"), **htmx
    )
    assert "This customer may already exist" in response.content.decode()

    response = billing_client.post(
        ADD, profile_post_data(name="acme", email="new@example.com", create_anyway="1"), **htmx
    )
    assert response.status_code == 204
    assert Customer.objects.count() == 2


def test_deleted_customers_do_not_count_as_duplicates(billing_client, billing_user, htmx):
    from customers.services import customer_delete

    customer_delete(customer=make_customer(name="Gone", email="gone@example.com"),
                    deleted_by=billing_user)  # fmt: skip
    response = billing_client.post(
        ADD, profile_post_data(name="Gone", email="gone@example.com"), **htmx
    )
    assert response.status_code == 204


def test_detail_page_shows_the_profile_and_actions(billing_client):
    customer = make_customer(
        name="Acme", metadata={"internal_id": "42"}, preferred_locales=["fr-CA"],
        address_line1="1 Rue", address_city="Paris", address_country="FR",
        invoice_custom_fields=[{"name": "PO", "value": "7"}],
        tax_ids=[{"type": "eu_vat", "value": "FR61954506077"}],
        contacts=[{"name": "AP", "email": "ap@acme.example"}], aliases=["crm-1"],
    )  # fmt: skip
    body = billing_client.get(customer.get_absolute_url()).content.decode()
    for text in ("Acme", customer.public_id, "internal_id", "42", "fr-CA", "France",
                 "FR61954506077", "ap@acme.example", "crm-1", "PO: 7", "Actions",
                 "Edit information", "Delete customer"):  # fmt: skip
        assert text in body, text


def test_edit_information_updates_the_customer(billing_client, htmx):
    customer = make_customer(name="Old", aliases=["crm-1"])
    data = profile_post_data(name="New", email=customer.email,
                             invoice_prefix=customer.invoice_prefix)  # fmt: skip
    data.update({"aliases-TOTAL_FORMS": "2", "aliases-INITIAL_FORMS": "1",
                 "aliases-0-alias": "crm-1", "aliases-1-alias": "crm-2"})  # fmt: skip
    url = reverse("customers:edit", args=[customer.public_id])
    assert "Update customer" in billing_client.get(url, **htmx).content.decode()
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 200 and response.headers["HX-Refresh"] == "true"
    customer.refresh_from_db()
    assert customer.name == "New"
    assert sorted(customer.aliases.values_list("alias", flat=True)) == ["crm-1", "crm-2"]


def test_edit_can_remove_a_row(billing_client):
    customer = make_customer(aliases=["crm-1"])
    data = profile_post_data(name=customer.name, email=customer.email,
                             invoice_prefix=customer.invoice_prefix)  # fmt: skip
    data.update({"aliases-INITIAL_FORMS": "1", "aliases-0-alias": "crm-1",
                 "aliases-0-DELETE": "on"})  # fmt: skip
    response = billing_client.post(reverse("customers:edit", args=[customer.public_id]), data)
    assert response.status_code == 302
    assert not customer.aliases.exists()


def test_invalid_edit_changes_nothing(billing_client, htmx):
    customer = make_customer(name="Same")
    data = profile_post_data(name="Changed", email="bad", invoice_prefix=customer.invoice_prefix)
    url = reverse("customers:edit", args=[customer.public_id])
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 422 and 'value="Changed"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "Same"


def test_delete_customer_from_details(billing_client, billing_user, htmx):
    customer = make_customer()
    url = reverse("customers:delete", args=[customer.public_id])
    assert "Delete customer" in billing_client.get(url, **htmx).content.decode()
    response = billing_client.post(url, **htmx)
    assert response.headers["HX-Redirect"] == LIST
    customer.refresh_from_db()
    assert customer.deleted_by == billing_user
    assert billing_client.get(customer.get_absolute_url()).status_code == 404
    edit = reverse("customers:edit", args=[customer.public_id])
    assert billing_client.get(edit).status_code == 404


def test_bulk_delete_confirms_with_the_count_then_deletes(billing_client, htmx):
    first, second, kept = make_customer(), make_customer(), make_customer()
    url = reverse("customers:bulk_delete")
    ids = [first.public_id, second.public_id]
    response = billing_client.post(url, {"customer": ids}, **htmx)
    body = response.content.decode()
    assert "Delete 2 customers?" in body
    assert Customer.objects.live().count() == 3

    response = billing_client.post(url, {"customer": ids, "confirm": "1"}, **htmx)
    assert response.status_code == 204
    assert _triggers(response)["showMessage"]["text"] == "Deleted 2 customers."
    assert list(Customer.objects.live()) == [kept]


def test_bulk_delete_with_nothing_selected_says_so(billing_client):
    response = billing_client.post(reverse("customers:bulk_delete"), {"confirm": "1"})
    assert "Select at least one customer to delete." in response.content.decode()


def test_bulk_delete_is_post_only(billing_client):
    assert billing_client.get(reverse("customers:bulk_delete")).status_code == 405


def test_bulk_delete_button_works_without_javascript(billing_client):
    make_customer()
    page = billing_client.get(LIST).content.decode()
    button = page[page.index('id="bulk-delete"') - 60 : page.index('id="bulk-delete"') + 200]
    assert "disabled" not in button


def test_a_deleted_customers_page_says_who_deleted_it_and_when(billing_client, billing_user):
    from customers.services import customer_delete
    from tests.factories import make_invoice

    customer = make_customer(name="Gone Ltd")
    invoice = make_invoice(customer, 5000, finalize=True)
    customer_delete(customer=customer, deleted_by=billing_user)
    customer.refresh_from_db()
    # The invoice still links to the customer's page.
    assert (
        customer.get_absolute_url()
        in billing_client.get(invoice.get_absolute_url()).content.decode()
    )
    response = billing_client.get(customer.get_absolute_url())
    assert response.status_code == 404
    page = response.content.decode()
    when = f"{customer.deleted_at:%-d %B %Y}"
    assert f"was deleted on {when}" in page and f"by {billing_user.username}" in page
    assert "Their invoices, credit notes and balance are kept" in page
    assert "Restore customer" in page  # billing staff may restore


def test_without_the_restore_permission_the_deleted_page_offers_no_restore(ops_client):
    from customers.services import customer_delete

    customer = make_customer(name="Gone Ltd")
    customer_delete(customer=customer, deleted_by=None)
    page = ops_client.get(customer.get_absolute_url()).content.decode()
    assert "This customer was deleted" in page and "Restore customer" not in page
    restore = reverse("customers:restore", args=[customer.public_id])
    assert ops_client.post(restore).status_code == 403


def test_restore_from_the_deleted_page_brings_the_customer_back(support_client):
    from customers.services import customer_delete

    customer = make_customer(name="Gone Ltd")
    customer_delete(customer=customer, deleted_by=None)
    response = support_client.post(reverse("customers:restore", args=[customer.public_id]))
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    customer.refresh_from_db()
    assert customer.deleted_at is None
    page = support_client.get(response.url)
    assert page.status_code == 200 and "Restored Gone Ltd." in page.content.decode()


def test_restoring_a_live_customer_is_a_404(support_client):
    customer = make_customer(name="Here")
    response = support_client.post(reverse("customers:restore", args=[customer.public_id]))
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["billing:customer_billing", "ledger:credit_balance"])
def test_a_deleted_customers_billing_and_balance_pages_say_it_was_deleted(billing_client, page):
    from customers.services import customer_delete

    customer = make_customer(name="Gone Ltd")
    customer_delete(customer=customer, deleted_by=None)
    response = billing_client.get(reverse(page, args=[customer.public_id]))
    assert response.status_code == 404
    assert "This customer was deleted" in response.content.decode()
    unknown = billing_client.get(reverse(page, args=["cus_doesnotexist"]))
    assert unknown.status_code == 404 and "was deleted" not in unknown.content.decode()


def test_delete_confirmation_warns_of_open_invoices_and_balance(billing_client, htmx):
    from ledger.services import balance_adjust
    from tests.factories import make_invoice

    customer = make_customer(name="Owing", default_currency="USD")
    make_invoice(customer, 5000, finalize=True)
    make_invoice(customer, 2500, finalize=True)
    make_invoice(customer, 700, currency="EUR", finalize=True)
    make_invoice(customer, 900)  # a draft is not open
    balance_adjust(customer=customer, amount=-1000, currency="USD", idempotency_key="k1")
    url = reverse("customers:delete", args=[customer.public_id])
    dialog = billing_client.get(url, **htmx).content.decode()
    assert "What stays open" in dialog
    assert "3 open invoices, still to be paid: €7.00, $75.00." in dialog
    assert "A credit balance of $10.00 stays on the account" in dialog


def test_delete_confirmation_without_anything_open_has_no_warning(billing_client, htmx):
    customer = make_customer(name="Clean")
    url = reverse("customers:delete", args=[customer.public_id])
    assert "What stays open" not in billing_client.get(url, **htmx).content.decode()


def test_bulk_delete_confirmation_sums_what_stays_open(billing_client, htmx):
    from ledger.services import balance_adjust
    from tests.factories import make_invoice

    first = make_customer(name="First", default_currency="USD")
    second = make_customer(name="Second", default_currency="USD")
    make_invoice(first, 5000, finalize=True)
    make_invoice(second, 2500, finalize=True)
    balance_adjust(customer=second, amount=300, currency="USD", idempotency_key="k2")
    data = {"customer": [first.public_id, second.public_id]}
    dialog = billing_client.post(reverse("customers:bulk_delete"), data, **htmx)
    text = dialog.content.decode()
    assert "2 open invoices, still to be paid: $75.00." in text
    assert "A balance of $3.00 owed by the customers stays unpaid." in text


def test_an_unknown_customer_is_the_plain_404_page(billing_client):
    response = billing_client.get(reverse("customers:detail", args=["cus_doesnotexist"]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
