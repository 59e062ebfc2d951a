"""Drafts before they are issued: which currencies, the customer's coupon, the seller."""

import pytest
from django.core.exceptions import ValidationError

from billing.models import CustomerCoupon
from billing.services import (
    customer_billing_defaults_set,
    invoice_create,
    invoice_delete,
    invoice_finalize,
    invoice_update,
    item_delete,
)
from customers.models import LegalEntity
from customers.services import customer_update
from tests.factories import make_coupon, make_customer, make_invoice, make_item, make_tax_rate

pytestmark = pytest.mark.django_db


def test_invoice_currency_is_the_customers_or_one_with_pending_items():
    customer = make_customer(default_currency="USD")
    make_item(customer, 1000, "CAD")
    assert invoice_create(customer=customer, currency="CAD").currency == "CAD"
    assert invoice_create(customer=customer).currency == "USD"
    with pytest.raises(ValidationError, match="USD"):
        invoice_create(customer=customer, currency="EUR")


def test_a_customer_without_currency_or_items_can_be_billed_in_any_currency():
    customer = make_customer(default_currency="")
    assert invoice_create(customer=customer, currency="NOK").currency == "NOK"
    with pytest.raises(ValidationError, match="Choose the invoice currency"):
        invoice_create(customer=customer)


def _with_once_coupon():
    customer = make_customer()
    coupon = make_coupon(percent_off="10", duration="once")
    CustomerCoupon.objects.create(customer=customer, coupon=coupon)
    return customer, coupon


def test_deleting_a_draft_gives_the_once_coupon_back():
    customer, coupon = _with_once_coupon()
    draft = make_invoice(customer, 1000)
    assert draft.coupon == coupon
    assert not CustomerCoupon.objects.filter(customer=customer).exists()
    invoice_delete(invoice=draft)
    assert CustomerCoupon.objects.get(customer=customer).coupon == coupon


def test_changing_a_drafts_coupon_gives_the_once_coupon_back():
    customer, coupon = _with_once_coupon()
    draft = make_invoice(customer, 1000)
    invoice_update(invoice=draft, memo="", footer="", days_until_due=30, coupon=None)
    assert CustomerCoupon.objects.get(customer=customer).coupon == coupon
    draft.refresh_from_db()
    assert (draft.coupon, draft.discount) == (None, 0)


def test_an_issued_invoice_keeps_the_once_coupon_used_up():
    customer, coupon = _with_once_coupon()
    invoice = make_invoice(customer, 1000, finalize=True)
    assert invoice.discount == 100
    assert not CustomerCoupon.objects.filter(customer=customer).exists()


def test_a_coupon_given_meanwhile_is_not_replaced_by_the_returned_one():
    customer, coupon = _with_once_coupon()
    draft = make_invoice(customer, 1000)
    newer = make_coupon(amount_off=100, currency="USD")
    customer_billing_defaults_set(customer=customer, tax_rates=[], coupon=newer)
    invoice_delete(invoice=draft)
    assert CustomerCoupon.objects.get(customer=customer).coupon == newer


def _set_coupon(draft, coupon):
    return invoice_update(invoice=draft, memo="", footer="", days_until_due=30, coupon=coupon)


def test_choosing_the_given_back_once_coupon_again_takes_it_from_the_customer():
    customer, coupon = _with_once_coupon()
    draft = make_invoice(customer, 1000)
    _set_coupon(draft, None)  # back to the customer
    draft = _set_coupon(draft, coupon)
    assert (draft.coupon, draft.discount) == (coupon, 100)
    assert not CustomerCoupon.objects.filter(customer=customer).exists()
    make_item(customer, 1000)
    assert invoice_create(customer=customer, currency="USD").coupon is None
    invoice_delete(invoice=draft)  # and given back once more
    assert CustomerCoupon.objects.get(customer=customer).coupon == coupon


