"""Amounts typed by people, parsed exactly into integer minor units of a currency.

No database access here. Amounts are parsed exactly (Decimal, never float) at the
currency's precision: JPY has no minor unit, USD two digits, KWD three. The precision is
our currency table's (core/currencies.py). Formatting for people (Babel) is
core/money_format.py.
"""

from decimal import Decimal, InvalidOperation

from core import currencies as currency_table

# The most staff may type as one amount (an adjustment, a starting balance, an item's
# price), in major units: far above any real one, a guard against slips of the keyboard.
# Postings the system makes (credit applied to an invoice, credit notes) are not capped.
MAX_MAJOR_UNITS = Decimal("1000000000")


class MoneyError(ValueError):
    """A human-readable reason why an amount or currency is not acceptable."""


def check_currency(currency: str) -> str:
    if not currency_table.is_accepted(currency):
        raise MoneyError(f"“{currency}” is not a currency we support.")
    return currency


def precision(currency: str) -> int:
    """Digits of the minor unit, for every currency we accept or once accepted (a ledger
    keeps balances in currencies that have since been replaced, like HRK)."""
    return currency_table.exponent(currency)


def parse_amount(text: object, currency: str) -> int:
    """'12.50' in USD -> 1250. Rejects more decimals than the currency has, signs,
    exponents, group separators and amounts that are zero or too large."""
    digits = precision(check_currency(currency))
    cleaned = str(text).strip()
    if not cleaned:
        raise MoneyError("Enter an amount.")
    if not all(char in "0123456789." for char in cleaned) or cleaned.count(".") > 1:
        raise MoneyError("Enter the amount as digits with an optional decimal point, like 10.50.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError("Enter the amount as digits, like 10.50.") from None
    # 10.00 JPY and 5.100 USD are exact amounts: only significant decimals count.
    if -int(value.normalize().as_tuple().exponent) > digits:
        if digits == 0:
            raise MoneyError(f"{currency} has no minor unit: enter a whole amount.")
        raise MoneyError(f"{currency} amounts have at most {digits} decimal places.")
    if value <= 0:
        raise MoneyError("Enter an amount greater than zero.")
    if value > MAX_MAJOR_UNITS:
        raise MoneyError(f"Enter at most {MAX_MAJOR_UNITS:,} {currency}.")
    return int(value.scaleb(digits))


def max_typed_amount(currency: str) -> int:
    """MAX_MAJOR_UNITS of `currency` in minor units."""
    return int(MAX_MAJOR_UNITS.scaleb(precision(currency)))


def to_major(amount: int, currency: str) -> Decimal:
    """1250 in USD -> Decimal('12.50')."""
    digits = precision(currency)
    return Decimal(amount).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def compact_amount(amount: int, currency: str) -> str:
    """Minor units as a short axis label in major units, without the currency (the
    chart's title names it): 150000000 USD -> '1.5M', 50000 -> '500', 2 -> '0.02'. For
    chart axes only: the amounts themselves are shown exactly beside them."""
    from babel.numbers import format_compact_decimal

    return format_compact_decimal(to_major(amount, currency), locale="en", fraction_digits=2)
