"""/v1/credit_notes over HTTP: create, preview, retrieve, list, lines, PDF and void, through
the credit note services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.openapi import document
from billing.models import CreditNote
from billing.services import invoice_mark_paid
from ledger.models import BalanceTransaction
from tests.api.test_invoiceitems import api_with
from tests.factories import balance_of, make_customer, make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    """An open invoice of two lines, 1000 and 2500 (no tax), 3500 owed."""
    return make_invoice(make_customer(name="Jenny Rosen"), 1000, 2500, finalize=True)


def _line(invoice, index):
    return invoice.lines.order_by("created", "id")[index].public_id


def test_create_a_flat_amount_on_an_open_invoice(api, invoice):
    response = api.post(
        "/v1/credit_notes",
        {"invoice": invoice.public_id, "amount": "500", "reason": "duplicate", "memo": "Sorry"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["object"] == "credit_note" and body["id"].startswith("cn_")
    assert (body["amount"], body["total"], body["subtotal"]) == (500, 500, 500)
    assert body["invoice"] == invoice.public_id
    assert body["customer"] == invoice.customer.public_id
    assert (body["type"], body["status"], body["reason"]) == ("pre_payment", "issued", "duplicate")
    assert body["memo"] == "Sorry" and body["currency"] == "usd"
    assert body["number"] == f"{invoice.number}-CN-01"
    assert body["customer_balance_transaction"] is None and body["refunds"] == []
    assert body["pdf"].endswith(f"/v1/credit_notes/{body['id']}/pdf")
    [line] = body["lines"]["data"]
    assert line["type"] == "custom_line_item" and line["amount"] == 500
    assert line["object"] == "credit_note_line_item" and line["unit_amount"] == 500
    invoice.refresh_from_db()
    assert invoice.amount_remaining == 3000


def test_create_invoice_lines_and_credit_on_a_paid_invoice(api, invoice):
    line = [("lines[0][type]", "invoice_line_item"),
            ("lines[0][invoice_line_item]", _line(invoice, 1))]  # fmt: skip
    params = [("invoice", invoice.public_id), *line, ("lines[0][amount]", "2501")]
    refused = api.post("/v1/credit_notes", params).json()["error"]
    assert refused["param"] == "lines" and "at most" in refused["message"]
    invoice_mark_paid(invoice=invoice)
    params = [("invoice", invoice.public_id), *line, ("lines[0][amount]", "700")]
    refused = api.post("/v1/credit_notes", params).json()["error"]
    assert refused["param"] == "credit_amount"
    params += [("credit_amount", "700"), ("expand[]", "customer")]
    body = api.post("/v1/credit_notes", params).json()
    assert body["type"] == "post_payment" and body["amount"] == 700
    assert body["customer"]["object"] == "customer"
    [line] = body["lines"]["data"]
    assert line["type"] == "invoice_line_item"
    assert line["invoice_line_item"] == _line(invoice, 1)
    transaction = BalanceTransaction.objects.get(public_id=body["customer_balance_transaction"])
    assert transaction.amount == -700
    assert balance_of(invoice.customer) == -700
    expand = [("expand[]", "customer_balance_transaction")]
    expanded = api.get(f"/v1/credit_notes/{body['id']}", expand).json()
    posted = expanded["customer_balance_transaction"]
    assert (posted["object"], posted["id"], posted["amount"]) == (
        "customer_balance_transaction", transaction.public_id, -700
    )  # fmt: skip
    assert posted["credit_note"] == body["id"]


@pytest.mark.parametrize(
    ("params", "status", "param"),
    [
        ({}, 400, "invoice"),
        ({"invoice": "in_missing", "amount": "1"}, 404, "invoice"),
        ({"invoice": "{inv}", "amount": "1", "reason": "bored"}, 400, "reason"),
        ({"invoice": "{inv}", "amount": "9999"}, 400, "amount"),
        ({"invoice": "{inv}", "amount": "1", "metadata[a]": "b"}, 400, "metadata"),
        ({"invoice": "{inv}", "amount": "1", "refund": "re_1"}, 400, "refund"),
        ({"invoice": "{inv}", "amount": "1", "colour": "red"}, 400, "colour"),
        ({"invoice": "{inv}", "amount": "1", "expand[]": "lines"}, 400, "expand"),
        ({"invoice": "{inv}", "lines[0][type]": "custom_line_item"}, 400, "lines[0][type]"),
        (
            {"invoice": "{inv}", "lines[0][type]": "invoice_line_item", "lines[0][quantity]": "1"},
            400,
            "lines[0][quantity]",
        ),
        (
            {
                "invoice": "{inv}",
                "lines[0][type]": "invoice_line_item",
                "lines[0][invoice_line_item]": "ii_missing",
                "lines[0][amount]": "1",
            },
            404,
            "lines[0][invoice_line_item]",
        ),  # fmt: skip
    ],
)
def test_create_refusals_name_the_parameter(api, invoice, params, status, param):
    params = {name: value.format(inv=invoice.public_id) for name, value in params.items()}
    for path in ("/v1/credit_notes", "/v1/credit_notes/preview"):
        send = api.post if path == "/v1/credit_notes" else api.get
        response = send(path, params)
        assert response.status_code == status, response.content
        assert response.json()["error"]["param"] == param
    assert not CreditNote.objects.exists()


def test_service_rules_without_a_parameter(api, invoice):
    both = {"invoice": invoice.public_id, "amount": "1", "lines[0][type]": "invoice_line_item",
            "lines[0][invoice_line_item]": _line(invoice, 0), "lines[0][amount]": "1"}  # fmt: skip
    error = api.post("/v1/credit_notes", both).json()["error"]
    assert error["message"] == "Credit either lines of the invoice or an amount."
    draft = make_invoice(invoice.customer, 100)
    error = api.post("/v1/credit_notes", {"invoice": draft.public_id, "amount": "1"}).json()
    assert error["error"]["message"] == "Credit notes are issued against open or paid invoices."
    api.post("/v1/credit_notes", {"invoice": invoice.public_id, "amount": "3500"})
    zero = {"invoice": invoice.public_id, "amount": "0"}
    assert api.post("/v1/credit_notes", zero).json()["error"]["param"] == "amount"


def _trace(invoice):
    """Everything a credit note changes: the invoice, its notes, the ledger."""
    invoice.refresh_from_db()
    return (
        (invoice.status, invoice.amount_remaining, invoice.pre_payment_credit_notes_amount,
         invoice.post_payment_credit_notes_amount, invoice.number),
        list(CreditNote.objects.values_list("public_id", "number", "amount")),
        BalanceTransaction.objects.count(),
        balance_of(invoice.customer),
    )  # fmt: skip


def test_preview_leaves_no_trace(api, invoice):
    api.post("/v1/credit_notes", {"invoice": invoice.public_id, "amount": "100"})
    before = _trace(invoice)
    params = {"invoice": invoice.public_id, "amount": "3400", "expand[]": "customer"}
    body = api.get("/v1/credit_notes/preview", params).json()
    assert body["id"].startswith("cnprv_") and body["number"] == f"{invoice.number}-CN-02"
    assert body["amount"] == 3400 and body["pdf"] is None and body["type"] == "pre_payment"
    assert body["customer"]["id"] == invoice.customer.public_id
    assert _trace(invoice) == before  # not paid by it, nothing written
    # A credit to the balance on a paid invoice: no ledger row either.
    invoice_mark_paid(invoice=invoice)
    before = _trace(invoice)
    params = {"invoice": invoice.public_id, "amount": "300", "credit_amount": "300"}
    body = api.get("/v1/credit_notes/preview", params).json()
    assert body["type"] == "post_payment" and body["customer_balance_transaction"] is None
    assert _trace(invoice) == before
    # The number previewed is the one the note then takes, and the next invoice's follows.
    created = api.post("/v1/credit_notes", params).json()
    assert created["number"] == body["number"] == f"{invoice.number}-CN-02"
    assert created["customer_balance_transaction"].startswith("cbtxn_")
    number = int(invoice.number.rsplit("-", 1)[1])
    following = make_invoice(invoice.customer, 100, finalize=True)
    assert following.number == f"{invoice.number[:-4]}{number + 1:04d}"


def test_retrieve_list_lines_and_pdf(api, support_api, invoice):
    first = api.post("/v1/credit_notes", {"invoice": invoice.public_id, "amount": "100"}).json()
    other = make_invoice(make_customer(), 400, finalize=True)
    second = api.post("/v1/credit_notes", {"invoice": other.public_id, "amount": "200"}).json()
    expand = [("expand[]", "customer"), ("expand[]", "invoice")]
    got = support_api.get(f"/v1/credit_notes/{first['id']}", expand).json()
    assert got["id"] == first["id"] and got["customer"]["id"] == invoice.customer.public_id
    assert got["invoice"]["object"] == "invoice" and got["invoice"]["amount_remaining"] == 3400
    missing = support_api.get("/v1/credit_notes/cn_missing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"
    listed = support_api.get("/v1/credit_notes").json()
    assert [note["id"] for note in listed["data"]] == [second["id"], first["id"]]
    assert listed["url"] == "/v1/credit_notes"
    by_invoice = support_api.get("/v1/credit_notes", {"invoice": invoice.public_id}).json()
    assert [note["id"] for note in by_invoice["data"]] == [first["id"]]
    by_customer = support_api.get(
        "/v1/credit_notes", {"customer": other.customer.public_id, "expand[]": "data.customer"}
    ).json()
    assert [note["customer"]["id"] for note in by_customer["data"]] == [other.customer.public_id]
    page = support_api.get("/v1/credit_notes", {"limit": "1"}).json()
    assert page["has_more"] is True and len(page["data"]) == 1
    lines = support_api.get(f"/v1/credit_notes/{first['id']}/lines").json()
    assert lines["data"] == first["lines"]["data"]
    pdf = support_api.get(f"/v1/credit_notes/{first['id']}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_void(api, invoice):
    params = {"invoice": invoice.public_id, "amount": "500"}
    note = api.post("/v1/credit_notes", params).json()
    voided = api.post(f"/v1/credit_notes/{note['id']}/void").json()
    assert voided["status"] == "void" and voided["voided_at"] is not None
    invoice.refresh_from_db()
    assert invoice.amount_remaining == 3500
    again = api.post(f"/v1/credit_notes/{note['id']}/void").json()["error"]
    assert again["message"] == "This credit note is already void."
    assert api.post("/v1/credit_notes/cn_missing/void").status_code == 404


def test_support_may_only_view(support_api, invoice):
    params = {"invoice": invoice.public_id, "amount": "500"}
    assert support_api.post("/v1/credit_notes", params).status_code == 403
    assert support_api.get("/v1/credit_notes/preview", params).status_code == 403
    assert support_api.post("/v1/credit_notes/cn_1/void").status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("post", "/v1/credit_notes", {"lines[0][type]": "custom_line_item",
                                      "lines[0][description]": "X", "lines[0][unit_amount]": "5"}),
        ("post", "/v1/credit_notes", {"amount": "1", "expand[]": "lines"}),
        ("get", "/v1/credit_notes/preview", {"amount": "1", "expand[]": "lines"}),
        ("get", "/v1/credit_notes/cn_x", {"expand[]": "lines"}),
        ("get", "/v1/credit_notes", {"expand[]": "data.lines"}),
        ("post", "/v1/credit_notes/cn_x/void", {"expand[]": "lines"}),
    ],
)  # fmt: skip
def test_unknown_parameters_come_before_refused_values(api, method, path, params):
    params = {"invoice": "in_x", **params} if "amount" in str(params) else params
    refused = getattr(api, method)(path, params).json()["error"]
    assert refused["param"] != "bogus" and refused.get("code") != "parameter_unknown"
    answer = getattr(api, method)(path, {**params, "bogus": "1"}).json()["error"]
    assert (answer["param"], answer["code"]) == ("bogus", "parameter_unknown")


def test_a_negative_amount_names_its_parameter(api, invoice):
    invoice_mark_paid(invoice=invoice)
    params = {"invoice": invoice.public_id, "amount": "100", "credit_amount": "-100",
              "out_of_band_amount": "200"}  # fmt: skip
    refused = api.post("/v1/credit_notes", params).json()["error"]
    assert refused["param"] == "credit_amount"


def test_expanding_needs_seeing_what_is_expanded(api, invoice):
    invoice_mark_paid(invoice=invoice)
    params = {"invoice": invoice.public_id, "amount": "100", "credit_amount": "100"}
    note = api.post("/v1/credit_notes", params).json()
    scripts = api_with("billing.view_creditnote")
    url = f"/v1/credit_notes/{note['id']}"
    assert scripts.get(url).status_code == 200
    for path in ("invoice", "customer", "customer_balance_transaction"):
        assert scripts.get(url, {"expand[]": path}).status_code == 403, path
        assert scripts.get("/v1/credit_notes", {"expand[]": f"data.{path}"}).status_code == 403
    allowed = api_with("billing.view_creditnote", "billing.view_invoice",
                       "ledger.view_balancetransaction")  # fmt: skip
    expand = [("expand[]", "invoice"), ("expand[]", "customer_balance_transaction")]
    got = allowed.get(url, expand).json()
    assert got["invoice"]["object"] == "invoice"
    assert got["customer_balance_transaction"]["amount"] == -100


def test_a_list_expanding_everything_costs_the_same_for_any_page_size(api):
    def queries(count):
        while CreditNote.objects.count() < count:
            paid = make_invoice(make_customer(), 1000, 2000, finalize=True)
            invoice_mark_paid(invoice=paid)
            params = {"invoice": paid.public_id, "amount": "100", "credit_amount": "100"}
            assert api.post("/v1/credit_notes", params).status_code == 200
        paths = ("invoice", "customer", "customer_balance_transaction")
        expand = [("expand[]", f"data.{path}") for path in paths]
        with CaptureQueriesContext(connection) as captured:
            page = api.get("/v1/credit_notes", [("limit", "100"), *expand]).json()
        assert len(page["data"]) == count
        assert {len(note["invoice"]["lines"]["data"]) for note in page["data"]} == {2}
        assert {note["customer_balance_transaction"]["amount"] for note in page["data"]} == {-100}
        return len(captured)

    assert queries(2) == queries(12)


def test_lines_are_documented_as_a_list_of_hashes():
    paths = document.__wrapped__()["paths"]  # not the cached copy
    schema = paths["/v1/credit_notes"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"
    ]["schema"]
    line = schema["properties"]["lines"]["items"]["properties"]
    assert line["type"]["enum"] == ["custom_line_item", "invoice_line_item"]
    assert line["invoice_line_item"]["type"] == "string"
