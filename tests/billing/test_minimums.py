"""Minimum chargeable amounts: Stripe's table where it lists the currency, else the
equivalent of USD 0.50 at the shipped rate (overridable in settings)."""

import pytest
from django.core.exceptions import ValidationError

from billing.minimums import STRIPE_MINIMUMS, USD_RATES, minimum_charge
from billing.models import InvoiceStatus as S
from core.currencies import CURRENCIES
from ledger.models import TransactionType
from tests.factories import balance_of, make_customer, make_invoice

# Stripe's table, in minor units: what the invoice must reach to be collected.
STRIPE_TABLE = {
    "USD": 50, "AED": 200, "AUD": 50, "BGN": 100, "BRL": 50, "CAD": 50, "CHF": 50,
    "CZK": 1500, "DKK": 250, "EUR": 50, "GBP": 30, "HKD": 400, "HUF": 17500, "INR": 50,
    "JPY": 50, "MXN": 1000, "MYR": 200, "NOK": 300, "NZD": 50, "PLN": 200, "RON": 200,
    "SEK": 300, "SGD": 50, "THB": 1000,
}  # fmt: skip


def test_stripes_table_in_minor_units():
    assert {code: minimum_charge(code) for code in STRIPE_MINIMUMS} == STRIPE_TABLE


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        ("KWD", 153),  # 0.153 KWD, not one whole dinar (about USD 3.25)
        ("IDR", 812000),  # 8,120.00 IDR, not 1 rupiah
        ("ISK", 6100),  # 61 ISK at Stripe's two decimals
        ("VND", 13050),  # zero-decimal
        ("CLP", 468),  # 467.5 rounded up to the peso
        ("BHD", 189),  # 0.1885 rounded up to the fils
    ],
)
def test_other_currencies_take_usd_050_at_the_shipped_rate(currency, expected):
    assert minimum_charge(currency) == expected


def test_every_accepted_currency_has_a_minimum():
    # Retired currencies keep a minimum for drafts made before (BGN in Stripe's table).
    assert set(STRIPE_MINIMUMS) | set(USD_RATES) == set(CURRENCIES) | {"BGN", "ANG", "CUC",
                                                                        "HRK", "SLL"}  # fmt: skip
    assert not set(STRIPE_MINIMUMS) & set(USD_RATES)
    assert all(minimum_charge(code) > 0 for code in CURRENCIES)


def test_a_retired_currency_takes_its_last_rate_or_a_clear_error(settings):
    assert minimum_charge("ANG") == 90  # 0.895 rounded up
    with pytest.raises(ValidationError, match="No minimum chargeable amount is known for VEF"):
        minimum_charge("VEF")
    settings.BILLING_USD_RATES = {"VEF": "1000000"}
    assert minimum_charge("VEF") == 50000000


def test_settings_override_a_rate(settings):
    settings.BILLING_USD_RATES = {"ARS": "1400"}
    assert minimum_charge("ARS") == 70000  # 700.00 ARS
    assert minimum_charge("USD") == 50


@pytest.mark.django_db
@pytest.mark.parametrize("currency", [*(set(STRIPE_TABLE) - {"BGN"}), "KWD", "IDR", "ISK"])
def test_the_threshold_is_exact_at_finalization(currency):
    minimum = minimum_charge(currency)
    customer = make_customer()
    below = make_invoice(customer, minimum - 1, currency=currency, finalize=True)
    assert (below.status, below.amount_remaining) == (S.PAID, 0)
    moved = below.too_small_balance_transaction
    assert (moved.type, moved.amount) == (TransactionType.INVOICE_TOO_SMALL, minimum - 1)

    other = make_customer()
    at = make_invoice(other, minimum, currency=currency, finalize=True)
    assert (at.status, at.amount_remaining) == (S.OPEN, minimum)
    assert at.too_small_balance_transaction is None
    assert balance_of(other, currency) == 0
