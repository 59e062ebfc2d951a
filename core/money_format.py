"""Money for people: minor units of a currency formatted with Babel.

No database access here. Parsing typed amounts is the ground floor's (core/money.py);
Babel only formats, told how many digits to show by our currency table.
"""

import copy
import re
import unicodedata
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, format_currency, get_currency_symbol

from core.money import precision, to_major

# What the amount columns (BigIntegerField, signed 64-bit) hold, in minor units: the
# bound of every posting and balance.
MAX_MINOR_UNITS = 2**63 - 1


def format_money(amount: int, currency: str, locale: Locale | str = "en") -> str:
    """Minor units formatted for people, with Babel: 1250 USD -> '$12.50', in the
    locale's pattern but with exactly the currency's digits: 17500 HUF -> 'HUF175.00'
    (CLDR would show 'HUF175', and round 175.50 to 176). A code or other lettered
    symbol is kept apart from the digits ('KWD\xa0211.000'), a sign such as '$' or
    'US$' is not: CLDR's currency spacing, which Babel does not apply."""
    locale = Locale.parse(locale)
    digits = precision(currency)
    text = format_currency(
        to_major(amount, currency),
        currency,
        format=_currency_pattern(locale, digits),
        locale=locale,
        currency_digits=False,
    )
    return _spaced(text, get_currency_symbol(currency, locale=locale))


def _spaced(text: str, symbol: str) -> str:
    """CLDR's currencySpacing: a no-break space between a digit and the side of the
    symbol that is not itself a symbol character (Unicode category S*)."""
    if not symbol:
        return text
    if not unicodedata.category(symbol[-1]).startswith("S"):
        text = re.sub(f"({re.escape(symbol)})(?=\\d)", "\\1\xa0", text, count=1)
    if not unicodedata.category(symbol[0]).startswith("S"):
        text = re.sub(f"(?<=\\d)({re.escape(symbol)})", "\xa0\\1", text, count=1)
    return text


@cache
def _currency_pattern(locale: Locale, digits: int) -> NumberPattern:
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern
