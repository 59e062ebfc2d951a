from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.money import MAX_MAJOR_UNITS, MoneyError, format_money, parse_amount, to_major


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


def test_format_money_follows_currency_and_locale():
    assert format_money(123456, "USD") == "$1,234.56"
    assert format_money(-1050, "USD") == "-$10.50"
    assert format_money(1235, "JPY", "ja") == "￥1,235"
    assert format_money(1234, "KWD") == "KWD1.234"
    assert format_money(123456, "EUR", "de") == "1.234,56\xa0€"
    assert format_money(123456, "CAD", "fr_CA") == "1\xa0234,56\xa0$"


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


def test_format_money_shows_the_tables_digits():
    # CLDR's display digits would print 'HUF176' and 'IDR8,150' here.
    assert format_money(17550, "HUF") == "HUF175.50"
    assert format_money(815025, "IDR", "de") == "8.150,25\xa0IDR"
    assert format_money(500, "ISK") == "ISK5.00"
    assert format_money(1005, "IQD") == "IQD1.005"
