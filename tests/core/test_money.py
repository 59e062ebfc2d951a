"""Typed amounts parsed exactly at our table's precision (core/money.py)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import MAX_MAJOR_UNITS, MoneyError, parse_amount, to_major


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("10", "USD", 1000), ("10.5", "USD", 1050), ("10.50", "USD", 1050), ("0.01", "USD", 1),
     ("1235", "JPY", 1235), ("1.234", "KWD", 1234), ("0.001", "KWD", 1), (" 7 ", "EUR", 700),
     ("1000000000", "USD", 100_000_000_000), ("10.00", "JPY", 10), ("5.100", "USD", 510)],
)  # fmt: skip
def test_parse_amount_is_exact_at_the_currency_precision(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [("10.001", "USD", "at most 2 decimal places"), ("10.5", "JPY", "no minor unit"),
     ("1.2345", "KWD", "at most 3 decimal places"), ("0", "USD", "greater than zero"),
     ("0.00", "USD", "greater than zero"), ("-5", "USD", "digits"), ("1e3", "USD", "digits"),
     ("1,000", "USD", "digits"), ("", "USD", "Enter an amount"), ("1.2.3", "USD", "digits"),
     ("NaN", "USD", "digits"), ("1000000000.01", "USD", "at most"), ("5", "XXX", "not a currency"),
     ("١٢", "USD", "digits")],
)  # fmt: skip
def test_parse_amount_refuses_with_a_reason(text, currency, message):
    with pytest.raises(MoneyError) as error:
        parse_amount(text, currency)
    assert message in str(error.value)


@given(
    st.sampled_from(["USD", "JPY", "KWD", "EUR"]),
    st.integers(min_value=1, max_value=10**9),
)
def test_parse_and_to_major_round_trip(currency, minor):
    major = to_major(minor, currency)
    if major <= MAX_MAJOR_UNITS:
        assert parse_amount(str(major), currency) == minor
    assert isinstance(major, Decimal)


@pytest.mark.parametrize(
    ("text", "currency", "minor", "major"),
    [("175.50", "HUF", 17550, "175.50"), ("8150.25", "IDR", 815025, "8150.25"),
     ("5", "ISK", 500, "5.00"), ("1.005", "IQD", 1005, "1.005"), ("12", "MGA", 12, "12")],
)  # fmt: skip
def test_precision_is_our_tables_not_cldrs(text, currency, minor, major):
    assert parse_amount(text, currency) == minor
    assert str(to_major(minor, currency)) == major
