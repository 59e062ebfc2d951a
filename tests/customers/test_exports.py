import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import neutralise
from customers.exports import export_rows
from customers.models import Customer, TaxId
from customers.resources import CustomerResource
from tests.factories import make_customer

pytestmark = pytest.mark.django_db
EXPORT = reverse("customers:export")


def _csv(response):
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_contains_the_filtered_rows_with_metadata_columns(ops_client):
    make_customer(name="Euro", default_currency="EUR", metadata={"internal_id": "1", "tier": "a"},
                  preferred_locales=["fr", "en"])  # fmt: skip
    make_customer(name="Yen", default_currency="JPY", metadata={"region": "apac"})
    rows = _csv(ops_client.get(EXPORT, {"currency": "EUR"}))
    assert [r["name"] for r in rows] == ["Euro"]
    assert rows[0]["metadata[internal_id]"] == "1" and rows[0]["metadata[tier]"] == "a"
    assert "metadata[region]" not in rows[0]
    assert rows[0]["preferred_locales"] == "fr,en"
    assert rows[0]["id"].startswith("cus_")


@pytest.mark.parametrize("params", [{"q": "zanzibar"}, {"metadata": "port=7"}, {"sort": "name"}])
def test_filtered_and_sorted_exports_carry_the_tax_ids(ops_client, params):
    make_customer(name="Zanzibar Ltd", metadata={"port": "7"},
                  tax_ids=[{"type": "eu_vat", "value": "DE136695976"}])  # fmt: skip
    make_customer(name="Other", tax_ids=[{"type": "gb_vat", "value": "GB980780684"}])
    rows = {row["name"]: row["tax_ids"] for row in _csv(ops_client.get(EXPORT, params))}
    expected = {"Zanzibar Ltd": "eu_vat:DE136695976"}
    if "sort" in params:
        expected["Other"] = "gb_vat:GB980780684"
    assert rows == expected


def test_export_of_everything_has_every_metadata_key(ops_client):
    make_customer(metadata={"a": "1"})
    make_customer(metadata={"b": "2"})
    make_customer()
    rows = _csv(ops_client.get(EXPORT))
    assert len(rows) == 3
    assert {"metadata[a]", "metadata[b]"} <= set(rows[0])


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1 555", "-2+3", "@SUM(A1)"])
def test_formula_cells_are_neutralised(ops_client, value):
    make_customer(name=value, metadata={"note": value})
    row = _csv(ops_client.get(EXPORT))[0]
    assert row["name"] == "'" + value
    assert row["metadata[note]"] == "'" + value


def test_neutralise_leaves_other_values_alone():
    assert neutralise("Acme") == "Acme" and neutralise(5) == 5 and neutralise("") == ""


def test_deleted_customers_are_not_exported(ops_client, ops_user):
    from customers.services import customer_delete

    customer_delete(customer=make_customer(name="Gone"), deleted_by=ops_user)
    make_customer(name="Here")
    assert [r["name"] for r in _csv(ops_client.get(EXPORT))] == ["Here"]


def test_xlsx_export(ops_client):
    make_customer(name="=cmd", metadata={"k": "v"})
    response = ops_client.get(EXPORT, {"format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert row[header.index("name")] == "'=cmd"
    assert row[header.index("metadata[k]")] == "v"


def test_invalid_filters_do_not_export(ops_client):
    assert ops_client.get(EXPORT, {"currency": "NOPE"}).status_code == 400


def test_csv_matches_the_resource_row_by_row():
    first = make_customer(name='-minus "quoted", comma', description="=formula\r\nsecond line",
                  preferred_locales=["de", "en"], address_country="DE", default_currency="EUR",
                  metadata={"a": "@x", "b": "2"}, invoice_footer="+footer",
                  phone="+49 30 1234",
                  tax_ids=[{"type": "eu_vat", "value": "DE136695976"},
                           {"type": "ch_vat", "value": "CHE-123.456.788 MWST"}])  # fmt: skip
    make_customer(name="Plain", phone="+1 555", address_city="-Minus",
                  metadata={"a": "1", "b": "=b"})  # fmt: skip
    make_customer(name="Tabbed", description="Tab\tin it", metadata={"b": "@"})
    make_customer(name="Nothing special", tax_ids=[{"type": "gb_vat", "value": "GB980780684"}])
    TaxId.objects.create(customer=first, type="au_abn", value="51824753556")  # added last
    queryset = Customer.objects.live().order_by("id")
    resource = CustomerResource(metadata_keys=["a", "b", "missing"])
    expected = [resource.get_export_headers()]
    expected += [resource.export_resource(customer) for customer in queryset]
    text = "".join(resource.csv_chunks(queryset, chunk_size=3))
    assert list(csv.reader(io.StringIO(text, newline=""))) == expected
    assert expected[1][1] == '\'-minus "quoted", comma' and expected[1][-3:] == ["'@x", "2", ""]
    assert expected[2][4] == "'+1 555" and expected[2][-2] == "'=b"
    tax_ids = expected[0].index("tax_ids")
    assert expected[1][tax_ids] == (
        "au_abn:51824753556; ch_vat:CHE-123.456.788 MWST; eu_vat:DE136695976"
    )  # sorted, whatever order they were added in
    assert expected[2][tax_ids] == ""


def test_header_comes_from_the_resource():
    make_customer(metadata={"a": "1"})
    queryset = Customer.objects.live()
    assert next(export_rows(queryset)) == CustomerResource(["a"]).get_export_headers()


def test_database_keeps_the_list_of_metadata_keys():
    from customers.models import MetadataKey
    from customers.services import customer_update

    customer = make_customer(metadata={"b": "1", "a": "2"})
    make_customer(metadata={"a": "3"})
    assert list(MetadataKey.objects.values_list("key", flat=True)) == ["a", "b"]
    customer_update(customer=customer, fields={"metadata": {"c": "4"}})
    assert list(MetadataKey.objects.values_list("key", flat=True)) == ["a", "b", "c"]


def test_unfiltered_export_uses_every_key_and_filtered_only_its_own(ops_client):
    make_customer(name="Eur", default_currency="EUR", metadata={"a": "1"})
    make_customer(name="Usd", default_currency="USD", metadata={"b": "2"})
    everything = _csv(ops_client.get(EXPORT))
    assert {"metadata[a]", "metadata[b]"} <= set(everything[0])
    filtered = _csv(ops_client.get(EXPORT, {"currency": "EUR"}))
    assert "metadata[a]" in filtered[0] and "metadata[b]" not in filtered[0]


def test_xlsx_survives_control_characters_in_old_data(ops_client):
    customer = make_customer(name="Bell Co")
    Customer.objects.filter(pk=customer.pk).update(name="Bell\x07 Co")
    response = ops_client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "Bell Co"
