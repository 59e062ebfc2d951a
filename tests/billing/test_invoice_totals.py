"""Invoice totals through the services: tax rates, coupons and tax status on drafts and at
finalization (the database side of billing/totals.py)."""

import pytest
from django.core.exceptions import ValidationError

from billing.models import CustomerCoupon, Invoice
from billing.services import (
    customer_billing_defaults_set,
    invoice_create,
    invoice_finalize,
    invoice_update,
)
from customers.services import customer_update
from tests.factories import make_coupon, make_customer, make_invoice, make_item, make_tax_rate


@pytest.mark.django_db
def test_customer_default_rates_tax_lines_without_their_own():
    customer = make_customer()
    default = make_tax_rate("20")
    default.default_for.add(customer)
    make_tax_rate("30", active=False).default_for.add(customer)
    own = make_tax_rate("10", display_name="Sales tax")
    make_item(customer, 1000)
    make_item(customer, 1000, tax_rates=[own])
    invoice = invoice_create(customer=customer, currency="USD")
    assert set(invoice.default_tax_rates.all()) == {default}
    assert (invoice.tax, invoice.exclusive_tax, invoice.total) == (300, 300, 2300)
    assert [t["amount"] for t in invoice.tax_amounts] == [200, 100]
    assert [line.tax_amounts[0]["tax_rate"] for line in invoice.lines.all()] == [
        default.public_id, own.public_id]  # fmt: skip


@pytest.mark.django_db
def test_inclusive_rates_are_not_added_to_the_total():
    customer = make_customer()
    make_item(customer, 1200, tax_rates=[make_tax_rate("20", inclusive=True)])
    invoice = invoice_create(customer=customer, currency="USD")
    assert (invoice.tax, invoice.exclusive_tax, invoice.total) == (200, 0, 1200)


@pytest.mark.django_db
def test_mixed_inclusive_and_exclusive_rates_on_one_item_are_refused():
    rates = [make_tax_rate("20"), make_tax_rate("10", inclusive=True)]
    with pytest.raises(ValidationError):
        make_item(make_customer(), 1000, tax_rates=rates)
    with pytest.raises(ValidationError):
        make_item(make_customer(), 1000, tax_rates=[make_tax_rate("5", active=False)])


@pytest.mark.django_db
def test_mixed_default_rates_are_refused_with_a_validation_error():
    customer = make_customer()
    rates = [make_tax_rate("20"), make_tax_rate("10", inclusive=True)]
    with pytest.raises(ValidationError):
        customer_billing_defaults_set(customer=customer, tax_rates=rates, coupon=None)
    for rate in rates:  # set some other way (the M2M from the rate's side)
        rate.default_for.add(customer)
    make_item(customer, 1000)
    with pytest.raises(ValidationError):
        invoice_create(customer=customer, currency="USD")
    assert not Invoice.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("tax_exempt", "reverse"), [("exempt", False), ("reverse", True)])
def test_exempt_and_reverse_charge_customers_pay_no_tax(tax_exempt, reverse):
    customer = make_customer(tax_exempt=tax_exempt)
    make_tax_rate("20").default_for.add(customer)
    make_item(customer, 1000, tax_rates=[make_tax_rate("10")])
    make_item(customer, 1000)
    invoice = invoice_finalize(invoice=invoice_create(customer=customer, currency="USD"))
    assert (invoice.tax, invoice.tax_amounts, invoice.total) == (0, [], 2000)
    assert invoice.reverse_charge is reverse


@pytest.mark.django_db
def test_tax_status_is_read_again_at_finalization():
    customer = make_customer()
    make_item(customer, 1000, tax_rates=[make_tax_rate("20")])
    draft = invoice_create(customer=customer, currency="USD")
    assert draft.total == 1200
    customer_update(customer=customer, fields={"tax_exempt": "exempt"})
    assert invoice_finalize(invoice=draft).total == 1000


