import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db
EXPORT = reverse("billing:invoice_export")


def _csv(response):
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="invoices-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_xlsx_has_the_header_and_the_filtered_invoices(ops_client):
    kept = make_invoice(make_customer(name="Euro Co"), 12345, currency="EUR", finalize=True)
    make_invoice(make_customer(name="Dollar Co"), 1000, currency="USD", finalize=True)
    rows = _xlsx(ops_client.get(EXPORT, {"currency": "EUR", "format": "xlsx"}))
    assert [row["number"] for row in rows] == [kept.number]
    assert rows[0]["customer_name"] == "Euro Co" and rows[0]["currency"] == "EUR"
    # Numbers in major units, not text.
    assert rows[0]["total"] == 123.45 and rows[0]["amount_due"] == 123.45


def test_xlsx_header_matches_the_csv(ops_client):
    make_invoice(None, 1000, finalize=True)
    sheet = load_workbook(io.BytesIO(ops_client.get(EXPORT, {"format": "xlsx"}).content)).active
    assert [cell.value for cell in sheet[1]] == list(_csv(ops_client.get(EXPORT))[0])
    assert sheet.title == "Invoices" and sheet.freeze_panes == "A2" and sheet["A1"].font.b


def test_filters_apply_to_both_formats(ops_client):
    eur = make_invoice(None, 500, currency="EUR", finalize=True)
    make_invoice(None, 700, currency="USD", finalize=True)
    make_invoice(None, 900, currency="EUR")  # a draft
    params = {"currency": "EUR", "status": "open"}
    assert [row["id"] for row in _csv(ops_client.get(EXPORT, params))] == [eur.public_id]
    rows = _xlsx(ops_client.get(EXPORT, {**params, "format": "xlsx"}))
    assert [row["id"] for row in rows] == [eur.public_id]


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1 555", "-2+3", "@SUM(A1)"])
def test_formula_looking_names_are_neutralised(ops_client, name):
    make_invoice(make_customer(name=name, email="a@example.com"), 1000, finalize=True)
    assert _csv(ops_client.get(EXPORT))[0]["customer_name"] == "'" + name
    response = ops_client.get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("customer_name") + 1)
    assert cell.value == "'" + name and cell.data_type == "s"


def test_over_the_limit_is_refused_with_a_reason(ops_client, monkeypatch):
    monkeypatch.setattr("billing.exports.XLSX_MAX_ROWS", 1)
    make_invoice(None, 1000, currency="EUR", finalize=True)
    make_invoice(None, 1000, currency="USD", finalize=True)
    response = ops_client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 400
    assert response.content.decode() == (
        "XLSX exports are limited to 1 invoices. Narrow the filters or export CSV."
    )
    # Filtered down to the limit, it exports; CSV has no limit.
    assert len(_xlsx(ops_client.get(EXPORT, {"format": "xlsx", "currency": "EUR"}))) == 1
    assert len(_csv(ops_client.get(EXPORT))) == 2


def test_export_needs_the_export_permission(support_client):
    assert support_client.get(EXPORT, {"format": "xlsx"}).status_code == 403


def test_export_needs_a_login(client):
    response = client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code in (302, 403)
    assert "Content-Disposition" not in response


def test_invalid_filters_do_not_export(ops_client):
    assert ops_client.get(EXPORT, {"currency": "NOPE", "format": "xlsx"}).status_code == 400


def test_invoices_page_links_keep_the_filters(ops_client, support_client):
    body = ops_client.get(reverse("billing:invoices"), {"currency": "EUR"}).content.decode()
    assert f'href="{EXPORT}?currency=EUR" download>Export' in body
    assert f'href="{EXPORT}?currency=EUR&amp;format=xlsx" download>XLSX' in body
    body = support_client.get(reverse("billing:invoices")).content.decode()
    assert EXPORT not in body
