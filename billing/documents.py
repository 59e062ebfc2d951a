"""What an invoice or credit-note PDF says, in the document's language: the language
choice and every amount, date and percentage formatted with Babel for it. No HTML here
(templates/billing/pdf/) and no rendering (billing/pdf.py)."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_percent, get_currency_symbol
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from core.money_format import format_money
from customers.reference import DOCUMENT_LANGUAGES, RIGHT_TO_LEFT_LANGUAGES
from customers.tax_ids import TAX_ID_TYPES

LETTER_COUNTRIES = {"US", "CA", "MX", "PH"}
# Unicode's directional isolates: first-strong (the text's own direction), left-to-right,
# and their end. WeasyPrint does not apply CSS `unicode-bidi`, so <bdi> alone isolates
# nothing in a PDF; these characters do (Pango follows the bidi algorithm).
FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"
# CLDR's plain `pt` is Brazilian Portuguese; our `pt` is Portugal's.
BABEL_LOCALES = {"pt": "pt_PT"}


def _supported(tag: str | None) -> str | None:
    """The document language for a tag: itself (`fr-CA`) or its language (`fr-BE` → `fr`)."""
    for candidate in (tag, (tag or "").split("-")[0]):
        if candidate in DOCUMENT_LANGUAGES:
            return candidate
    return None


def document_language(preferred_locales: Iterable[str] | None, override: str | None = None) -> str:
    """The first supported of the customer's languages (`fr-CA`, else `fr`), else the
    site default; `override` (a supported tag) wins."""
    for tag in [override, *(preferred_locales or [])]:
        if supported := _supported(tag):
            return supported
    return settings.LANGUAGE_CODE


def language_menu(preferred_locales: Iterable[str] | None) -> list[dict[str, str]]:
    """The document languages to offer: the one the customer's documents are written in
    first, then the customer's other supported languages, then the rest by name."""
    locales = list(preferred_locales or [])
    first = [document_language(locales), *filter(None, map(_supported, locales))]
    first = list(dict.fromkeys(first))
    rest = sorted(set(DOCUMENT_LANGUAGES) - set(first), key=DOCUMENT_LANGUAGES.__getitem__)
    return [{"tag": tag, "name": DOCUMENT_LANGUAGES[tag]} for tag in [*first, *rest]]


def babel_locale(language: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(language, language.replace("-", "_")))


class Formatter:
    """Babel formatting for one document language and currency."""

    def __init__(self, language: str, currency: str) -> None:
        self.language = language
        self.locale = babel_locale(language)
        self.currency = currency
        symbol = get_currency_symbol(currency, locale=self.locale)
        # In right-to-left text a lettered symbol is one left-to-right word: isolated, so
        # that "CA$" is not shown as "$CA" (the sign taking the paragraph's direction).
        self._rtl_symbol = (
            (symbol, f"{LRI}{symbol}{PDI}")
            if direction(language) == "rtl" and any(c.isascii() and c.isalpha() for c in symbol)
            else None
        )

    def money(self, amount: int) -> str:
        text = format_money(amount, self.currency, locale=self.locale)
        if self._rtl_symbol:
            text = text.replace(*self._rtl_symbol, 1)
        return text

    def negative(self, amount: int) -> str:
        return self.money(-amount)

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = timezone.localtime(value).date()
        return format_date(value, format="long", locale=self.locale)

    def percent(self, text: str | Decimal) -> str:
        return format_percent(Decimal(text) / 100, locale=self.locale, decimal_quantization=False)


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT_LANGUAGES else "ltr"


def page_size(*countries: str | None) -> str:
    """Letter where it is the norm (US, Canada, Mexico, the Philippines), A4 elsewhere:
    by the customer's country, else the seller's."""
    country = next((c for c in countries if c), "")
    return "letter" if country in LETTER_COUNTRIES else "A4"


def isolate(text: object) -> str:
    """`text` as a directional isolate: a data value (a street "311 Market Street", an
    amount, a date) keeps its own order inside right-to-left text and does not pull the
    words around it into its direction."""
    text = str(text) if text is not None else ""
    return f"{FSI}{text}{PDI}" if text else ""


def tax_id_label(tax_id: dict[str, str]) -> str:
    """A snapshot's tax ID type ("European VAT number") in the active language."""
    known = TAX_ID_TYPES.get(tax_id.get("type", ""))
    return gettext(known[0]) if known else tax_id.get("type_display") or tax_id.get("type", "")
