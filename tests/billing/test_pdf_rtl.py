"""Arabic and Hebrew documents: every data value is a directional isolate, so a Latin or
number run keeps its order inside right-to-left text ("311 Market Street", not "Market
Street 311"), and labels keep apart from the values beside them. Checked on the text
taken out of the PDF, which comes out in the order it is drawn."""

import html
import io
import re
import subprocess
import unicodedata

import pytest
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from billing import pdf
from billing.documents import FSI, PDI, Formatter, isolate
from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    customer = make_customer(name="Ada Lovelace", default_currency="CAD",
                             address_line1="311 Market Street", address_city="Paris",
                             address_postal_code="75002", address_country="FR")  # fmt: skip
    return make_invoice(customer, 54999, currency="CAD", finalize=True)


def _drawn(content):
    """The PDF's text in drawing order, without spaces or bidi marks."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[\s\u200e\u200f\u061c\u2066-\u2069]", "", text)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_latin_and_number_runs_keep_their_order_in_right_to_left_documents(invoice, language):
    text = _drawn(pdf.invoice_pdf(invoice, language))
    assert "311MarketStreet" in text and "MarketStreet311" not in text
    assert "75002Paris" in text and "Paris75002" not in text
    # The amount reads "549.99 CA$" right to left: drawn as "CA$ 549.99", the symbol whole.
    assert "CA$549.99" in text and "$CA" not in text


@pytest.mark.parametrize("language", ["ar", "he"])
def test_the_amount_keeps_its_symbol_whole_and_its_marks(language):
    money = Formatter(language, "CAD").money(54999)
    assert "\u2066CA$\u2069" in money and money.startswith("\u200f549.99")
    assert Formatter("fr", "CAD").money(54999) == "549,99\xa0$CA"  # left to right: untouched


def test_isolate_wraps_values_and_leaves_empty_ones_empty():
    assert isolate("311 Market Street") == f"{FSI}311 Market Street{PDI}"
    assert isolate("") == "" and isolate(None) == ""


def _words(content, tmp_path):
    """(text, xMin, xMax, yMin) of every word poppler's pdftotext finds."""
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
    return [(html.unescape(text), float(x0), float(x1), float(y0))
            for x0, y0, x1, text in re.findall(pattern, out)]  # fmt: skip


def _same(drawn, word):
    """poppler gives a right-to-left word's letters in drawing order, as presentation
    forms (لا as one glyph): compare the letters."""
    return sorted(unicodedata.normalize("NFKC", drawn)) == sorted(word)


@pytest.mark.parametrize("language", ["ar", "he"])
def test_labels_and_values_are_apart_in_right_to_left_documents(invoice, language, tmp_path):
    """The label "تاريخ الاستحقاق" and the date beside it: a gap between them, not one run."""
    with translation.override(language):
        label = gettext("Date due").split()
    words = _words(pdf.invoice_pdf(invoice, language), tmp_path)
    last = [w for w in words if _same(w[0], label[-1])]
    assert last, f"{label} drawn joined to something: {words[:16]}"
    y = last[0][3]
    found = [w for w in words if abs(w[3] - y) < 5 and any(_same(w[0], part) for part in label)]
    assert len(found) == len(label), f"{label} drawn joined to something: {words[:16]}"
    x_min = min(w[1] for w in found)
    value_left_of_it = [w for w in words if abs(w[3] - y) < 5 and w[2] <= x_min + 0.5]
    assert value_left_of_it, "the date is beside the label"
    gap = x_min - max(w[2] for w in value_left_of_it)
    assert gap >= 10, f"label and value {gap:.1f} pt apart"
