"""The languages a customer's documents can be written in. Countries and currencies,
which every app validates against, are in core/reference.py.
"""

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


def normalize_language_tag(tag):
    """Return the supported tag matching `tag` case-insensitively, or None."""
    wanted = tag.strip().replace("_", "-").lower()
    for known in DOCUMENT_LANGUAGES:
        if known.lower() == wanted:
            return known
    return None
