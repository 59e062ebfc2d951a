"""Money as integer minor units plus an ISO 4217 currency: parsing and formatting.

No database access here. Amounts typed by people are parsed exactly (Decimal, never
float) at the currency's precision: JPY has no minor unit, USD two digits, KWD three.
The precision is our currency table's (core/currencies.py); Babel only formats, told how
many digits to show.
"""

import copy
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.numbers import format_currency

from core import currencies as currency_table

# The most staff may type as one amount (an adjustment, a starting balance, an item's
# price), in major units: far above any real one, a guard against slips of the keyboard.
# Postings the system makes (credit applied to an invoice, credit notes) are not capped.
MAX_MAJOR_UNITS = Decimal("1000000000")

# What the amount columns (BigIntegerField, signed 64-bit) hold, in minor units: the
# bound of every posting and balance.
MAX_MINOR_UNITS = 2**63 - 1


class MoneyError(ValueError):
    """A human-readable reason why an amount or currency is not acceptable."""


def check_currency(currency):
    if not currency_table.is_accepted(currency):
        raise MoneyError(f"“{currency}” is not a currency we support.")
    return currency


def precision(currency):
    """Digits of the minor unit, for every currency we accept or once accepted (a ledger
    keeps balances in currencies that have since been replaced, like HRK)."""
    return currency_table.exponent(currency)


def parse_amount(text, currency):
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
    if -value.normalize().as_tuple().exponent > digits:
        if digits == 0:
            raise MoneyError(f"{currency} has no minor unit: enter a whole amount.")
        raise MoneyError(f"{currency} amounts have at most {digits} decimal places.")
    if value <= 0:
        raise MoneyError("Enter an amount greater than zero.")
    if value > MAX_MAJOR_UNITS:
        raise MoneyError(f"Enter at most {MAX_MAJOR_UNITS:,} {currency}.")
    return int(value.scaleb(digits))


def max_typed_amount(currency):
    """MAX_MAJOR_UNITS of `currency` in minor units."""
    return int(MAX_MAJOR_UNITS.scaleb(precision(currency)))


def to_major(amount, currency):
    """1250 in USD -> Decimal('12.50')."""
    digits = precision(currency)
    return Decimal(amount).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def format_money(amount, currency, locale="en"):
    """Minor units formatted for people, with Babel: 1250 USD -> '$12.50', in the
    locale's pattern but with exactly the currency's digits: 17500 HUF -> 'HUF175.00'
    (CLDR would show 'HUF175', and round 175.50 to 176)."""
    locale = Locale.parse(locale)
    digits = precision(currency)
    return format_currency(
        to_major(amount, currency),
        currency,
        format=_currency_pattern(locale, digits),
        locale=locale,
        currency_digits=False,
    )


@cache
def _currency_pattern(locale, digits):
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern
