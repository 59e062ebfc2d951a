import io

import pytest
from django.core.management import CommandError, call_command

from customers.imports.rows import RowCleaner
from customers.models import Customer, CustomerImport
from tests.factories import make_customer, make_user, make_xlsx, xlsx_row

pytestmark = pytest.mark.django_db


def _run(tmp_path, text, *options, name="customers.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_customers", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


VALID = "name,email,default_currency\nAcme,acme@example.com,usd\nGlobex,globex@example.com,EUR\n"
WITH_INVALID = VALID + "Broken,not-an-email,\n"


def test_a_valid_file_is_imported_with_a_summary(tmp_path):
    existing = make_customer(name="Old", email="old@example.com")
    text = (
        "id,name,email\n"
        ",Acme,acme@example.com\n"
        ",Globex,globex@example.com\n"
        f"{existing.public_id},New,old@example.com\n"
        "\n"
    )
    out, err = _run(tmp_path, text)
    assert "To create: 2\nTo update: 1\nUnchanged: 0\nInvalid:   0\n" in out
    assert out.endswith("Invalid:   0\nImported: 2 created, 1 updated.\n")
    assert "\rChecking  [" in err and "3/3 rows" in err and err.endswith("\n")
    assert set(Customer.objects.values_list("name", flat=True)) == {"Acme", "Globex", "New"}
    record = CustomerImport.objects.get()
    assert record.file_name == "customers.csv" and record.status == "done"


def test_invalid_rows_stop_the_import_and_are_listed(tmp_path):
    with pytest.raises(CommandError) as raised:
        _run(tmp_path, WITH_INVALID)
    assert str(raised.value) == (
        "1 rows are invalid; nothing was imported. Fix them or pass --valid-only."
    )
    assert not Customer.objects.exists()


def test_the_row_errors_are_printed_before_the_refusal(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(WITH_INVALID)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_customers", str(path), stdout=out, stderr=io.StringIO())
    assert "Invalid:   1\n" in out.getvalue()
    assert "line 4, email: Enter a valid email address." in out.getvalue()


def test_valid_only_imports_the_other_rows(tmp_path):
    out, _err = _run(tmp_path, WITH_INVALID, "--valid-only")
    assert "line 4, email:" in out
    assert "Imported: 2 created, 0 updated." in out
    assert set(Customer.objects.values_list("name", flat=True)) == {"Acme", "Globex"}
    assert Customer.objects.get(name="Acme").default_currency == "USD"


def test_check_only_writes_nothing(tmp_path):
    out, _err = _run(tmp_path, WITH_INVALID, "--check-only")
    assert "To create: 2\n" in out and "Invalid:   1\n" in out
    assert "Imported" not in out
    assert not Customer.objects.exists()
    assert CustomerImport.objects.get().status == "checked"


def test_match_email_updates_by_account_email(tmp_path):
    existing = make_customer(name="Old", email="acme@example.com")
    out, _err = _run(tmp_path, VALID, "--match-email")
    assert "Imported: 1 created, 1 updated." in out
    existing.refresh_from_db()
    assert existing.name == "Acme"


def test_the_import_is_recorded_under_the_user(tmp_path):
    user = make_user(username="ops-admin")
    _run(tmp_path, VALID, "--user", "ops-admin")
    assert CustomerImport.objects.get().created_by == user


def test_an_unknown_user_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No user has the username nobody."):
        _run(tmp_path, VALID, "--user", "nobody")
    assert not CustomerImport.objects.exists()


def test_an_unreadable_file_reports_why(tmp_path):
    with pytest.raises(CommandError, match="empty.csv: The file is empty."):
        _run(tmp_path, b"", name="empty.csv")
    assert CustomerImport.objects.get().status == "failed"
    assert not Customer.objects.exists()


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_customers", str(tmp_path / "nope.csv"), stdout=io.StringIO())


def test_an_import_checks_each_row_once(tmp_path, monkeypatch):
    cleaned = []
    real_clean = RowCleaner.clean
    monkeypatch.setattr(
        RowCleaner,
        "clean",
        lambda self, line, cells: cleaned.append(line) or real_clean(self, line, cells),
    )
    _run(tmp_path, VALID)
    assert cleaned == [2, 3]  # not once for a check and again for the import
    assert Customer.objects.count() == 2


def test_a_workbook_with_a_dtd_is_refused_and_its_record_failed(tmp_path):
    data = make_xlsx(
        xlsx_row("name", "email") + xlsx_row("Acme", "acme@example.com"),
        prolog='<!DOCTYPE worksheet [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>',
    )
    with pytest.raises(CommandError, match=r"^customers\.xlsx: This XLSX file contains a DTD"):
        _run(tmp_path, data, name="customers.xlsx")
    record = CustomerImport.objects.get()
    assert record.status == "failed" and bytes(record.data) == b""
    assert not Customer.objects.exists()
