"""Every document language: complete catalogs, compiled as committed, and an invoice and a
credit note that say their words, amounts and dates in it."""

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import to_locale
from pypdf import PdfReader

from billing import pdf
from billing.documents import Formatter
from billing.services import credit_note_issue, invoice_mark_paid
from customers.reference import DOCUMENT_LANGUAGES, RIGHT_TO_LEFT_LANGUAGES
from tests.factories import make_customer, make_invoice

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _catalog(language):
    path = LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po:
        return read_po(po)


def _messages(catalog):
    return {m.id: m.string for m in catalog if m.id}


@pytest.mark.parametrize("language", DOCUMENT_LANGUAGES)
def test_catalog_translates_every_document_string(language):
    english = _messages(_catalog("en"))
    catalog = _catalog(language)
    messages = _messages(catalog)
    assert set(messages) == set(english), "run makemessages for every language"
    untranslated = [msgid for msgid, text in messages.items() if not text]
    assert not untranslated, f"{language}: untranslated {untranslated}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy {fuzzy}"
    for msgid, text in messages.items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), msgid


@pytest.mark.parametrize("language", DOCUMENT_LANGUAGES)
def test_compiled_catalog_matches_its_source(language):
    """The .mo files are committed (no gettext tools needed to run the app); this fails
    when a .po was edited without `manage.py compilemessages`."""
    directory = LOCALE_DIR / to_locale(language) / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    source = _messages(_catalog(language))
    assert {k: v for k, v in compiled.items() if k} == source


@pytest.fixture
def documents(db):
    customer = make_customer(name="Ada Lovelace", default_currency="EUR",
                             address_line1="1 Rue de la Paix", address_country="FR")  # fmt: skip
    invoice = make_invoice(customer, 123456, 250, currency="EUR", finalize=True)
    invoice_mark_paid(invoice=invoice)
    note = credit_note_issue(invoice=invoice, amount=1000, credit_amount=1000)
    return invoice, note


def _text(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


BIDI_MARKS = re.compile("[\u200e\u200f\u061c]")


def _squash(text):
    # Extracted text may break lines or space glyph runs differently than Babel writes.
    return re.sub(r"\s+", "", BIDI_MARKS.sub("", text))


def _shown(value, text, language):
    """Is `value` in the extracted text? Right-to-left text comes out of the PDF in
    visual order, so there each of its words (a number, a currency sign) is looked for."""
    if language in RIGHT_TO_LEFT_LANGUAGES:
        words = BIDI_MARKS.sub(" ", value).replace("\xa0", " ").split()
        return all(_squash(word) in text for word in words)
    return _squash(value) in text


@pytest.mark.parametrize("language", DOCUMENT_LANGUAGES)
def test_invoice_and_credit_note_in_every_language(documents, language):
    invoice, note = documents
    fmt = Formatter(language, "EUR")
    with translation.override(language):
        invoice_title, note_title = _("Invoice"), _("Credit note")
        amount_due_label = _("Amount due")
    text = _squash(_text(pdf.invoice_pdf(invoice, language)))
    for shown in (invoice_title, amount_due_label, fmt.money(invoice.total),
                  fmt.date(invoice.finalized_at)):  # fmt: skip
        assert _shown(shown, text, language), shown
    note_text = _squash(_text(pdf.credit_note_pdf(note, language)))
    for shown in (note_title, fmt.money(note.amount)):
        assert _shown(shown, note_text, language), shown
