import re

import pytest
from django.http import QueryDict

from customers.forms import CustomerProfileForms
from tests.factories import make_customer, profile_post_data

pytestmark = pytest.mark.django_db


def _valid(**overrides):
    profile = CustomerProfileForms(profile_post_data(**overrides))
    return profile, profile.is_valid()


def test_minimal_form_needs_name_and_account_email():
    profile, valid = _valid(name="", email="")
    assert not valid
    assert profile.form.errors == {
        "name": ["Enter the customer's name."],
        "email": ["Enter the account email."],
    }


def test_languages_are_parsed_in_order_and_normalised():
    profile, valid = _valid(preferred_locales="fr_ca, EN  pt-br")
    assert valid, profile.form.errors
    assert profile.form.cleaned_data["preferred_locales"] == ["fr-CA", "en", "pt-BR"]


def test_unknown_language_is_named_in_the_error():
    profile, valid = _valid(preferred_locales="fr-CA, tlh")
    assert not valid
    assert "“tlh” is not a language" in profile.form.errors["preferred_locales"][0]


def test_metadata_lines_become_a_dict():
    profile, valid = _valid(metadata="internal_id=42\n\nplan = pro ")
    assert valid, profile.form.errors
    assert profile.form.cleaned_data["metadata"] == {"internal_id": "42", "plan": "pro"}


@pytest.mark.parametrize(
    ("text", "message"),
    [("no equals sign", "Line 1: write each entry as key=value."),
     ("a=1\na=2", "Line 2: the key “a” is already used above."),
     ("k" * 41 + "=v", "must be 1 to 40 characters")],
)  # fmt: skip
def test_metadata_errors_say_which_line(text, message):
    profile, valid = _valid(metadata=text)
    assert not valid
    assert message in profile.form.errors["metadata"][0]


def test_custom_fields_become_name_value_pairs():
    profile, valid = _valid(invoice_custom_fields="PO=1234\nDept=Ops")
    assert valid, profile.form.errors
    assert profile.form.cleaned_data["invoice_custom_fields"] == [
        {"name": "PO", "value": "1234"},
        {"name": "Dept", "value": "Ops"},
    ]


def test_tax_id_rows_are_validated():
    profile, valid = _valid(**{"tax_ids-0-type": "eu_vat", "tax_ids-0-value": "DE123456789"})
    assert not valid
    assert "not a valid European VAT number" in profile.tax_ids.forms[0].errors["value"][0]


def test_blank_rows_are_ignored_and_filled_rows_kept():
    profile, valid = _valid(**{"tax_ids-0-type": "eu_vat", "tax_ids-0-value": "de 136695976"})
    assert valid, profile.tax_ids.errors
    kwargs = profile.service_kwargs()
    assert kwargs["tax_ids"] == [{"type": "eu_vat", "value": "DE136695976"}]
    assert kwargs["contacts"] == [] and kwargs["aliases"] == []


def test_alias_of_another_customer_is_rejected():
    make_customer(aliases=["crm-7"])
    profile, valid = _valid(**{"aliases-0-alias": "crm-7"})
    assert not valid
    assert "already has the external ID" in profile.aliases.forms[0].errors["alias"][0]


def test_invoice_prefix_is_uppercased_and_checked_for_uniqueness():
    make_customer(invoice_prefix="TAKEN")
    profile, valid = _valid(invoice_prefix="taken")
    assert not valid
    assert "invoice_prefix" in profile.form.errors


def test_edit_form_starts_from_the_customer():
    customer = make_customer(metadata={"a": "1"}, preferred_locales=["de", "en"],
                             aliases=["crm-9"])  # fmt: skip
    profile = CustomerProfileForms(customer=customer)
    metadata = str(profile.form["metadata"])
    assert 'name="metadata_key" value="a"' in metadata
    assert 'name="metadata_value" value="1"' in metadata
    languages = str(profile.form["preferred_locales"])
    assert languages.index('value="de" selected') < languages.index('value="en" selected')
    assert profile.aliases.initial == [{"alias": "crm-9"}]


def test_metadata_key_with_empty_value_is_unset():
    profile, valid = _valid(metadata="keep=1\ndrop=")
    assert valid, profile.form.errors
    assert profile.form.cleaned_data["metadata"] == {"keep": "1"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Bell\x07 Co"), ("name", "Two\nlines"), ("address_city", "Nul\x00City"),
     ("description", "Escape \x1b[31m"), ("metadata", "k=v\x00"), ("metadata", 'we"ird=1'),
     ("metadata", "back\\slash=1"), ("invoice_custom_fields", "PO=1\x07")],
)  # fmt: skip
def test_control_characters_and_bad_keys_are_refused(field, value):
    profile, valid = _valid(**{field: value})
    assert not valid
    assert field in profile.form.errors


def test_tabs_and_line_breaks_are_fine_in_a_description():
    profile, valid = _valid(description="Line one\r\n\tLine two")
    assert valid, profile.form.errors


