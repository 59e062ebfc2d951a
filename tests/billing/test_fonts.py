import io
import re

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from billing import fonts
from billing.pdf import invoice_pdf
from tests.billing.test_pdf import pdf_text
from tests.billing.test_pdf_languages import _catalog, _messages
from tests.factories import make_customer, make_invoice

REGION_OF_LANGUAGE = {"ja": "JP", "ko": "KR", "zh": "SC", "zh-TW": "TC", "zh-HK": "HK"}
RARE_KANJI = "鬱"  # JIS X 0208 level 2: left out of the cut Japanese font


def _characters(region, weight="Regular"):
    path = fonts.font_path(region, weight)
    assert path.exists(), f"{path.name} is missing: `make fonts` builds it"
    return set(TTFont(path)["cmap"].getBestCmap())


def _font_names(content):
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(font.get_object()["/BaseFont"].split("+", 1)[1])
    return names


@pytest.mark.parametrize("weight", fonts.WEIGHTS)
@pytest.mark.parametrize(("language", "region"), REGION_OF_LANGUAGE.items())
def test_cut_font_covers_every_label_of_its_languages(language, region, weight):
    labels = "".join(_messages(_catalog(language)).values())
    labels = re.sub(r"%\(\w+\)s|\s", "", labels)
    missing = {c for c in labels if ord(c) not in _characters(region, weight)}
    assert not missing, f"{language} labels would fall back to the full font: {missing}"


def test_cut_font_is_smaller_than_the_full_face():
    characters = _characters("JP")
    assert 4_000 < len(characters) < 10_000
    assert ord(RARE_KANJI) not in characters


@pytest.mark.django_db
def test_japanese_invoice_uses_the_cut_font_and_the_full_face_for_rare_kanji():
    customer = make_customer(name=f"{RARE_KANJI}金香株式会社", preferred_locales=["ja"],
                             default_currency="JPY", address_country="JP")  # fmt: skip
    content = invoice_pdf(make_invoice(customer, 5000, currency="JPY"))
    names = _font_names(content)
    assert {"Invoice-CJK-JP", "Invoice-CJK-JP-Bold"} <= names
    assert "Noto-Sans-CJK-JP-Bold" in names  # the bold customer name's rare kanji
    assert f"{RARE_KANJI}金香株式会社" in pdf_text(content)
    assert "請求書" in pdf_text(content)


@pytest.mark.django_db
def test_latin_invoice_embeds_no_cjk_font():
    customer = make_customer(name="Ada Lovelace", preferred_locales=["en"])
    names = _font_names(invoice_pdf(make_invoice(customer, 5000)))
    assert names <= {"Noto-Sans", "Noto-Sans-Bold"}
