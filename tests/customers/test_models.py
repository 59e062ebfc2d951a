from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from core.ids import ID_ALPHABET, random_strings
from customers import reference
from customers.models import Customer, LegalEntity
from customers.services import PREFIX_ALPHABET
from customers.tax_ids import TAX_ID_TYPES, clean_tax_id_value
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _customer(**fields):
    fields = {"name": "Ada", "email": "ada@example.com", "invoice_prefix": "ADA1", **fields}
    return Customer(legal_entity=LegalEntity.objects.default(), **fields)


def test_public_id_looks_like_stripe_and_is_unique():
    first, second = make_customer(), make_customer()
    assert first.public_id.startswith("cus_") and len(first.public_id) == 18
    assert first.public_id != second.public_id


def test_random_strings_use_every_character_of_the_alphabet_evenly():
    strings = random_strings("ABC", 5, 200_000)
    assert len(strings) == 200_000 and {len(s) for s in strings} == {5}
    counts = Counter("".join(strings))
    # 333,333 draws of each expected, give or take 471 (one standard deviation). Taking
    # every byte modulo 3 would favour "A" (86 of the 256 byte values) by about 2,600.
    assert set(counts) == {"A", "B", "C"}
    assert all(abs(count - 1_000_000 / 3) < 2_000 for count in counts.values()), counts


@pytest.mark.parametrize("alphabet", [ID_ALPHABET, PREFIX_ALPHABET, ID_ALPHABET + "-_"])
def test_random_strings_draw_from_the_whole_alphabet_and_nothing_else(alphabet):
    # 62 and 36 characters drop the last 8 and 4 byte values; 64 drop none.
    counts = Counter("".join(random_strings(alphabet, 20, 10_000)))
    assert set(counts) == set(alphabet)
    expected = 200_000 / len(alphabet)  # 3,125 to 5,556, give or take 56 to 73
    assert all(abs(count - expected) < 450 for count in counts.values()), counts


def test_invoice_prefix_is_generated_when_blank():
    customer = make_customer(invoice_prefix="")
    assert 3 <= len(customer.invoice_prefix) <= 12
    assert customer.invoice_prefix.isupper() or customer.invoice_prefix.isalnum()


@pytest.mark.parametrize("prefix", ["AB", "abc", "TOOLONGPREFIX1", "AB-C"])
def test_invoice_prefix_must_be_3_to_12_uppercase_letters_or_digits(prefix):
    with pytest.raises(ValidationError) as error:
        _customer(invoice_prefix=prefix).full_clean()
    assert "invoice_prefix" in error.value.message_dict


def test_invoice_prefix_is_unique():
    make_customer(invoice_prefix="ACME")
    with pytest.raises(ValidationError) as error:
        _customer(invoice_prefix="ACME").full_clean()
    assert "invoice_prefix" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 257),
        ("email", "not-an-email"),
        ("email", "a" * 510 + "@example.com"),
        ("phone", "call me maybe"),
        ("phone", "+1 555 555 5555 55555"),
        ("address_country", "XX"),
        ("address_country", "usa"),
        ("default_currency", "ABC"),
        ("default_currency", "usd"),
        ("preferred_locales", ["xx"]),
        ("preferred_locales", ["en", "en"]),
        ("preferred_locales", "en"),
        ("tax_exempt", "sometimes"),
        ("next_invoice_sequence", 0),
        ("payment_terms_days", 400),
    ],
)
def test_bad_values_are_rejected(field, value):
    with pytest.raises(ValidationError) as error:
        _customer(**{field: value}).full_clean()
    assert field in error.value.message_dict


@pytest.mark.parametrize(
    "metadata",
    [
        {f"k{i}": "v" for i in range(51)},
        {"k" * 41: "v"},
        {"key": "v" * 501},
        {"key": 5},
        {"a[b]": "v"},
    ],
)
def test_metadata_follows_stripes_limits(metadata):
    with pytest.raises(ValidationError) as error:
        _customer(metadata=metadata).full_clean()
    assert "metadata" in error.value.message_dict


def test_metadata_at_the_limits_is_accepted():
    metadata = {f"{i:040d}": "v" * 500 for i in range(50)}
    _customer(metadata=metadata).full_clean()


@pytest.mark.parametrize(
    "custom_fields",
    [
        [{"name": f"n{i}", "value": "v"} for i in range(5)],
        [{"name": "n" * 31, "value": "v"}],
        [{"name": "n", "value": "v" * 31}],
        [{"name": "", "value": "v"}],
        [{"name": "n"}],
    ],
)
def test_invoice_custom_fields_limits(custom_fields):
    with pytest.raises(ValidationError) as error:
        _customer(invoice_custom_fields=custom_fields).full_clean()
    assert "invoice_custom_fields" in error.value.message_dict


def test_shipping_address_needs_a_recipient_name():
    with pytest.raises(ValidationError) as error:
        _customer(shipping_line1="1 Main St").full_clean()
    assert "shipping_name" in error.value.message_dict
    _customer(shipping_line1="1 Main St", shipping_name="Dock 4").full_clean()


def test_supported_languages_are_stripes_41_plus_arabic_and_hebrew():
    assert len(reference.DOCUMENT_LANGUAGES) == 43
    assert {"fr-CA", "pt-BR", "es-419", "zh-HK", "ar", "he"} <= set(reference.DOCUMENT_LANGUAGES)
    assert reference.normalize_language_tag("FR_ca") == "fr-CA"
    assert reference.normalize_language_tag("klingon") is None


@pytest.mark.parametrize("tax_type", sorted(TAX_ID_TYPES))
def test_each_tax_id_type_accepts_its_example(tax_type):
    example = TAX_ID_TYPES[tax_type][3]
    assert clean_tax_id_value(tax_type, example)


@pytest.mark.parametrize(
    ("tax_type", "value"),
    [("eu_vat", "DE123456789"), ("us_ein", "12"), ("gb_vat", "GB123"), ("au_abn", "12345678912"),
     ("ae_trn", "12345"), ("za_vat", "5123456789"), ("eu_vat", "")],
)  # fmt: skip
def test_malformed_tax_ids_get_a_clear_message(tax_type, value):
    with pytest.raises(ValidationError) as error:
        clean_tax_id_value(tax_type, value)
    message = error.value.messages[0]
    assert "valid" in message or "Enter" in message


def test_tax_id_message_names_the_type_and_an_example():
    with pytest.raises(ValidationError) as error:
        clean_tax_id_value("eu_vat", "DE123456789")
    assert error.value.messages == [
        "This is not a valid European VAT number. It should look like DE136695976."
    ]


def test_the_sqlite_version_check_refuses_a_version_without_the_json_arrow(monkeypatch):
    from django.db import connection

    from customers import checks

    databases = ["default"]
    assert checks.check_sqlite_version(None, databases=databases) == []
    if connection.vendor != "sqlite":
        return
    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", (3, 37, 2))
    monkeypatch.setattr(checks.sqlite3, "sqlite_version", "3.37.2")
    (error,) = checks.check_sqlite_version(None, databases=databases)
    assert error.id == "customers.E001" and "3.37.2 is too old" in error.msg
