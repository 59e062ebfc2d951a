"""Reference data the whole product validates against: one place for each list.

Countries come from CLDR through Babel, so names are localized. Which currencies we
accept, and what their amounts mean, is our own table (core/currencies.py); Babel only
names them.
"""

from functools import cache

from babel import Locale

from core import currencies as currency_table

# The document languages: the 41 Stripe supports for invoices, plus Arabic and
# Hebrew (laid out right to left). Tags follow RFC 4646; the order is the one the
# language menus show.
DOCUMENT_LANGUAGES = {
    "bg": "Bulgarian",
    "zh-HK": "Chinese (Hong Kong)",
    "zh": "Chinese (Simplified)",
    "zh-TW": "Chinese (Taiwan)",
    "hr": "Croatian",
    "cs": "Czech",
    "da": "Danish",
    "nl": "Dutch",
    "en-GB": "English (UK)",
    "en": "English (US)",
    "et": "Estonian",
    "fil": "Filipino",
    "fi": "Finnish",
    "fr-CA": "French (Canada)",
    "fr": "French (France)",
    "de": "German",
    "el": "Greek",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lv": "Latvian",
    "lt": "Lithuanian",
    "ms": "Malay",
    "ml": "Malayalam",
    "mt": "Maltese",
    "nb": "Norwegian",
    "pl": "Polish",
    "pt-BR": "Portuguese (Brazil)",
    "pt": "Portuguese (Portugal)",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "es-419": "Spanish (Latin America)",
    "es": "Spanish (Spain)",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "he": "Hebrew",
}
RIGHT_TO_LEFT_LANGUAGES = {"ar", "he"}

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


def normalize_language_tag(tag):
    """Return the supported tag matching `tag` case-insensitively, or None."""
    wanted = tag.strip().replace("_", "-").lower()
    for known in DOCUMENT_LANGUAGES:
        if known.lower() == wanted:
            return known
    return None


@cache
def countries():
    """{alpha-2 code: English name} for every ISO 3166-1 country, sorted by name."""
    names = Locale("en").territories
    codes = [c for c in names if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES]
    return dict(sorted(((c, names[c]) for c in codes), key=lambda item: item[1]))


@cache
def currencies():
    """{ISO 4217 code: English name} for every currency we accept, sorted by code."""
    names = Locale("en").currencies
    return {code: names.get(code, code) for code in sorted(currency_table.CURRENCIES)}


def country_choices():
    return list(countries().items())


def currency_choices():
    return [(code, f"{code} – {name}") for code, name in currencies().items()]
