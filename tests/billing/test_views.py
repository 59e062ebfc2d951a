import csv
import io

import pytest
from django.urls import reverse

from billing.models import CreditNote, Invoice, InvoiceItem, InvoiceStatus
from customers.models import Customer
from tests.factories import (
    adjust,
    balance_of,
    make_coupon,
    make_customer,
    make_invoice,
    make_item,
    make_tax_rate,
)

pytestmark = pytest.mark.django_db


# The customer page


def test_customer_page_shows_pending_items_and_invoices(billing_client):
    customer = make_customer(default_currency="USD")
    make_item(customer, 1250, description="Setup fee")
    invoice = make_invoice(customer, 5000, finalize=True)
    make_item(customer, 990, "CAD", description="Support hours")
    response = billing_client.get(customer.get_absolute_url())
    body = response.content.decode()
    assert "Pending invoice items" in body
    assert "Support hours" in body and "CA$9.90" in body
    assert invoice.number in body
    assert "Create invoice" in body


def test_support_sees_billing_but_cannot_act(support_client):
    customer = make_customer()
    make_item(customer, 1000, description="Setup fee")
    body = support_client.get(customer.get_absolute_url()).content.decode()
    assert "Setup fee" in body
    assert "Create invoice" not in body and "Add item" not in body
    assert (
        support_client.get(reverse("billing:item_add", args=[customer.public_id])).status_code
        == 403
    )
    post = support_client.post(reverse("billing:customer_invoice_new", args=[customer.public_id]))
    assert post.status_code == 403


def test_billing_section_fragment_for_htmx(billing_client, htmx):
    customer = make_customer()
    url = reverse("billing:customer_billing", args=[customer.public_id])
    body = billing_client.get(url, **htmx).content.decode()
    assert body.lstrip().startswith('<section class="card billing"')
    assert "<html" not in body


def test_add_item_dialog_parses_the_amount_exactly(billing_client, htmx):
    customer = make_customer(default_currency="KWD")
    rate = make_tax_rate("5")
    url = reverse("billing:item_add", args=[customer.public_id])
    response = billing_client.post(
        url,
        {"description": "Hosting", "quantity": "3", "unit_amount": "1.235", "currency": "KWD",
         "tax_rates": [rate.pk], "discountable": "on"},
        **htmx,
    )  # fmt: skip
    assert response.status_code == 204
    assert "billingChanged" in response["HX-Trigger"]
    item = InvoiceItem.objects.get(customer=customer)
    assert (item.unit_amount, item.amount, item.currency) == (1235, 3705, "KWD")
    assert list(item.tax_rates.all()) == [rate]


def test_add_item_errors_keep_the_input(billing_client, htmx):
    customer = make_customer(default_currency="JPY")
    url = reverse("billing:item_add", args=[customer.public_id])
    data = {"description": "Hosting", "quantity": "1", "unit_amount": "10.5", "currency": "JPY"}
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 422
    body = response.content.decode()
    assert "JPY has no minor unit" in body
    assert 'value="10.5"' in body and 'value="Hosting"' in body
    assert not InvoiceItem.objects.exists()


def test_delete_pending_item(billing_client, htmx):
    customer = make_customer()
    item = make_item(customer, 1000)
    url = reverse("billing:item_delete", args=[customer.public_id, item.public_id])
    assert billing_client.get(url).status_code == 405
    assert billing_client.post(url, **htmx).status_code == 204
    assert not InvoiceItem.objects.exists()


def test_create_invoice_dialog_offers_default_and_pending_currencies(billing_client):
    customer = make_customer(default_currency="USD", payment_terms_days=14)
    make_item(customer, 1000, "CAD")
    url = reverse("billing:customer_invoice_new", args=[customer.public_id])
    body = billing_client.get(url).content.decode()
    assert '<option value="USD" selected>' in body and '<option value="CAD">' in body
    assert '<option value="EUR">' not in body
    assert 'value="14"' in body


def test_create_invoice_takes_only_items_in_its_currency(billing_client, htmx):
    customer = make_customer(default_currency="USD")
    usd = make_item(customer, 1000, "USD")
    cad = make_item(customer, 2000, "CAD")
    url = reverse("billing:customer_invoice_new", args=[customer.public_id])
    response = billing_client.post(url, {"currency": "CAD", "days_until_due": "30"}, **htmx)
    invoice = Invoice.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == invoice.get_absolute_url()
    assert list(invoice.lines.all()) == [cad]
    usd.refresh_from_db()
    assert usd.invoice is None


