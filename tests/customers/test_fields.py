"""A customer's fields are declared once, on the model; every other list follows it or
is tied to it by the system check (docs/decisions.md, "Adding a customer field")."""

import pytest

from customers.checks import check_profile_fields, profile_field_errors
from customers.field_cleaning import is_code, is_defaulted
from customers.forms import SECTIONS, CustomerForm, form_sections
from customers.models import PROFILE_FIELDS, SHIPPING_DETAILS, Customer
from customers.resources import COLUMNS, NOT_EXPORTED


def _messages(errors):
    return [(error.id, error.msg) for error in errors]


def test_the_profile_is_every_field_the_model_leaves_editable():
    editable = [f.name for f in Customer._meta.concrete_fields if f.editable and f.name != "id"]
    assert editable == PROFILE_FIELDS
    assert {"public_id", "name_key", "email_key", "created", "deleted_at"}.isdisjoint(editable)
    assert set(SHIPPING_DETAILS) == {f for f in PROFILE_FIELDS if f.startswith("shipping_")} - {
        "shipping_name"
    }


@pytest.mark.django_db
def test_the_form_shows_every_profile_field_once():
    shown = [field.name for _, fields, _ in form_sections(CustomerForm()) for field in fields]
    assert sorted(shown) == sorted(PROFILE_FIELDS)


def test_the_export_has_every_profile_field_it_does_not_leave_out():
    exported = set(COLUMNS) - {"id", "created", "tax_ids"}
    assert exported == set(PROFILE_FIELDS) - NOT_EXPORTED


def test_the_shipped_lists_pass_the_check():
    assert check_profile_fields(None) == []


def test_a_field_the_form_leaves_out_is_an_error():
    errors = profile_field_errors([*PROFILE_FIELDS, "nickname"], sections=SECTIONS,
                                  named_elsewhere={})  # fmt: skip
    assert _messages(errors) == [
        ("customers.E003", "The customer field 'nickname' is in no section of the customer form.")
    ]


def test_a_field_in_two_sections_is_an_error():
    sections = [*SECTIONS, ("Again", ["email"])]
    errors = profile_field_errors(PROFILE_FIELDS, sections=sections, named_elsewhere={})
    assert _messages(errors) == [
        ("customers.E003", "The customer field 'email' is in more than one section of the "
                           "customer form.")
    ]  # fmt: skip


def test_a_name_that_is_no_profile_field_is_an_error():
    sections = [*SECTIONS, ("Old", ["fax"])]
    errors = profile_field_errors(PROFILE_FIELDS, sections=sections,
                                  named_elsewhere={"the export": {"telex"}})  # fmt: skip
    assert _messages(errors) == [
        ("customers.E003", "the form's SECTIONS names 'fax', which is no customer profile field."),
        ("customers.E003", "the export names 'telex', which is no customer profile field."),
    ]


@pytest.mark.django_db
def test_the_import_reads_which_columns_default_and_which_hold_codes_from_the_model():
    # A blank cell of a field that cannot be blank but gets a value anyway (a default, or
    # a generated prefix) means "not given"; a code field's cell is uppercased.
    form = CustomerForm()
    fields = {name: Customer._meta.get_field(name) for name in PROFILE_FIELDS}
    defaulted = {name for name, field in fields.items() if is_defaulted(field, form.fields[name])}
    assert defaulted & set(COLUMNS) == {
        "tax_exempt", "payment_terms_days", "next_invoice_sequence", "invoice_prefix"
    }  # fmt: skip
    assert {name for name, field in fields.items() if is_code(field)} == {
        "address_country", "shipping_country", "default_currency", "invoice_prefix"
    }  # fmt: skip
