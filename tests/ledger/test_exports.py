import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledger.models import BalanceTransaction
from tests.factories import adjust, make_customer

pytestmark = pytest.mark.django_db


def _url(customer):
    return reverse("ledger:export", args=[customer.public_id])


def _csv(response):
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-balance-transactions.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_xlsx_has_the_header_and_the_customers_transactions_only(ops_client):
    customer = make_customer()
    first = adjust(customer, -1050, description="Goodwill")
    BalanceTransaction.objects.filter(pk=first.pk).update(metadata={"ticket": "7"})
    second = adjust(customer, 50, "JPY")
    adjust(make_customer(), -999)
    rows = _xlsx(ops_client.get(_url(customer), {"format": "xlsx"}))
    assert [row["id"] for row in rows] == [first.public_id, second.public_id]
    assert list(rows[0]) == list(_csv(ops_client.get(_url(customer)))[0])
    assert (rows[0]["amount"], rows[0]["amount_major"], rows[0]["ending_balance"]) == (
        -1050, -10.5, -1050,
    )  # fmt: skip
    assert rows[0]["description"] == "Goodwill" and rows[0]["metadata"] == '{"ticket": "7"}'
    assert rows[1]["currency"] == "JPY" and rows[1]["amount_major"] == 50


def test_reverses_and_metadata_are_in_their_own_columns(ops_client):
    from ledger.services import transaction_reverse

    customer = make_customer()
    original = adjust(customer, -100)
    BalanceTransaction.objects.filter(pk=original.pk).update(metadata={"k": "v"})
    transaction_reverse(original=original, idempotency_key="r")
    rows = _csv(ops_client.get(_url(customer)))
    assert rows[0]["metadata"] == '{"k": "v"}' and rows[0]["reverses"] == ""
    assert rows[1]["reverses"] == original.public_id


def test_filters_apply_to_both_formats(ops_client):
    customer = make_customer()
    usd = adjust(customer, -100, "USD")
    eur = adjust(customer, -200, "EUR")
    rows = _csv(ops_client.get(_url(customer), {"currency": "EUR"}))
    assert [row["id"] for row in rows] == [eur.public_id]
    rows = _xlsx(ops_client.get(_url(customer), {"currency": "eur", "format": "xlsx"}))
    assert [row["id"] for row in rows] == [eur.public_id]
    rows = _csv(ops_client.get(_url(customer), {"type": "adjustment", "currency": "USD"}))
    assert [row["id"] for row in rows] == [usd.public_id]
    assert _csv(ops_client.get(_url(customer), {"type": "credit_note"})) == []


def test_created_range_filter(ops_client):
    customer = make_customer()
    posted = adjust(customer, -100)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    url = _url(customer)
    for params, expected in [
        ({"created_after": today, "created_before": today}, [posted.public_id]),
        ({"created_after": tomorrow}, []),
        ({"created_before": today - datetime.timedelta(days=1)}, []),
    ]:
        assert [row["id"] for row in _csv(ops_client.get(url, params))] == expected
        rows = _xlsx(ops_client.get(url, {**params, "format": "xlsx"}))
        assert [row["id"] for row in rows] == expected


def test_invalid_filters_do_not_export(ops_client):
    customer = make_customer()
    for params in ({"currency": "EURO"}, {"type": "nope"}, {"created_after": "soon"}):
        assert ops_client.get(_url(customer), params).status_code == 400


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1 555", "-2+3", "@SUM(A1)"])
def test_formula_looking_text_is_neutralised(ops_client, text):
    customer = make_customer(name=text)
    adjust(customer, -100, description=text, internal_note=text)
    row = _csv(ops_client.get(_url(customer)))[0]
    assert row["description"] == row["internal_note"] == "'" + text
    response = ops_client.get(_url(customer), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("description") + 1)
    assert cell.value == "'" + text and cell.data_type == "s"


def test_control_characters_cannot_smuggle_a_formula_into_xlsx(ops_client):
    customer = make_customer()
    posted = adjust(customer, -100)
    # Old data, from before validation: the update bypasses the immutable fields.
    BalanceTransaction.objects.filter(pk=posted.pk).update(description="\x07=cmd")
    rows = _xlsx(ops_client.get(_url(customer), {"format": "xlsx"}))
    assert rows[0]["description"] == "'=cmd"


def test_over_the_limit_is_refused_with_a_reason(ops_client, monkeypatch):
    monkeypatch.setattr("ledger.exports.XLSX_MAX_ROWS", 1)
    customer = make_customer()
    adjust(customer, -100, "USD")
    adjust(customer, -100, "EUR")
    response = ops_client.get(_url(customer), {"format": "xlsx"})
    assert response.status_code == 400
    assert response.content.decode() == (
        "XLSX exports are limited to 1 balance transactions. Narrow the filters or export CSV."
    )
    rows = _xlsx(ops_client.get(_url(customer), {"format": "xlsx", "currency": "EUR"}))
    assert len(rows) == 1
    assert len(_csv(ops_client.get(_url(customer)))) == 2


def test_export_needs_the_export_permission(support_client):
    customer = make_customer()
    adjust(customer, -100)
    assert support_client.get(_url(customer), {"format": "xlsx"}).status_code == 403


def test_balance_section_links_keep_the_query(ops_client):
    customer = make_customer()
    adjust(customer, -100)
    url = reverse("ledger:credit_balance", args=[customer.public_id])
    body = ops_client.get(url, {"currency": "USD"}).content.decode()
    assert f'href="{_url(customer)}?currency=USD" download>Export' in body
    assert f'href="{_url(customer)}?currency=USD&amp;format=xlsx" download>XLSX' in body
