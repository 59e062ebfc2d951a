"""Importing customers in the browser: upload → preview with an error row → fix →
confirm → progress → done."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from customers import views
from customers.models import Customer, CustomerImport

WITH_AN_ERROR = (
    "name,email\n"
    "Ada Lovelace,ada@example.com\n"
    "Bad Email Ltd,not-an-email\n"
    "Grace Hopper,grace@example.com\n"
)
FIXED = WITH_AN_ERROR.replace("not-an-email", "bad.email@example.com")


@pytest.fixture
def run_worker(monkeypatch):
    """Runs the queued tasks in this thread as `manage.py db_worker --batch` would,
    leaving this process's signal handlers alone."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda worker: None)
    return lambda: call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0
    )


def _upload(page, path):
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Import customers")).to_be_visible()
    dialog.get_by_label("CSV or XLSX file").set_input_files(path)
    dialog.get_by_role("button", name="Check file").click()
    page.wait_for_url("**/customers/imports/*/")


def test_upload_fix_confirm_and_watch_the_import_finish(
    signed_in_page, tmp_path, monkeypatch, run_worker
):
    page = signed_in_page
    status = page.locator("#import-status")

    # Upload a file with one bad row: checked within the request, nothing written.
    with_an_error = tmp_path / "customers.csv"
    with_an_error.write_text(WITH_AN_ERROR)
    page.locator("#import-customers").click()
    _upload(page, with_an_error)
    expect(page.get_by_role("heading", level=1)).to_have_text("Import customers")
    expect(status.get_by_role("heading", name="1 row needs fixing")).to_be_visible()
    counts = page.locator("#import-counts")
    expect(counts).to_contain_text("2 to create")
    expect(counts).to_contain_text("1 invalid")
    error_row = page.locator("#import-errors tbody tr")
    expect(error_row).to_have_count(1)
    expect(error_row.locator("td")).to_have_text(["3", "email", "Enter a valid email address."])
    expect(page.get_by_label("Import the valid rows only")).not_to_be_checked()
    expect(page.locator("#import-confirm")).to_have_text("Import 2 customers")
    assert not Customer.objects.exists()

    # Fix the file and upload it again; from here on it goes through the worker.
    monkeypatch.setattr(views, "INLINE_IMPORT_BYTES", 0)
    fixed = tmp_path / "customers-fixed.csv"
    fixed.write_text(FIXED)
    first_url = page.url
    page.get_by_role("link", name="Upload another file").click()
    _upload(page, fixed)
    assert page.url != first_url
    expect(status.get_by_role("heading", name="Waiting for the background worker…")).to_be_visible()
    expect(status.locator("progress")).to_be_visible()
    record = CustomerImport.objects.get(file_name="customers-fixed.csv")
    assert record.status == CustomerImport.Status.CHECKING

    run_worker()
    # The page polls itself: the counts replace the progress without a reload.
    expect(status.get_by_role("heading", name="Ready to import")).to_be_visible()
    expect(page.locator("#import-counts")).to_contain_text("3 to create")
    expect(page.locator("#import-counts")).to_contain_text("0 invalid")
    expect(page.locator("#import-errors")).to_have_count(0)
    expect(page.get_by_label("Import the valid rows only")).to_have_count(0)
    assert not Customer.objects.exists()

    # Confirm: the worker imports it while the page shows the progress.
    page.locator("#import-confirm").click()
    expect(status.get_by_role("heading", name="Waiting for the background worker…")).to_be_visible()
    expect(status.locator("progress")).to_be_visible()
    assert not Customer.objects.exists()

    run_worker()
    expect(status.get_by_role("heading", name="Imported")).to_be_visible()
    expect(page.locator("#import-result")).to_have_text("3 customers created, 0 updated.")
    expect(status.locator("progress")).to_have_count(0)
    assert sorted(Customer.objects.values_list("email", flat=True)) == [
        "ada@example.com",
        "bad.email@example.com",
        "grace@example.com",
    ]
    record.refresh_from_db()
    assert record.status == CustomerImport.Status.DONE
    assert (record.created_count, record.updated_count) == (3, 0)
    # The first upload was never imported.
    first = CustomerImport.objects.get(file_name="customers.csv")
    assert first.status == CustomerImport.Status.CHECKED

    page.get_by_role("link", name="View customers").click()
    page.wait_for_url("**/customers/")
    expect(page.locator("#customer-table")).to_contain_text("Grace Hopper")


def test_import_waits_for_valid_rows_only_and_offers_the_error_rows(signed_in_page, tmp_path):
    page = signed_in_page
    with_an_error = tmp_path / "customers.csv"
    with_an_error.write_text(WITH_AN_ERROR)
    page.locator("#import-customers").click()

    # The dialog offers a template to start from.
    with page.expect_download() as template:
        page.locator("dialog[open]").get_by_role("link", name="Download a template CSV").click()
    assert template.value.suggested_filename == "customers-import-template.csv"
    assert Path(template.value.path()).read_text().startswith("name,email,")

    _upload(page, with_an_error)
    status = page.locator("#import-status")
    expect(status.get_by_role("heading", name="1 row needs fixing")).to_be_visible()
    expect(status.get_by_role("heading", name="Ready to import")).to_have_count(0)
    confirm = page.get_by_role("button", name="Import 2 customers")
    expect(confirm).to_be_disabled()
    valid_only = page.get_by_label("Import the valid rows only")
    valid_only.check()
    expect(confirm).to_be_enabled()
    valid_only.uncheck()
    expect(confirm).to_be_disabled()

    with page.expect_download() as errors:
        page.get_by_role("link", name="Download the invalid rows (CSV)").click()
    assert errors.value.suggested_filename == "customers-errors.csv"
    assert Path(errors.value.path()).read_text().splitlines() == [
        "name,email,error",
        "Bad Email Ltd,not-an-email,email: Enter a valid email address.",
    ]

    # Coming back to the page with the box still ticked keeps the button enabled (it
    # is rendered enabled; app.js follows the box on load and on pageshow).
    valid_only.check()
    page.goto("/customers/")
    page.go_back()
    expect(valid_only).to_be_checked()
    expect(confirm).to_be_enabled()
    confirm.click()
    expect(status.get_by_role("heading", name="Imported")).to_be_visible()
    assert Customer.objects.count() == 2
