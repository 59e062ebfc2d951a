"""What an invoice or credit-note PDF says, in the document's language: the language
choice and every amount, date and percentage formatted with Babel for it. No HTML here
(templates/billing/pdf/) and no rendering (billing/pdf.py)."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_percent
from django.conf import settings
from django.utils import timezone

from customers.reference import DOCUMENT_LANGUAGES, RIGHT_TO_LEFT_LANGUAGES
from ledger.money import format_money

LETTER_COUNTRIES = {"US", "CA", "MX", "PH"}
# CLDR's plain `pt` is Brazilian Portuguese; our `pt` is Portugal's.
BABEL_LOCALES = {"pt": "pt_PT"}


def document_language(preferred_locales: Iterable[str] | None, override: str | None = None) -> str:
    """The first supported of the customer's languages (`fr-CA`, else `fr`), else the
    site default; `override` (a supported tag) wins."""
    for tag in [override, *(preferred_locales or [])]:
        if not tag:
            continue
        for candidate in (tag, tag.split("-")[0]):
            if candidate in DOCUMENT_LANGUAGES:
                return candidate
    return settings.LANGUAGE_CODE


class Formatter:
    """Babel formatting for one document language and currency."""

    def __init__(self, language: str, currency: str) -> None:
        self.language = language
        self.locale = Locale.parse(BABEL_LOCALES.get(language, language.replace("-", "_")))
        self.currency = currency

    def money(self, amount: int) -> str:
        return format_money(amount, self.currency, locale=self.locale)

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
