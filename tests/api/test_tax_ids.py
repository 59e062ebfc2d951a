"""/v1/customers/{id}/tax_ids over HTTP."""

import pytest

from customers.models import TaxId
from customers.services import customer_delete
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _path(customer, *rest):
    return "/".join([f"/v1/customers/{customer.public_id}/tax_ids", *rest])


def test_create_retrieve_list_delete(api):
    customer = make_customer()
    created = api.post(_path(customer), [("type", "eu_vat"), ("value", "de 136 695 976")])
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["id"].startswith("txi_") and body["object"] == "tax_id"
    assert (body["type"], body["value"], body["country"]) == ("eu_vat", "DE136695976", "DE")
    assert body["customer"] == customer.public_id and body["livemode"] is False

    assert api.get(_path(customer, body["id"])).json() == body
    listed = api.get(_path(customer)).json()
    assert listed["object"] == "list" and listed["url"] == _path(customer)
    assert [item["id"] for item in listed["data"]] == [body["id"]]

    deleted = api.delete(_path(customer, body["id"]))
    assert deleted.json() == {"id": body["id"], "object": "tax_id", "deleted": True}
    assert not TaxId.objects.exists()
    assert api.get(_path(customer, body["id"])).status_code == 404


def test_list_pages_newest_first(api):
    customer = make_customer()
    ids = [
        api.post(_path(customer), [("type", "ca_bn"), ("value", number)]).json()["id"]
        for number in ("123026635", "123456782", "100000009")
    ]
    first = api.get(_path(customer), [("limit", "2")]).json()
    assert [t["id"] for t in first["data"]] == ids[::-1][:2] and first["has_more"] is True
    rest = api.get(_path(customer), [("limit", "2"), ("starting_after", ids[1])]).json()
    assert [t["id"] for t in rest["data"]] == [ids[0]] and rest["has_more"] is False
    before = api.get(_path(customer), [("ending_before", ids[0])]).json()
    assert [t["id"] for t in before["data"]] == ids[::-1][:2]


@pytest.mark.parametrize(
    "params, param, code",
    [
        ([("type", "eu_vat"), ("value", "DE1"), ("colour", "red")], "colour", "parameter_unknown"),
        ([("value", "DE136695976")], "type", "parameter_missing"),
        ([("type", "eu_vat")], "value", "parameter_missing"),
        ([("type", "xx_vat"), ("value", "DE136695976")], "type", "parameter_invalid"),
        ([("type", "eu_vat"), ("value", "DE136695977")], "value", "parameter_invalid"),
        ([("type", "eu_vat"), ("value", "")], "value", "parameter_invalid_empty"),
    ],
)
def test_errors_name_the_parameter(api, params, param, code):
    answer = api.post(_path(make_customer()), params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["param"], error["code"]) == (param, code)
    assert not TaxId.objects.exists()


def test_a_duplicate_names_value(api):
    customer = make_customer(tax_ids=[{"type": "eu_vat", "value": "DE136695976"}])
    answer = api.post(_path(customer), [("type", "eu_vat"), ("value", "DE 136695976")])
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "value"
    assert customer.tax_ids.count() == 1


def test_unknown_or_deleted_customer_and_another_customers_tax_id_are_404(api):
    assert api.get("/v1/customers/cus_nope/tax_ids").status_code == 404
    gone = make_customer()
    customer_delete(customer=gone, deleted_by=None)
    answer = api.post(_path(gone), [("type", "eu_vat"), ("value", "DE136695976")])
    assert answer.status_code == 404 and answer.json()["error"]["param"] == "id"
    owner = make_customer(tax_ids=[{"type": "eu_vat", "value": "DE136695976"}])
    other = make_customer()
    txi = owner.tax_ids.get().public_id
    for answer in (api.get(_path(other, txi)), api.delete(_path(other, txi))):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "resource_missing"
    assert owner.tax_ids.count() == 1


def test_support_reads_but_cannot_write(support_api):
    customer = make_customer(tax_ids=[{"type": "eu_vat", "value": "DE136695976"}])
    txi = customer.tax_ids.get().public_id
    assert support_api.get(_path(customer)).status_code == 200
    assert support_api.get(_path(customer, txi)).status_code == 200
    added = support_api.post(_path(customer), [("type", "gb_vat"), ("value", "GB980780684")])
    assert added.status_code == 403
    assert support_api.delete(_path(customer, txi)).status_code == 403
    assert customer.tax_ids.count() == 1
