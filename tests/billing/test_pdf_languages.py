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


def test_every_tax_id_type_and_stamp_is_in_the_catalogs():
    """With test_catalog_translates_every_document_string, every language has them."""
    from customers.tax_ids import TAX_ID_TYPES

    english = _messages(_catalog("en"))
    labels = {label for label, *_ in TAX_ID_TYPES.values()}
    assert labels | {"Paid", "Uncollectible"} <= set(english)


@pytest.fixture
def seller_in_san_francisco(db):
    from customers.models import LegalEntity

    LegalEntity.objects.filter(is_default=True).update(
        address_line1="311 Market Street", address_city="San Francisco", address_state="CA",
        address_postal_code="94105", address_country="US", tax_id="US123",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "label", "seller_country", "customer_country"),
    [("fr", "Numéro de TVA européen", "États-Unis", "Royaume-Uni"),
     ("de", "Europäische USt-IdNr.", "Vereinigte Staaten", "Vereinigtes Königreich"),
     ("ja", "EU VAT 番号", "アメリカ合衆国", "イギリス"),
     ("ar", "رقم ضريبة القيمة المضافة الأوروبي", "الولايات المتحدة", "المملكة المتحدة")],
)  # fmt: skip
def test_tax_id_types_and_countries_are_in_the_documents_language(
    seller_in_san_francisco, language, label, seller_country, customer_country
):
    customer = make_customer(address_line1="10 Downing Street", address_city="London",
                             address_postal_code="SW1A 2AA", address_country="GB",
                             tax_ids=[{"type": "eu_vat", "value": "DE136695976"}])  # fmt: skip
    invoice = make_invoice(customer, 1000, finalize=True)
    text = _squash(_text(pdf.invoice_pdf(invoice, language)))
    for shown in (label, seller_country, customer_country):
        assert _shown(shown, text, language), shown
    assert "EuropeanVATnumber" not in text and "UnitedStates" not in text


def test_address_lines_follow_the_countrys_format(seller_in_san_francisco):
    customer = make_customer(address_line1="10 Downing Street", address_city="London",
                             address_postal_code="SW1A 2AA", address_country="GB")  # fmt: skip
    invoice = make_invoice(customer, 1000, finalize=True)
    lines = _text(pdf.invoice_pdf(invoice, "en")).splitlines()
    assert "San Francisco, CA 94105" in lines
    london = lines.index("London")
    assert lines[london + 1 : london + 3] == ["SW1A 2AA", "United Kingdom"]


def test_an_invoice_issued_before_address_parts_were_kept_still_shows_its_lines(db):
    customer = make_customer(address_line1="1 Old Street", address_country="GB")
    invoice = make_invoice(customer, 1000, finalize=True)
    snapshot = {k: v for k, v in invoice.customer_snapshot.items() if not k.endswith("_parts")}
    snapshot["address"] = ["1 Old Street", "Kept Town", "United Kingdom"]
    type(invoice).objects.filter(pk=invoice.pk).update(customer_snapshot=snapshot)
    invoice.refresh_from_db()
    assert "Kept Town" in _text(pdf.invoice_pdf(invoice, "en"))
