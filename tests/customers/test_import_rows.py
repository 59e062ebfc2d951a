"""Cells the check accepts can be written on both databases: what a column or a date
cannot hold is a row error on its cell, never a crash of the import."""

import datetime

import pytest
from django.utils import timezone

from customers.imports.services import import_apply, import_check, import_create
from customers.models import Customer, CustomerAlias, CustomerImport

pytestmark = pytest.mark.django_db
Status = CustomerImport.Status
CREATED_ERROR = "Enter a date and time from 1970-01-01 to today, like 2024-05-01 13:45:00 (UTC)."


def _checked(text):
    customer_import = import_create(data=text.encode(), file_name="customers.csv")
    import_check(customer_import)
    customer_import.refresh_from_db()
    return customer_import


def _errors(customer_import):
    return [(e["line"], e["column"], e["message"]) for e in customer_import.errors]


def _import_valid_rows(customer_import):
    """Imports the valid rows: the invalid one must be left out, not crash the writes."""
    import_apply(customer_import, valid_rows_only=True)
    customer_import.refresh_from_db()
    assert customer_import.status == Status.DONE, customer_import.failure
    return set(Customer.objects.values_list("name", flat=True))


@pytest.mark.parametrize(
    "created",
    [
        "9999-12-31T23:59:59-12:00",  # the issue's: past year 9999 in UTC
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "9999-12-31 23:59",  # storable, but no customer was created then
        "1969-12-31T23:59:59+00:00",  # before Unix time, where Stripe's `created` starts
    ],
)
def test_a_created_date_out_of_range_is_an_error_on_its_cell(created):
    text = f"name,email,created\nGood,good@example.com,\nBad,bad@example.com,{created}\n"
    customer_import = _checked(text)
    assert _errors(customer_import) == [(3, "created", CREATED_ERROR)]
    assert _import_valid_rows(customer_import) == {"Good"}


def test_the_created_range_ends_are_imported():
    now = timezone.now().replace(microsecond=0)
    text = (
        "name,email,created\n"
        "First,first@example.com,1970-01-01T00:00:00+00:00\n"
        f"Last,last@example.com,{now.isoformat()}\n"
        # A day ahead at most: a file written in local time read as UTC.
        f"Ahead,ahead@example.com,{(now + datetime.timedelta(hours=14)).isoformat()}\n"
    )
    customer_import = _checked(text)
    assert customer_import.invalid == 0, customer_import.errors
    assert _import_valid_rows(customer_import) == {"First", "Last", "Ahead"}
    created = dict(Customer.objects.values_list("name", "created"))
    assert created["First"] == datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    assert created["Last"] == now


@pytest.mark.parametrize(
    "column, value",
    [
        ("payment_terms_days", "9" * 30),
        ("payment_terms_days", "-1"),
        ("payment_terms_days", "40000"),  # past a PostgreSQL smallint
        ("next_invoice_sequence", str(2**63)),  # past any database's integer
        ("next_invoice_sequence", "9" * 5000),  # past what Python's int() reads
        ("next_invoice_sequence", "1e9"),
    ],
)
def test_numbers_no_column_can_hold_are_errors_on_their_cell(column, value):
    text = f"name,email,{column}\nGood,good@example.com,1\nBad,bad@example.com,{value}\n"
    customer_import = _checked(text)
    assert [(line, col) for line, col, _m in _errors(customer_import)] == [(3, column)]
    assert _import_valid_rows(customer_import) == {"Good"}


def test_a_sequence_past_postgresqls_integer_is_an_error_there_and_kept_elsewhere():
    """The model's range validators are the database's own: 2**31 fits SQLite's integer
    and not PostgreSQL's; either way the import does not crash."""
    from django.db import connection

    text = f"name,email,next_invoice_sequence\nBig,big@example.com,{2**31}\n"
    customer_import = _checked(text)
    if connection.vendor == "postgresql":
        assert [e[1] for e in _errors(customer_import)] == ["next_invoice_sequence"]
        assert _import_valid_rows(customer_import) == set()
    else:
        assert customer_import.invalid == 0
        assert _import_valid_rows(customer_import) == {"Big"}
        assert Customer.objects.get().next_invoice_sequence == 2**31


@pytest.mark.parametrize(
    "stripe_id, message",
    [
        ("cus_" + "x" * 300, "Ensure this value has at most 255 characters (it has 304)."),
        ('"cus_1\ncus_2"', "Remove the line breaks"),
    ],
)
def test_a_stripe_id_no_external_id_can_hold_is_an_error_on_its_cell(stripe_id, message):
    text = (
        "id,Email,Name,Created (UTC)\n"
        "cus_good,good@example.com,Good,2021-03-04 05:06\n"
        f"{stripe_id},bad@example.com,Bad,2021-03-04 05:06\n"
    )
    customer_import = _checked(text)
    assert [(line, column) for line, column, _m in _errors(customer_import)] == [(3, "id")]
    assert message in _errors(customer_import)[0][2]
    assert _import_valid_rows(customer_import) == {"Good"}
    assert list(CustomerAlias.objects.values_list("alias", flat=True)) == ["cus_good"]