def test_invoice_page_lifecycle_finalize_then_pay(billing_client, htmx):
    customer = make_customer(default_currency="USD", invoice_prefix="ACME")
    invoice = make_invoice(customer, 5000)
    page = billing_client.get(invoice.get_absolute_url()).content.decode()
    assert "Draft invoice" in page and "Finalize" in page and "$50.00" in page
    url = reverse("billing:invoice_finalize", args=[invoice.public_id])
    assert "Finalizing numbers the invoice" in billing_client.get(url, **htmx).content.decode()
    response = billing_client.post(url, **htmx)
    assert response.status_code == 204 and "invoiceChanged" in response["HX-Trigger"]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == ("open", "ACME-0001")
    pay = billing_client.post(reverse("billing:invoice_mark_paid", args=[invoice.public_id]))
    assert pay.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.amount_remaining == 0


def test_refused_transition_shows_the_reason(billing_client, htmx):
    invoice = make_invoice(None, 5000)
    url = reverse("billing:invoice_mark_paid", args=[invoice.public_id])
    response = billing_client.post(url, **htmx)
    assert response.status_code == 422
    assert "A draft invoice cannot become paid." in response.content.decode()


def test_unknown_action_is_404(billing_client):
    invoice = make_invoice(None, 5000)
    url = reverse("billing:invoice", args=[invoice.public_id]) + "explode/"
    assert billing_client.post(url).status_code == 404


def test_add_and_remove_a_draft_line(billing_client, htmx):
    invoice = make_invoice(None, 1000, currency="EUR")
    url = reverse("billing:line_add", args=[invoice.public_id])
    data = {"description": "Extra", "quantity": "2", "unit_amount": "2.50"}
    assert billing_client.post(url, data, **htmx).status_code == 204
    invoice.refresh_from_db()
    assert invoice.total == 1500
    line = invoice.lines.get(description="Extra")
    remove = reverse("billing:item_delete", args=[invoice.customer.public_id, line.public_id])
    assert billing_client.post(remove, **htmx).status_code == 204
    invoice.refresh_from_db()
    assert invoice.total == 1000


def test_a_line_over_the_invoice_maximum_is_refused_in_the_dialog(
    billing_client, htmx, monkeypatch
):
    monkeypatch.setattr("billing.services.invoices.MAX_INVOICE_TOTAL", 100_000)
    invoice = make_invoice(None, 60_000)
    url = reverse("billing:line_add", args=[invoice.public_id])
    data = {"description": "Extra", "quantity": "1", "unit_amount": "500.00"}
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 422
    assert "An invoice totals at most $1,000.00" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.total == 60_000


def test_edit_draft_with_coupon(billing_client, htmx):
    invoice = make_invoice(None, 10000)
    coupon = make_coupon(percent_off="10")
    url = reverse("billing:invoice_edit", args=[invoice.public_id])
    data = {"days_until_due": "7", "coupon": coupon.pk, "memo": "Thanks", "footer": ""}
    assert billing_client.post(url, data, **htmx).status_code == 204
    invoice.refresh_from_db()
    assert (invoice.discount, invoice.total, invoice.memo) == (1000, 9000, "Thanks")


def test_delete_draft_returns_lines_to_pending(billing_client):
    invoice = make_invoice(None, 1000)
    url = reverse("billing:invoice_delete", args=[invoice.public_id])
    response = billing_client.post(url)
    assert response.status_code == 302 and response.url == invoice.customer.get_absolute_url()
    assert not Invoice.objects.exists()
    assert InvoiceItem.objects.get().invoice is None


def test_issue_credit_note_to_thebalance_of(billing_client, htmx):
    customer = make_customer(default_currency="CAD")
    invoice = make_invoice(customer, 5000, currency="CAD", finalize=True)
    from billing.services import invoice_mark_paid

    invoice_mark_paid(invoice=invoice)
    url = reverse("billing:credit_note_new", args=[invoice.public_id])
    form = billing_client.get(url, **htmx).content.decode()
    key = form.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {"reason": "duplicate", "credit": "amount", "amount": "10", "credit_amount": "10",
            "idempotency_key": key}  # fmt: skip
    assert billing_client.post(url, data, **htmx).status_code == 204
    assert billing_client.post(url, data, **htmx).status_code == 204  # a double click
    note = CreditNote.objects.get()
    assert (note.amount, note.credit_amount, note.number) == (1000, 1000, f"{invoice.number}-CN-01")
    assert balance_of(customer, "CAD") == -1000


