"""/v1/invoiceitems over HTTP: pending items and lines of a draft, through the billing
services the customer page uses."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.keys import api_key_create
from api.openapi import document
from billing.models import InvoiceItem
from customers.services import customer_delete
from tests.api.conftest import Api
from tests.factories import make_customer, make_invoice, make_item, make_tax_rate, make_user

pytestmark = pytest.mark.django_db


def _new(owner, **extra):
    return {"customer": owner.public_id, "amount": "1250", "currency": "eur",
            "description": "Consulting", **extra}  # fmt: skip


def test_create_a_pending_item_in_stripes_shape(api):
    customer = make_customer()
    rate = make_tax_rate("19")
    response = api.post(
        "/v1/invoiceitems", [*_new(customer).items(), ("tax_rates[]", rate.public_id)]
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"].startswith("ii_") and body["object"] == "invoiceitem"
    assert (body["amount"], body["currency"], body["quantity"]) == (1250, "eur", 1)
    assert body["customer"] == customer.public_id and body["invoice"] is None
    assert body["period"] == {"start": body["date"], "end": body["date"]}
    assert body["price"] is None and body["pricing"]["unit_amount_decimal"] == "1250"
    assert [(r["id"], r["percentage"]) for r in body["tax_rates"]] == [(rate.public_id, 19)]
    item = InvoiceItem.objects.get(public_id=body["id"])
    assert (item.currency, item.unit_amount, item.description) == ("EUR", 1250, "Consulting")
    assert api.get(f"/v1/invoiceitems/{body['id']}").json() == body


def test_unit_amount_with_quantity_and_the_customers_currency(api):
    customer = make_customer(default_currency="GBP")
    params = {"customer": customer.public_id, "unit_amount": "300", "quantity": "4",
              "description": "Seats", "discountable": "false"}  # fmt: skip
    body = api.post("/v1/invoiceitems", params).json()
    assert (body["amount"], body["unit_amount"], body["quantity"]) == (1200, 300, 4)
    assert body["currency"] == "gbp" and body["discountable"] is False


def test_a_line_added_to_a_draft_updates_its_total(api):
    customer = make_customer()
    invoice = make_invoice(customer, 1000)
    params = {"customer": customer.public_id, "amount": "500", "description": "Extra",
              "invoice": invoice.public_id}  # fmt: skip
    body = api.post("/v1/invoiceitems", params).json()
    assert body["invoice"] == invoice.public_id and body["currency"] == "usd"
    invoice.refresh_from_db()
    assert invoice.total == 1500


@pytest.mark.parametrize(
    "change, param, code",
    [
        ({"colour": "red"}, "colour", "parameter_unknown"),
        ({"metadata[a]": "b"}, "metadata", "parameter_not_supported"),
        ({"customer": "cus_nope"}, "customer", "resource_missing"),
        ({"invoice": "in_nope"}, "invoice", "resource_missing"),
        ({"tax_rates[]": "txr_nope"}, "tax_rates", "resource_missing"),
        ({"unit_amount": "5"}, "unit_amount", None),
        ({"quantity": "2"}, "quantity", "parameter_invalid"),
        ({"amount": "-5"}, "amount", "parameter_invalid"),
        ({"currency": "xxx"}, "currency", "parameter_invalid"),
        ({"description": ""}, "description", "parameter_missing"),
        ({"expand[]": "invoice"}, "expand", "parameter_invalid"),
    ],
)
def test_create_refusals_name_the_parameter(api, change, param, code):
    customer = make_customer()
    response = api.post("/v1/invoiceitems", _new(customer, **change))
    assert response.status_code in (400, 404), response.content
    error = response.json()["error"]
    assert error["param"] == param and error.get("code") == code, error
    assert not InvoiceItem.objects.exists()


def test_without_an_amount_or_a_currency_is_refused(api):
    customer = make_customer()
    no_amount = api.post("/v1/invoiceitems", {"customer": customer.public_id,
                                              "currency": "usd", "description": "X"})  # fmt: skip
    assert no_amount.json()["error"]["param"] == "amount"
    no_currency = api.post("/v1/invoiceitems", _new(customer, currency=""))
    assert no_currency.json()["error"]["param"] == "currency"


def test_a_deleted_customer_and_a_finalized_invoice_take_no_items(api):
    customer = make_customer()
    finalized = make_invoice(customer, 1000, finalize=True)
    refused = api.post(
        "/v1/invoiceitems", _new(customer, currency="usd", invoice=finalized.public_id)
    )
    assert refused.status_code == 400 and "draft" in refused.json()["error"]["message"]
    customer_delete(customer=customer, deleted_by=make_user())
    gone = api.post("/v1/invoiceitems", _new(customer))
    assert gone.status_code == 404 and gone.json()["error"]["param"] == "customer"


def test_update_a_pending_item(api):
    customer = make_customer()
    item = make_item(customer, 1000, quantity=2)
    rate = make_tax_rate("7")
    path = f"/v1/invoiceitems/{item.public_id}"
    body = api.post(path, [("unit_amount", "300"), ("description", "Renamed"),
                           ("tax_rates[]", rate.public_id)]).json()  # fmt: skip
    assert (body["amount"], body["quantity"], body["description"]) == (600, 2, "Renamed")
    assert [r["id"] for r in body["tax_rates"]] == [rate.public_id]
    body = api.post(path, {"amount": "999", "tax_rates": ""}).json()
    assert (body["amount"], body["quantity"], body["tax_rates"]) == (999, 1, [])


def test_updating_a_line_recomputes_its_draft_and_a_finalized_line_is_refused(api):
    customer = make_customer()
    draft = make_invoice(customer, 1000)
    line = draft.lines.get()
    assert api.post(f"/v1/invoiceitems/{line.public_id}", {"amount": "400"}).status_code == 200
    draft.refresh_from_db()
    assert draft.total == 400
    final = make_invoice(customer, 1000, finalize=True).lines.get()
    refused = api.post(f"/v1/invoiceitems/{final.public_id}", {"amount": "1"})
    assert refused.status_code == 400
    assert InvoiceItem.objects.get(pk=final.pk).amount == 1000


def test_delete_pending_and_refuse_a_finalized_line(api):
    customer = make_customer()
    item = make_item(customer)
    deleted = api.delete(f"/v1/invoiceitems/{item.public_id}")
    assert deleted.json() == {"id": item.public_id, "object": "invoiceitem", "deleted": True}
    assert api.get(f"/v1/invoiceitems/{item.public_id}").status_code == 404
    final = make_invoice(customer, 1000, finalize=True).lines.get()
    assert api.delete(f"/v1/invoiceitems/{final.public_id}").status_code == 400
    assert InvoiceItem.objects.filter(pk=final.pk).exists()


def test_list_filters_and_pages(api):
    customer, other = make_customer(), make_customer()
    invoiced = make_invoice(customer, 100).lines.get()
    pending = [make_item(customer, amount).public_id for amount in (1, 2, 3)]
    make_item(other)

    def ids(params):
        response = api.get("/v1/invoiceitems", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["data"]]

    mine = {"customer": customer.public_id}
    assert ids({**mine, "pending": "true"}) == pending[::-1]
    assert ids({**mine, "pending": "false"}) == [invoiced.public_id]
    assert ids({"invoice": invoiced.invoice.public_id}) == [invoiced.public_id]
    assert ids({**mine, "pending": "true", "limit": "2", "starting_after": pending[1]}) == [
        pending[0]
    ]
    expanded = api.get("/v1/invoiceitems", {**mine, "expand[]": "data.customer"}).json()
    assert expanded["data"][0]["customer"]["object"] == "customer"


def test_support_may_look_but_not_write(support_api):
    customer = make_customer()
    item = make_item(customer)
    assert support_api.get(f"/v1/invoiceitems/{item.public_id}").status_code == 200
    assert support_api.post("/v1/invoiceitems", _new(customer)).status_code == 403
    assert (
        support_api.post(f"/v1/invoiceitems/{item.public_id}", {"amount": "1"}).status_code == 403
    )
    assert support_api.delete(f"/v1/invoiceitems/{item.public_id}").status_code == 403


def api_with(*permissions):
    """An API client with a user key whose user has only these permissions."""
    user = make_user()
    for permission in permissions:
        app, codename = permission.split(".")
        found = Permission.objects.get(content_type__app_label=app, codename=codename)
        user.user_permissions.add(found)
    return Api(api_key_create(name="Script", user=user)[1])


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("post", "/v1/invoiceitems", {"amount": "1", "unit_amount": "1"}),
        ("post", "/v1/invoiceitems", {"amount": "1", "quantity": "2"}),
        ("post", "/v1/invoiceitems", {"tax_rates[0]": ""}),
        ("post", "/v1/invoiceitems", {"expand[]": "invoice"}),
        ("post", "/v1/invoiceitems/ii_x", {"amount": "1", "unit_amount": "1"}),
        ("post", "/v1/invoiceitems/ii_x", {"description": ""}),
        ("get", "/v1/invoiceitems/ii_x", {"expand[]": "invoice"}),
        ("get", "/v1/invoiceitems", {"expand[]": "data.invoice"}),
    ],
)
def test_unknown_parameters_come_before_refused_values(api, method, path, params):
    customer = make_customer()
    params = {"customer": customer.public_id, **params} if path.endswith("items") else params
    refused = getattr(api, method)(path, params).json()["error"]
    assert refused["param"] != "bogus" and refused.get("code") != "parameter_unknown"
    answer = getattr(api, method)(path, {**params, "bogus": "1"}).json()["error"]
    assert (answer["param"], answer["code"]) == ("bogus", "parameter_unknown")


def test_a_line_of_a_draft_needs_change_invoice_and_customers_need_their_view():
    draft = make_invoice(None, 1000, currency="EUR")
    line = draft.lines.get()
    pending = make_item(draft.customer, 500, "EUR")
    scripts = api_with("billing.add_invoiceitem", "billing.view_invoiceitem",
                       "billing.delete_invoiceitem")  # fmt: skip
    new = _new(draft.customer)
    assert scripts.post("/v1/invoiceitems", new).status_code == 200
    refused = scripts.post("/v1/invoiceitems", {**new, "invoice": draft.public_id})
    assert (
        refused.status_code == 403
        and "billing.change_invoice" in refused.json()["error"]["message"]
    )
    for answer in (
        scripts.post(f"/v1/invoiceitems/{line.public_id}", {"description": "X"}),
        scripts.delete(f"/v1/invoiceitems/{line.public_id}"),
    ):
        assert answer.status_code == 403
    assert (
        scripts.post(f"/v1/invoiceitems/{pending.public_id}", {"description": "X"}).status_code
        == 200
    )
    assert InvoiceItem.objects.filter(invoice=draft).count() == 1
    expand = {"expand[]": "customer"}
    assert scripts.get(f"/v1/invoiceitems/{pending.public_id}", expand).status_code == 403
    listed = scripts.get("/v1/invoiceitems", {"expand[]": "data.customer"})
    assert listed.status_code == 403
    assert (
        api_with("billing.view_invoiceitem", "customers.view_customer")
        .get(f"/v1/invoiceitems/{pending.public_id}", expand)
        .status_code
        == 200
    )


def test_a_list_expanding_customers_costs_the_same_for_any_page_size(api):
    def queries(count):
        for _ in range(count - InvoiceItem.objects.count()):
            make_item(make_customer(default_currency="EUR"), 100, "EUR")
        with CaptureQueriesContext(connection) as captured:
            page = api.get("/v1/invoiceitems", {"limit": "100", "expand[]": "data.customer"})
        assert len(page.json()["data"]) == count
        assert page.json()["data"][0]["customer"]["object"] == "customer"
        return len(captured)

    assert queries(2) == queries(12)


def test_tax_rates_are_documented_as_a_list_of_strings():
    paths = document.__wrapped__()["paths"]  # not the cached copy
    schema = paths["/v1/invoiceitems"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"
    ]["schema"]
    assert schema["properties"]["tax_rates"]["items"] == {"type": "string"}
