"""Reference lists every app validates against: countries and currencies, named in English.

Countries come from CLDR through Babel. Which currencies we accept, and what their amounts
mean, is our own table (core/currencies.py); Babel only names them.
"""

from functools import cache

from babel import Locale

from . import currencies as currency_table

# CLDR territory codes that are not ISO 3166-1 countries (Kosovo, XK, stays:
# it is in common commercial use).
_NOT_COUNTRIES = {
    "AC",
    "CP",
    "CQ",
    "DG",
    "EA",
    "EU",
    "EZ",
    "IC",
    "QO",
    "TA",
    "UN",
    "XA",
    "XB",
    "ZZ",
}


@cache
def countries() -> dict[str, str]:
    """{alpha-2 code: English name} for every ISO 3166-1 country, sorted by name."""
    names = Locale("en").territories
    codes = [
        c
        for c in names
        if isinstance(c, str) and len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES
    ]
    return dict(sorted(((c, names[c]) for c in codes), key=lambda item: item[1]))


@cache
def currencies() -> dict[str, str]:
    """{ISO 4217 code: English name} for every currency we accept, sorted by code."""
    names = Locale("en").currencies
    return {code: names.get(code, code) for code in sorted(currency_table.CURRENCIES)}


def country_choices() -> list[tuple[str, str]]:
    return list(countries().items())


def currency_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} – {name}") for code, name in currencies().items()]
