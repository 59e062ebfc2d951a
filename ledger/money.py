"""Money for people: minor units of a currency formatted with Babel.

No database access here. Parsing typed amounts is the ground floor's (core/money.py);
Babel only formats, told how many digits to show by our currency table.
"""

import copy
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, format_currency

from core.money import precision, to_major

# What the amount columns (BigIntegerField, signed 64-bit) hold, in minor units: the
# bound of every posting and balance.
MAX_MINOR_UNITS = 2**63 - 1


def format_money(amount: int, currency: str, locale: Locale | str = "en") -> str:
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
def _currency_pattern(locale: Locale, digits: int) -> NumberPattern:
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern
