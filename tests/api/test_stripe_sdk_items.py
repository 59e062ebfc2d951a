"""The official Python SDK (stripe 16.1.0) on /v1/tax_rates, /v1/coupons and
/v1/invoiceitems: what its create calls send (an exact decimal, lists as a[0]) and how it
reads our objects and lists."""

import pytest
import stripe

from tests.api.test_stripe_sdk import _live_roles, http, sdk, sdk_for  # noqa: F401  fixtures
from tests.factories import make_customer


def test_tax_rate_coupon_and_pending_items_in_two_currencies(sdk):  # noqa: F811
    v1 = sdk.v1
    rate = v1.tax_rates.create(
        params={"display_name": "VAT", "percentage": 8.8875, "inclusive": False, "country": "DE"}
    )
    assert isinstance(rate, stripe.TaxRate) and rate.id.startswith("txr_")
    assert rate.percentage == 8.8875 and rate.country == "DE"
    assert v1.tax_rates.retrieve(rate.id).display_name == "VAT"

    coupon = v1.coupons.create(params={"percent_off": 25.5, "duration": "forever"})
    assert isinstance(coupon, stripe.Coupon) and coupon.percent_off == 25.5
    assert coupon.name == "25.5% off" and coupon.valid is True

    customer = make_customer()
    euros = v1.invoice_items.create(
        params={
            "customer": customer.public_id,
            "amount": 1250,
            "currency": "eur",
            "description": "Consulting",
            "tax_rates": [rate.id],
        }  # fmt: skip
    )
    assert isinstance(euros, stripe.InvoiceItem)
    assert (euros.amount, euros.currency, euros.tax_rates[0].id) == (1250, "eur", rate.id)
    dollars = v1.invoice_items.create(
        params={
            "customer": customer.public_id,
            "unit_amount": 300,
            "quantity": 3,
            "currency": "usd",
            "description": "Seats",
        }  # fmt: skip
    )
    assert (dollars.amount, dollars.currency, dollars.quantity) == (900, "usd", 3)

    pending = v1.invoice_items.list(params={"customer": customer.public_id, "pending": True})
    assert [item.id for item in pending.auto_paging_iter()] == [dollars.id, euros.id]

    updated = v1.invoice_items.update(euros.id, params={"description": "Advice", "tax_rates": ""})
    assert updated.description == "Advice" and updated.tax_rates == []
    deleted = v1.invoice_items.delete(dollars.id)
    assert deleted.id == dollars.id and deleted.deleted is True


def test_refusals_arrive_as_the_sdks_errors(sdk):  # noqa: F811
    with pytest.raises(stripe.InvalidRequestError) as repeating:
        sdk.v1.coupons.create(params={"percent_off": 10, "duration": "repeating"})
    assert repeating.value.param == "duration"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        sdk.v1.invoice_items.retrieve("ii_nope")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