def _hold(customer, coupon, tax_rates=()):
    customer_billing_defaults_set(customer=customer, tax_rates=tax_rates, coupon=coupon)


@pytest.mark.django_db
def test_customer_billing_defaults_set_the_next_invoices_rates_and_coupon():
    customer = make_customer()
    vat = make_tax_rate("20")
    _hold(customer, make_coupon(percent_off="10"), tax_rates=[vat])
    assert make_invoice(customer, 1000).total == 1080  # 1000 − 100 + 20% of 900
    _hold(customer, make_coupon(percent_off="50", duration="forever"))
    _hold(customer, None)
    assert not CustomerCoupon.objects.filter(customer=customer).exists()
    assert make_invoice(customer, 1000).total == 1000


@pytest.mark.django_db
def test_a_once_customer_coupon_is_used_up_by_the_next_invoice_in_its_currency():
    customer = make_customer()
    _hold(customer, make_coupon(amount_off=300, currency="USD"))
    euro = make_invoice(customer, 1000, currency="EUR")  # another currency: ignored, kept
    assert (euro.coupon, euro.discount) == (None, 0)
    first = make_invoice(customer, 1000)
    assert (first.discount, first.total) == (300, 700)
    assert not CustomerCoupon.objects.filter(customer=customer).exists()
    assert make_invoice(customer, 1000).discount == 0


@pytest.mark.django_db
def test_a_forever_customer_coupon_applies_to_every_invoice():
    customer = make_customer()
    coupon = make_coupon(percent_off="25", duration="forever")
    _hold(customer, coupon)
    totals = [make_invoice(customer, 1000, currency=c).total for c in ("USD", "EUR", "USD")]
    assert totals == [750, 750, 750]
    assert CustomerCoupon.objects.get(customer=customer).coupon == coupon


@pytest.mark.django_db
def test_an_inactive_coupon_is_not_applied_or_attached():
    customer = make_customer()
    _hold(customer, make_coupon(percent_off="50", active=False))
    invoice = make_invoice(customer, 1000)
    assert (invoice.coupon, invoice.total) == (None, 1000)
    with pytest.raises(ValidationError):
        invoice_update(invoice=invoice, memo="", footer="", days_until_due=30,
                       coupon=make_coupon(percent_off="10", active=False))  # fmt: skip


@pytest.mark.django_db
def test_discount_applies_before_tax_to_discountable_lines_only():
    customer = make_customer()
    vat = make_tax_rate("20")
    make_item(customer, 1000, tax_rates=[vat])
    make_item(customer, 500, tax_rates=[vat], discountable=False)
    invoice = make_invoice(customer)
    invoice = invoice_update(invoice=invoice, memo="", footer="", days_until_due=30,
                             coupon=make_coupon(percent_off="10"))  # fmt: skip
    assert (invoice.subtotal, invoice.discount, invoice.tax) == (1500, 100, 280)
    assert invoice.total == 1680
    discounted, full = invoice.lines.all()
    assert (discounted.discount_amount, full.discount_amount) == (100, 0)
    assert (discounted.total, full.total) == (1080, 600)


@pytest.mark.django_db
def test_an_invoice_coupon_in_another_currency_is_ignored():
    invoice = make_invoice(None, 1000)
    invoice = invoice_update(invoice=invoice, memo="", footer="", days_until_due=30,
                             coupon=make_coupon(amount_off=300, currency="EUR"))  # fmt: skip
    assert (invoice.discount, invoice.total) == (0, 1000)


@pytest.mark.django_db
def test_a_discount_larger_than_the_invoice_makes_it_zero_and_paid():
    customer = make_customer()
    _hold(customer, make_coupon(amount_off=10_000, currency="USD"))
    make_item(customer, 400, tax_rates=[make_tax_rate("20")])
    invoice = invoice_finalize(invoice=invoice_create(customer=customer, currency="USD"))
    assert (invoice.discount, invoice.tax, invoice.total) == (400, 0, 0)
    assert invoice.status == "paid"