def test_a_once_coupon_used_meanwhile_by_another_invoice_cannot_be_chosen_again():
    customer, coupon = _with_once_coupon()
    draft = make_invoice(customer, 1000)
    _set_coupon(draft, None)
    other = make_invoice(customer, 500, finalize=True)  # takes the coupon given back
    assert other.coupon == coupon
    with pytest.raises(ValidationError, match=f"already used on invoice {other.number}"):
        _set_coupon(draft, coupon)
    draft.refresh_from_db()
    assert (draft.coupon, draft.discount) == (None, 0)


def test_a_once_coupon_the_customer_never_had_can_be_chosen_on_a_draft():
    customer = make_customer()
    coupon = make_coupon(percent_off="10", duration="once")
    draft = _set_coupon(make_invoice(customer, 1000), coupon)
    assert (draft.coupon, draft.discount, draft.coupon_from_customer) == (coupon, 100, False)
    _set_coupon(draft, None)
    assert not CustomerCoupon.objects.filter(customer=customer).exists()


def test_mixed_default_tax_rates_are_refused():
    customer = make_customer()
    rates = [make_tax_rate("10", inclusive=True), make_tax_rate("5")]
    with pytest.raises(ValidationError, match="all inclusive or all exclusive"):
        customer_billing_defaults_set(customer=customer, tax_rates=rates, coupon=None)
    assert not customer.default_tax_rates.exists()


def test_the_seller_is_the_customers_entity_at_finalization():
    customer = make_customer()
    draft = make_invoice(customer, 1000)
    seller = LegalEntity.objects.create(name="New Seller Ltd", address_country="IE")
    customer_update(customer=customer, fields={"legal_entity": seller})
    invoice = invoice_finalize(invoice=draft)
    assert invoice.legal_entity == seller
    assert invoice.seller_snapshot["name"] == "New Seller Ltd"


def test_deleting_an_item_twice_is_a_clear_error():
    item = make_item(make_customer(), 1000)
    item_delete(item=item)
    with pytest.raises(ValidationError, match="already deleted"):
        item_delete(item=item)


def test_finalizing_taxes_by_the_customers_tax_status_at_that_moment():
    customer = make_customer()
    rate = make_tax_rate("20")
    make_item(customer, 1000, tax_rates=[rate])
    draft = invoice_create(customer=customer, currency="USD")
    assert draft.tax == 200
    customer_update(customer=customer, fields={"tax_exempt": "exempt"})
    invoice = invoice_finalize(invoice=draft)
    assert (invoice.tax, invoice.total, invoice.tax_amounts) == (0, 1000, [])
    assert invoice.lines.get().tax_amounts == []


def test_a_draft_computed_under_the_same_tax_status_is_issued_as_computed():
    customer = make_customer()
    make_item(customer, 1000, tax_rates=[make_tax_rate("7.5")])
    draft = invoice_create(customer=customer, currency="USD")
    invoice = invoice_finalize(invoice=draft)
    assert (invoice.taxed_as, invoice.tax, invoice.total) == ("none", 75, 1075)


def test_without_a_currency_the_only_pending_currency_is_used():
    customer = make_customer(default_currency="")
    make_item(customer, 1000, "DKK")
    make_item(customer, 1000, "SEK")
    with pytest.raises(ValidationError, match="Choose the invoice currency"):
        invoice_create(customer=customer)
    assert invoice_create(customer=customer, currency="SEK").currency == "SEK"
    assert invoice_create(customer=customer).currency == "DKK"


@pytest.mark.parametrize("credit", [0, -300, -5000, -980])  # none, part, all, too small left
def test_everything_finalization_sets_is_saved(credit):
    from tests.factories import adjust

    customer = make_customer(default_currency="USD")
    if credit:
        adjust(customer, credit, "USD")
    issued = make_invoice(customer, 1000, finalize=True)
    stored = type(issued).objects.get(pk=issued.pk)
    for field in issued._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(issued, field.attname), field.name