def test_credit_note_allocation_must_add_up(billing_client, htmx):
    invoice = make_invoice(None, 5000, finalize=True)
    from billing.services import invoice_mark_paid

    invoice_mark_paid(invoice=invoice)
    url = reverse("billing:credit_note_new", args=[invoice.public_id])
    data = {"credit": "amount", "amount": "10", "credit_amount": "4", "refund_amount": "5",
            "idempotency_key": "0" * 8 + "-0000-0000-0000-" + "0" * 12}  # fmt: skip
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 422
    assert "must add up to $10.00" in response.content.decode()
    assert not CreditNote.objects.exists()


def test_credit_note_by_lines(billing_client, htmx):
    invoice = make_invoice(None, 3000, 2000, finalize=True)
    first, second = invoice.lines.all()
    url = reverse("billing:credit_note_new", args=[invoice.public_id])
    data = {"credit": "lines", f"line_{second.public_id}": "20.00",
            "idempotency_key": "1" * 8 + "-1111-1111-1111-" + "1" * 12}  # fmt: skip
    assert billing_client.post(url, data, **htmx).status_code == 204
    invoice.refresh_from_db()
    assert invoice.amount_remaining == 3000
    assert CreditNote.objects.get().lines.get().invoice_line == second


def test_void_credit_note_page(billing_client, htmx):
    customer = make_customer()
    invoice = make_invoice(customer, 5000, finalize=True)
    from billing.services import credit_note_issue

    note = credit_note_issue(invoice=invoice, amount=1000)
    page = billing_client.get(note.get_absolute_url()).content.decode()
    assert note.number in page and "Void credit note" in page
    url = reverse("billing:credit_note_void", args=[note.public_id])
    assert billing_client.post(url, **htmx).status_code == 204
    invoice.refresh_from_db()
    assert invoice.amount_remaining == 5000


def test_a_refund_beyond_what_was_paid_is_refused_beside_its_field(billing_client, htmx):
    from billing.services import invoice_mark_paid

    customer = make_customer()
    adjust(customer, -3000)
    invoice = invoice_mark_paid(invoice=make_invoice(customer, 5000, finalize=True))
    url = reverse("billing:credit_note_new", args=[invoice.public_id])
    form = billing_client.get(url, **htmx).content.decode()
    assert "$20.00</strong> paid out of band can be refunded" in form
    data = {"credit": "amount", "amount": "25", "refund_amount": "25",
            "idempotency_key": "2" * 8 + "-2222-2222-2222-" + "2" * 12}  # fmt: skip
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 422
    body = response.content.decode()
    field = body.split('id="id_refund_amount_error"')[1].split("</ul>")[0]
    assert "At most $20.00 can still be refunded on this invoice" in field
    assert 'name="refund_amount" value="25"' in body and 'name="amount" value="25"' in body
    assert not CreditNote.objects.exists()


def test_a_paid_invoices_credit_note_offers_no_void(billing_client, htmx):
    from billing.services import credit_note_issue, invoice_mark_paid

    invoice = invoice_mark_paid(invoice=make_invoice(None, 5000, finalize=True))
    note = credit_note_issue(invoice=invoice, amount=1000, refund_amount=1000)
    page = billing_client.get(note.get_absolute_url()).content.decode()
    assert "Void credit note" not in page
    assert f"Invoice {invoice.number} is paid: its credit notes can no longer be voided" in page
    url = reverse("billing:credit_note_void", args=[note.public_id])
    dialog = billing_client.get(url, **htmx).content.decode()
    assert "can no longer be voided" in dialog and 'type="submit"' not in dialog
    response = billing_client.post(url, **htmx)
    assert response.status_code == 422
    assert "can no longer be voided" in response.content.decode()
    note.refresh_from_db()
    assert note.status == "issued"


# The Invoices page


def test_invoices_page_filters(billing_client, htmx):
    usd = make_invoice(make_customer(email="a@example.com"), 1000, finalize=True)
    eur = make_invoice(None, 2000, currency="EUR")
    page = billing_client.get(reverse("billing:invoices")).content.decode()
    assert usd.number in page and eur.public_id in page
    cases = [
        ({"status": "draft"}, eur, usd),
        ({"currency": "USD"}, usd, eur),
        ({"customer": "A@example.com"}, usd, eur),
        ({"customer": eur.customer.public_id}, eur, usd),
        ({"number": usd.number[:5].lower()}, usd, eur),
    ]
    for params, shown, hidden in cases:
        body = billing_client.get(reverse("billing:invoices"), params, **htmx).content.decode()
        assert shown.public_id in body or shown.number in body, params
        assert hidden.public_id not in body, params
        assert not hidden.number or hidden.number not in body, params
        assert "<html" not in body