# The metadata rows and the language menus (customers/widgets.py)


def _rows_data(rows=(), languages=(), **overrides):
    """POST data as the editors send it: a marker, then one key and value a row."""
    data = QueryDict(mutable=True)
    data.update(profile_post_data(**overrides))
    data["metadata_rows"] = "1"
    data["preferred_locales_rows"] = "1"
    for key, value in rows:
        data.appendlist("metadata_key", key)
        data.appendlist("metadata_value", value)
    for tag in languages:
        data.appendlist("preferred_locales", tag)
    return data


def _valid_rows(rows=(), languages=(), **overrides):
    profile = CustomerProfileForms(_rows_data(rows, languages, **overrides))
    return profile, profile.is_valid()


def test_metadata_rows_become_a_dict_blank_rows_ignored_empty_value_unset():
    rows = [("internal_id", " 42 "), ("", ""), ("plan", "pro"), ("drop", ""), ("", "")]
    profile, valid = _valid_rows(rows)
    assert valid, profile.form.errors
    assert profile.form.cleaned_data["metadata"] == {"internal_id": "42", "plan": "pro"}


def test_a_key_may_contain_an_equals_sign_in_a_row():
    profile, valid = _valid_rows([("a=b", "c")])
    assert valid, profile.form.errors
    assert profile.form.cleaned_data["metadata"] == {"a=b": "c"}


@pytest.mark.parametrize(
    ("rows", "message"),
    [([("", "orphan")], "Row 1: enter a key for the value “orphan”."),
     ([("a", "1"), ("a", "2")], "Row 2: the key “a” is already used above."),
     ([("k" * 41, "v")], "Metadata key “" + "k" * 41 + "” must be 1 to 40 characters."),
     ([("k", "v" * 501)], "The value for metadata key “k” is longer than 500 characters."),
     ([(f"k{n}", "v") for n in range(51)], "Metadata can have at most 50 keys."),
     ([('we"ird', "1")], "cannot contain square brackets, quotes or backslashes")],
)  # fmt: skip
def test_metadata_row_errors_keep_the_rules_and_messages(rows, message):
    profile, valid = _valid_rows(rows)
    assert not valid
    assert message in profile.form.errors["metadata"][0]


def test_invalid_rows_are_shown_again_as_typed():
    profile, valid = _valid_rows([("plan", "pro"), ("plan", "max")])
    assert not valid
    html = str(profile.form["metadata"])
    assert 'value="pro"' in html and 'value="max"' in html
    assert 'aria-invalid="true"' in html


def _key_inputs(html):
    return re.findall(r'<input type="text" name="metadata_key"[^>]*>', html)


@pytest.mark.parametrize(
    ("rows", "row"),
    [([("plan", "pro"), ("", ""), ("plan", "max")], 3),
     ([("a", "1"), ("b", "v" * 501), ("c", "3")], 2),
     ([("a", "1"), ('we"ird', "2")], 2)],
)  # fmt: skip
def test_only_the_row_in_error_is_marked_and_rows_are_numbered(rows, row):
    profile, valid = _valid_rows(rows)
    assert not valid
    keys = _key_inputs(str(profile.form["metadata"]))
    assert [i for i, key in enumerate(keys, start=1) if 'aria-invalid="true"' in key] == [row]
    assert f'aria-label="Key {row}"' in keys[row - 1]
    assert 'aria-label="Value 1"' in str(profile.form["metadata"])


def test_all_rows_removed_clears_the_metadata():
    customer = make_customer(metadata={"a": "1"})
    profile = CustomerProfileForms(_rows_data(), customer=customer)
    assert profile.is_valid(), profile.form.errors
    assert profile.form.cleaned_data["metadata"] == {}


def test_blank_form_offers_empty_metadata_rows_and_language_menus():
    profile = CustomerProfileForms()
    assert str(profile.form["metadata"]).count('name="metadata_key"') == 3 + 1  # + template
    languages = str(profile.form["preferred_locales"])
    assert "French (France) · Français (fr)" in languages
    assert "English (US) (en)" in languages


def test_language_menus_keep_the_order_chosen():
    profile, valid = _valid_rows(languages=["pt-BR", "", "fr-CA", "en"])
    assert valid, profile.form.errors
    assert profile.form.cleaned_data["preferred_locales"] == ["pt-BR", "fr-CA", "en"]


def test_language_menus_refuse_a_repeat_or_an_unknown_tag_with_the_same_messages():
    profile, valid = _valid_rows(languages=["de", "tlh"])
    assert not valid
    assert "“tlh” is not a language" in profile.form.errors["preferred_locales"][0]
    assert '<option value="tlh" selected>tlh</option>' in str(profile.form["preferred_locales"])
    profile, valid = _valid_rows(languages=["de", "de"])
    assert valid and profile.form.cleaned_data["preferred_locales"] == ["de"]
