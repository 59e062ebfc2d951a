"""The import page's state while rows are invalid, its download of the invalid rows and the
template CSV (bug 7 of issue 16)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.imports.downloads import TEMPLATE_COLUMNS
from customers.imports.services import import_apply, import_check, import_create
from customers.models import Customer, CustomerImport

pytestmark = pytest.mark.django_db
Status = CustomerImport.Status

# Lines 3 and 5 are invalid (the header is line 1); line 4's phone starts with "+" and
# line 5's name with "=", so they come back neutralised.
TWO_INVALID = (
    "name,email,phone\n"
    "Ada Lovelace,ada@example.com,\n"
    "Bad Row,not-an-email,+44 20 7946 0000\n"
    "Grace Hopper,grace@example.com,\n"
    '"=HYPERLINK(""x"")",also bad,\n'
)


def _uploaded(client, text, name="customers.csv"):
    upload = SimpleUploadedFile(name, text.encode(), "text/csv")
    response = client.post(reverse("customers:import_new"), {"file": upload})
    assert response.status_code == 302
    return CustomerImport.objects.get()


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _error_rows_url(record):
    return reverse("customers:import_error_rows", args=[record.public_id])


def test_invalid_rows_make_the_heading_say_so_and_import_waits_for_valid_rows_only(
    billing_client,
):
    record = _uploaded(billing_client, TWO_INVALID)
    page = billing_client.get(record.get_absolute_url()).content.decode()
    assert "<h2>2 rows need fixing</h2>" in page
    assert "Ready to import" not in page
    # Rendered enabled, so that it works without JavaScript; app.js disables it while
    # the box is clear, and the server refuses it then (below).
    assert '<button type="submit" class="primary" id="import-confirm">' in page
    assert 'data-enables="import-confirm"' in page
    assert f'href="{_error_rows_url(record)}"' in page

    confirm = reverse("customers:import_confirm", args=[record.public_id])
    refused = billing_client.post(confirm, follow=True).content.decode()
    assert "This file cannot be imported as it is." in refused
    assert not Customer.objects.exists()
    billing_client.post(confirm, {"valid_rows_only": "on"})
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "Ada Lovelace",
        "Grace Hopper",
    ]


def test_one_invalid_row_reads_in_the_singular(billing_client):
    record = _uploaded(billing_client, "name,email\nAda,ada@example.com\nBad,nope\n")
    page = billing_client.get(record.get_absolute_url()).content.decode()
    assert "<h2>1 row needs fixing</h2>" in page


def test_a_valid_file_is_ready_to_import_with_the_button_enabled(billing_client):
    record = _uploaded(billing_client, "name,email\nAda,ada@example.com\n")
    page = billing_client.get(record.get_absolute_url()).content.decode()
    assert "<h2>Ready to import</h2>" in page
    assert '<button type="submit" class="primary" id="import-confirm">' in page
    assert _error_rows_url(record) not in page


def test_the_htmx_status_fragment_shows_the_same_heading(billing_client, htmx):
    record = _uploaded(billing_client, TWO_INVALID)
    fragment = billing_client.get(record.get_absolute_url(), **htmx).content.decode()
    assert "<h2>2 rows need fixing</h2>" in fragment and "<html" not in fragment


def test_error_rows_download_holds_the_invalid_rows_with_their_errors(billing_client):
    record = _uploaded(billing_client, TWO_INVALID)
    response = billing_client.get(_error_rows_url(record))
    assert response["Content-Disposition"] == 'attachment; filename="customers-errors.csv"'
    assert _csv(response) == [
        ["name", "email", "phone", "error"],
        ["Bad Row", "not-an-email", "'+44 20 7946 0000", "email: Enter a valid email address."],
        ['\'=HYPERLINK("x")', "also bad", "", "email: Enter a valid email address."],
    ]


def test_the_fixed_error_rows_import_cleanly(billing_client):
    record = _uploaded(billing_client, TWO_INVALID)
    rows = _csv(billing_client.get(_error_rows_url(record)))
    rows[1][1], rows[2][1] = "bad.row@example.com", "hyper@example.com"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    fixed = import_create(data=buffer.getvalue().encode(), file_name="fixed.csv")
    import_check(fixed)
    assert (fixed.to_create, fixed.invalid) == (2, 0)
    assert fixed.ignored_columns == ["error"]
    import_apply(fixed)
    # The neutralising quote is read back off: the phone is as it was uploaded.
    assert Customer.objects.get(email="bad.row@example.com").phone == "+44 20 7946 0000"
    assert Customer.objects.get(email="hyper@example.com").name == '=HYPERLINK("x")'


def test_no_error_rows_once_the_import_is_over_or_when_every_row_is_valid(billing_client):
    valid = _uploaded(billing_client, "name,email\nAda,ada@example.com\n")
    assert billing_client.get(_error_rows_url(valid)).status_code == 404
    valid.delete()
    record = _uploaded(billing_client, TWO_INVALID)
    import_apply(record, valid_rows_only=True)  # the file is dropped once imported
    assert billing_client.get(_error_rows_url(record)).status_code == 404


def test_the_downloads_need_the_import_permission(support_client):
    record = import_create(data=TWO_INVALID.encode(), file_name="c.csv")
    import_check(record)
    assert support_client.get(_error_rows_url(record)).status_code == 403
    assert support_client.get(reverse("customers:import_template")).status_code == 403


def test_the_template_names_the_columns_and_its_example_imports_cleanly(billing_client):
    response = billing_client.get(reverse("customers:import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="customers-import-template.csv"'
    rows = _csv(response)
    assert rows[0] == TEMPLATE_COLUMNS
    assert rows[0][:2] == ["name", "email"] and "id" not in rows[0]
    assert len(rows) == 2
    template = import_create(
        data=billing_client.get(reverse("customers:import_template")).getvalue(),
        file_name="template.csv",
    )
    import_check(template)
    assert (template.to_create, template.invalid, template.ignored_columns) == (1, 0, [])
    import_apply(template)
    ada = Customer.objects.get()
    assert (ada.name, ada.phone, ada.address_country) == (
        "Ada Lovelace",
        "+44 20 7946 0000",
        "GB",
    )


@pytest.mark.parametrize(
    ("file_name", "header"),
    [
        ('my "best" list.csv', r'attachment; filename="my \"best\" list-errors.csv"'),
        ("Müller €\n.csv", "attachment; filename*=utf-8''M%C3%BCller%20%E2%82%AC-errors.csv"),
    ],
)
def test_error_rows_download_name_keeps_quotes_and_non_latin_names_whole(
    billing_client, file_name, header
):
    record = import_create(data=TWO_INVALID.encode(), file_name=file_name)
    import_check(record)
    assert billing_client.get(_error_rows_url(record))["Content-Disposition"] == header