def test_invoices_page_pages_with_keyset(billing_client, monkeypatch):
    customer = make_customer()
    oldest, middle, newest = [make_invoice(customer, 1000) for _ in range(3)]
    monkeypatch.setattr("billing.selectors.PAGE_SIZE", 2)
    body = billing_client.get(reverse("billing:invoices")).content.decode()
    assert newest.public_id in body and middle.public_id in body
    assert oldest.public_id not in body
    body = billing_client.get(reverse("billing:invoices"), {"after": middle.public_id}).content
    assert oldest.public_id in body.decode() and 'rel="prev"' in body.decode()


def test_invoice_export_csv_uses_the_filters_and_neutralises(ops_client):
    customer = make_customer(name="=HYPERLINK(1)")
    kept = make_invoice(customer, 123456, currency="JPY", finalize=True)
    make_invoice(None, 1000, currency="USD")
    response = ops_client.get(reverse("billing:invoice_export"), {"currency": "JPY"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["number"] for row in rows] == [kept.number]
    assert rows[0]["customer_name"] == "'=HYPERLINK(1)"
    assert rows[0]["total"] == "123456" and rows[0]["currency"] == "JPY"


def test_export_needs_its_permission(support_client):
    assert support_client.get(reverse("billing:invoice_export")).status_code == 403


def test_create_invoice_for_a_customer_found_by_email(billing_client, htmx):
    customer = make_customer(email="Found@Example.com")
    url = reverse("billing:invoice_new")
    data = {"customer": "found@example.com", "currency": "EUR", "days_until_due": "30"}
    response = billing_client.post(url, data, **htmx)
    invoice = Invoice.objects.get()
    assert response["HX-Redirect"] == invoice.get_absolute_url()
    assert (invoice.customer, invoice.currency) == (customer, "EUR")


def test_create_invoice_with_a_new_customer_in_place(billing_client, htmx):
    url = reverse("billing:invoice_new")
    data = {"new-name": "Grace Hopper", "new-email": "grace@example.com",
            "new-default_currency": "GBP", "currency": "GBP", "days_until_due": "30"}  # fmt: skip
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 200
    customer = Customer.objects.get(email="grace@example.com")
    assert Invoice.objects.get().customer == customer


def test_create_invoice_without_customer_keeps_input(billing_client, htmx):
    url = reverse("billing:invoice_new")
    data = {"customer": "nobody@example.com", "currency": "EUR", "days_until_due": "12"}
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 422
    body = response.content.decode()
    assert "No customer has the ID or email “nobody@example.com”." in body
    assert 'value="nobody@example.com"' in body and 'value="12"' in body
    assert not Invoice.objects.exists()


def test_billing_defaults_dialog_sets_tax_rates_and_coupon(billing_client, htmx):
    customer = make_customer()
    rate = make_tax_rate("8")
    coupon = make_coupon(amount_off=500, currency="USD", duration="forever")
    url = reverse("billing:customer_defaults", args=[customer.public_id])
    data = {"tax_rates": [rate.pk], "coupon": coupon.pk}
    assert billing_client.post(url, data, **htmx).status_code == 204
    invoice = make_invoice(customer, 10000)
    assert (invoice.discount, invoice.tax, invoice.total) == (500, 760, 10260)


def test_credit_shows_on_customer_page_after_invoice_applies_it(billing_client):
    customer = make_customer(default_currency="USD")
    adjust(customer, -2000)
    invoice = make_invoice(customer, 5000, finalize=True)
    body = billing_client.get(invoice.get_absolute_url()).content.decode()
    assert "Applied credit balance" in body and "−$20.00" in body
    assert invoice.amount_due == 3000


def test_create_invoice_defaults_to_the_customers_currency_and_terms(billing_client, htmx):
    customer = make_customer(default_currency="SEK", payment_terms_days=10)
    url = reverse("billing:invoice_new")
    data = {"customer": customer.public_id, "currency": "", "days_until_due": ""}
    assert billing_client.post(url, data, **htmx).status_code == 200
    invoice = Invoice.objects.get()
    assert (invoice.currency, invoice.days_until_due) == ("SEK", 10)


def test_mixed_default_tax_rates_are_an_error_in_the_dialog(billing_client, htmx):
    customer = make_customer()
    rates = [make_tax_rate("10", inclusive=True), make_tax_rate("5")]
    url = reverse("billing:customer_defaults", args=[customer.public_id])
    response = billing_client.post(url, {"tax_rates": [r.pk for r in rates]}, **htmx)
    assert response.status_code == 422
    assert "all inclusive or all exclusive" in response.content.decode()


def test_a_new_customer_is_not_kept_when_its_invoice_cannot_be_made(billing_client, htmx):
    url = reverse("billing:invoice_new")
    data = {"new-name": "No Currency Ltd", "new-email": "nc@example.com", "currency": "",
            "days_until_due": ""}  # fmt: skip
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 422
    assert "Choose the invoice currency" in response.content.decode()
    assert not Customer.objects.filter(email="nc@example.com").exists()


def test_removing_a_line_of_an_issued_invoice_is_refused_with_a_message(billing_client, htmx):
    invoice = make_invoice(None, 1000, finalize=True)
    line = invoice.lines.get()
    url = reverse("billing:item_delete", args=[invoice.customer.public_id, line.public_id])
    response = billing_client.post(url, **htmx)
    assert response.status_code == 204
    assert "Only a draft invoice can be changed" in response["HX-Trigger"]
    response = billing_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == invoice.get_absolute_url()
    assert "Only a draft invoice can be changed" in response.content.decode()
    assert InvoiceItem.objects.filter(pk=line.pk).exists()


# Who sees which action


def _client_with(*codenames):
    from django.contrib.auth.models import Permission
    from django.test import Client

    from tests.factories import make_user

    user = make_user(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="billing", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def test_delete_draft_shows_for_whoever_may_delete_even_without_change():
    invoice = make_invoice(None, 1000)
    client = _client_with("view_invoice", "delete_invoice")
    body = client.get(invoice.get_absolute_url()).content.decode()
    assert "Delete draft" in body
    assert "Edit draft" not in body


def test_delete_draft_hides_from_whoever_may_change_but_not_delete():
    invoice = make_invoice(None, 1000)
    client = _client_with("view_invoice", "change_invoice")
    body = client.get(invoice.get_absolute_url()).content.decode()
    assert "Edit draft" in body
    assert "Delete draft" not in body


# Without JavaScript, and the export's refusal


def test_without_htmx_a_saved_draft_edit_redirects_and_the_page_says_so(billing_client):
    invoice = make_invoice(None, 1000)
    url = reverse("billing:invoice_edit", args=[invoice.public_id])
    data = {"days_until_due": "7", "coupon": "", "memo": "Thanks", "footer": ""}
    response = billing_client.post(url, data)
    assert response.status_code == 302 and response.url == invoice.get_absolute_url()
    assert "Draft updated." in billing_client.get(response.url).content.decode()


def test_invoice_export_with_invalid_filters_is_refused(ops_client):
    response = ops_client.get(reverse("billing:invoice_export"), {"status": "no-such-status"})
    assert response.status_code == 400
    assert "Fix the filters before exporting." in response.content.decode()


# Offer only what the services accept (issue 16)


def test_create_invoice_for_a_customer_without_a_currency_asks_for_one(billing_client, htmx):
    customer = make_customer(default_currency="")
    url = reverse("billing:customer_invoice_new", args=[customer.public_id])
    body = billing_client.get(url, **htmx).content.decode()
    assert "The customer&#x27;s currency" not in body and "The customer's currency" not in body
    assert '<option value="" selected>Choose a currency</option>' in body
    response = billing_client.post(url, {"currency": ""}, **htmx)
    assert response.status_code == 422 and "This field is required." in response.content.decode()
    assert not Invoice.objects.exists()


def test_create_invoice_offers_the_customers_currency_when_it_has_one(billing_client, htmx):
    customer = make_customer(default_currency="EUR")
    make_item(customer, 1000, "CAD")
    url = reverse("billing:customer_invoice_new", args=[customer.public_id])
    body = billing_client.get(url, **htmx).content.decode()
    assert '<option value="EUR" selected>' in body and '<option value="CAD">' in body
    assert "Choose a currency" not in body


def test_void_is_offered_only_on_an_invoice_without_issued_credit_notes(billing_client):
    from billing.services.credit_notes import credit_note_issue

    customer = make_customer(default_currency="USD")
    invoice = make_invoice(customer, 5000, finalize=True)
    void_url = reverse("billing:invoice_void", args=[invoice.public_id])
    assert void_url in billing_client.get(invoice.get_absolute_url()).content.decode()
    credit_note_issue(invoice=invoice, amount=500)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and not invoice.can_void
    assert void_url not in billing_client.get(invoice.get_absolute_url()).content.decode()
