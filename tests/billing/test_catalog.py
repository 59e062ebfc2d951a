"""billing.services.catalog: coupons and tax rates with the admin's rules."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import Coupon, TaxRate
from billing.services.catalog import coupon_create, tax_rate_create

pytestmark = pytest.mark.django_db


def test_a_coupon_without_a_name_is_named_by_what_it_takes_off():
    assert coupon_create(percent_off=Decimal("25.5")).name == "25.5% off"
    assert coupon_create(amount_off=500, currency="EUR").name == "€5.00 off"
    assert coupon_create(percent_off=Decimal(10), name="Ten").name == "Ten"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({}, "percent_off"),
        ({"percent_off": Decimal(10), "amount_off": 5, "currency": "USD"}, "amount_off"),
        ({"percent_off": Decimal(10), "currency": "USD"}, "currency"),
        ({"percent_off": Decimal("100.01")}, "percent_off"),
        ({"percent_off": Decimal("0.125")}, "percent_off"),
        ({"amount_off": 5}, "currency"),
        ({"amount_off": 0, "currency": "USD"}, "amount_off"),
        ({"amount_off": 5, "currency": "XXX"}, "currency"),
        ({"amount_off": 10**18, "currency": "USD"}, "amount_off"),
        ({"percent_off": Decimal(5), "duration": "repeating"}, "duration"),
        ({"percent_off": Decimal(5), "name": "n" * 41}, "name"),
    ],
)
def test_invalid_coupons_are_refused_on_their_field(fields, field):
    with pytest.raises(ValidationError) as raised:
        coupon_create(**fields)
    assert field in raised.value.error_dict
    assert not Coupon.objects.exists()


def test_a_tax_rate_keeps_its_exact_percentage():
    rate = tax_rate_create(display_name="Sales tax", percentage=Decimal("8.8875"), country="US")
    rate.refresh_from_db()
    assert rate.percentage == Decimal("8.8875") and not rate.inclusive


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"percentage": Decimal("100.0001")}, "percentage"),
        ({"percentage": Decimal("1.00001")}, "percentage"),
        ({"percentage": Decimal(-1)}, "percentage"),
        ({"display_name": ""}, "display_name"),
        ({"country": "ZZ"}, "country"),
    ],
)
def test_invalid_tax_rates_are_refused_on_their_field(fields, field):
    with pytest.raises(ValidationError) as raised:
        tax_rate_create(**{"display_name": "VAT", "percentage": Decimal(20), **fields})
    assert field in raised.value.error_dict
    assert not TaxRate.objects.exists()
