"""The activity of a customer's pending items and of the coupon its drafts take: a pending
item added, changed or removed, the items a draft bills and gives back, and a once-only
coupon taken from the customer and given back are each on the customer's activity."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity import exports
from activity.models import Entry
from billing import services
from billing.models import CustomerCoupon, InvoiceItem
from billing.services.items import item_update
from tests.factories import make_coupon, make_customer, make_invoice, make_item, make_tax_rate

pytestmark = pytest.mark.django_db


def _entries(kind, customer):
    return list(Entry.objects.filter(kind=kind, customer=customer.public_id).order_by("id"))


def _coupon_changes(customer):
    entries = _entries("customer.updated", customer)
    return [(c["old"], c["new"]) for entry in entries for c in entry.data["changes"]]


def test_a_pending_item_added_and_removed_through_the_page_is_on_the_customers_activity(
    billing_client, billing_user, htmx
):
    customer = make_customer(default_currency="EUR")
    url = reverse("billing:item_add", args=[customer.public_id])
    data = {"description": "Setup", "quantity": "2", "unit_amount": "2.50", "currency": "EUR"}
    response = billing_client.post(url, data, **htmx)
    assert response.status_code == 204, response.content.decode()[:2000]
    item = InvoiceItem.objects.get(customer=customer)
    remove = reverse("billing:item_delete", args=[customer.public_id, item.public_id])
    assert billing_client.post(remove, **htmx).status_code == 204

    (added,) = _entries("invoiceitem.created", customer)
    (removed,) = _entries("invoiceitem.deleted", customer)
    line = {"description": "Setup", "quantity": 2, "unit_amount": 250, "amount": 500,
            "discountable": False, "tax_rates": []}  # fmt: skip
    assert added.data == {"item": line, "currency": "EUR"}
    assert removed.data == {"item": line, "currency": "EUR"}
    for entry in (added, removed):
        assert (entry.object_id, entry.invoice) == (item.public_id, "")
        assert (entry.source, entry.user) == ("page", billing_user)
    assert exports.description(added.kind, added.data) == "Pending item added · Setup × 2, €5.00"


def test_a_pending_items_changes_are_recorded_with_their_values_before_and_after():
    customer = make_customer()
    item = make_item(customer, 1000, tax_rates=[make_tax_rate("20")])
    item_update(item=item, quantity=3)
    item_update(item=item, quantity=3)  # unchanged: no entry
    (entry,) = _entries("invoiceitem.updated", customer)
    assert entry.object_id == item.public_id
    assert entry.data == {
        "description": "Consulting",
        "changes": [
            {"field": "quantity", "label": "Quantity", "old": 1, "new": 3},
            {"field": "amount", "label": "Amount", "old": 1000, "new": 3000, "money": True},
        ],
        "currency": "USD",
    }


def test_a_pending_item_change_that_is_refused_records_nothing():
    customer = make_customer()
    item = make_item(customer, 1000)
    with pytest.raises(ValidationError):
        item_update(item=item, unit_amount=-5)
    assert _entries("invoiceitem.updated", customer) == []


def test_a_draft_says_how_many_pending_items_it_bills_and_gives_back_when_deleted():
    customer = make_customer()
    invoice = make_invoice(customer, 1000, 2000)
    (created,) = _entries("invoice.created", customer)
    assert created.data == {"currency": "USD", "counts": {"pending items billed": 2}}
    services.invoice_delete(invoice=invoice)
    (deleted,) = _entries("invoice.deleted", customer)
    assert deleted.data == {"currency": "USD", "counts": {"lines made pending again": 2}}


def test_a_once_only_coupon_taken_by_a_draft_and_given_back_is_a_customer_update():
    customer = make_customer()
    coupon = make_coupon(percent_off="10", name="Launch")
    services.customer_coupon_set(customer=customer, coupon=coupon)
    invoice = make_invoice(customer, 1000)
    assert invoice.coupon == coupon and not CustomerCoupon.objects.exists()
    services.invoice_delete(invoice=invoice)
    assert CustomerCoupon.objects.get().coupon == coupon
    assert _coupon_changes(customer) == [("", "Launch"), ("Launch", ""), ("", "Launch")]


def test_a_forever_coupon_stays_with_the_customer_and_records_nothing_more():
    customer = make_customer()
    services.customer_coupon_set(
        customer=customer, coupon=make_coupon(percent_off="10", name="VIP", duration="forever")
    )
    make_invoice(customer, 1000)
    assert _coupon_changes(customer) == [("", "VIP")]


def test_choosing_the_customers_once_only_coupon_on_a_draft_takes_it_from_the_customer():
    customer = make_customer()
    invoice = make_invoice(customer, 1000)
    coupon = make_coupon(percent_off="10", name="Launch")
    services.customer_coupon_set(customer=customer, coupon=coupon)
    services.invoice_update(invoice=invoice, coupon=coupon)
    assert not CustomerCoupon.objects.exists()
    services.invoice_update(invoice=invoice, coupon=None)  # gives it back
    assert _coupon_changes(customer) == [("", "Launch"), ("Launch", ""), ("", "Launch")]


def test_a_rate_taken_from_all_its_customers_is_recorded_for_each():
    rate, customers = make_tax_rate("20"), [make_customer(), make_customer()]
    services.tax_rate_default_for_set(tax_rate=rate, customers=customers)
    services.tax_rate_default_for_set(tax_rate=rate, customers=[])
    assert not rate.default_for.exists()
    for customer in customers:
        entries = _entries("customer.updated", customer)
        assert [e.data["changes"][0]["new"] for e in entries] == [[str(rate)], []]


def test_the_customers_activity_section_shows_its_pending_items(billing_client):
    customer = make_customer()
    item = make_item(customer, 1250, description="Setup fee")
    item_update(item=item, quantity=2)
    page = billing_client.get(reverse("customers:detail", args=[customer.public_id]))
    text = page.content.decode()
    assert "Pending item added" in text and "Setup fee × 1, $12.50" in text
    assert (
        "Pending item changed" in text and "Amount: <del>$12.50</del> → <ins>$25.00</ins>" in text
    )
    invoices = billing_client.get(
        reverse("activity:list"), {"customer": customer.public_id, "group": "invoice"}
    )
    assert invoices.content.decode().count('class="activity-entry"') == 2
