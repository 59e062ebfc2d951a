"""/v1/invoices over HTTP: create, retrieve, update, delete, list, lines, PDF and the
status actions, with the billing services' rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.openapi import document
from billing import services
from billing.models import Invoice, InvoiceItem
from tests.api.test_invoiceitems import api_with
from tests.factories import adjust, make_coupon, make_customer, make_invoice, make_item

pytestmark = pytest.mark.django_db


def _create(api, customer, *params):
    answer = api.post("/v1/invoices", [("customer", customer.public_id), *params])
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_items_in_two_currencies_make_one_invoice_each(api):
    customer = make_customer()
    make_item(customer, 1000, "EUR")
    make_item(customer, 2500, "USD")
    make_item(customer, 500, "EUR")
    refused = api.post("/v1/invoices", [("customer", customer.public_id), ("currency", "gbp")])
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "currency"
    euros = _create(api, customer, ("currency", "eur"))
    dollars = _create(api, customer, ("currency", "usd"))
    assert (euros["currency"], euros["total"], euros["amount_due"]) == ("eur", 1500, 1500)
    assert [line["amount"] for line in euros["lines"]["data"]] == [1000, 500]
    assert (dollars["currency"], dollars["total"]) == ("usd", 2500)
    assert euros["lines"]["url"] == f"/v1/invoices/{euros['id']}/lines"
    assert not InvoiceItem.objects.filter(customer=customer, invoice=None).exists()


def test_create_shape_and_terms(api):
    customer = make_customer(name="Jenny Rosen", address_line1="1 Rue de Rivoli",
                             address_city="Paris", address_country="FR")  # fmt: skip
    item = make_item(customer, 1000, "EUR")
    body = _create(
        api, customer, ("currency", "eur"), ("description", "Thanks"), ("footer", "Bank: X"),
        ("days_until_due", "14"), ("collection_method", "send_invoice"),
        ("auto_advance", "false"), ("expand[0]", "customer"),
    )  # fmt: skip
    assert body["id"].startswith("in_") and body["object"] == "invoice"
    assert body["status"] == "draft" and body["number"] is None
    assert (body["description"], body["footer"]) == ("Thanks", "Bank: X")
    assert body["collection_method"] == "send_invoice" and body["auto_advance"] is False
    assert body["customer"]["id"] == customer.public_id
    assert body["customer_name"] == "Jenny Rosen"
    assert body["customer_address"]["city"] == "Paris"
    assert body["hosted_invoice_url"] is None and body["livemode"] is False
    assert body["invoice_pdf"].endswith(f"/v1/invoices/{body['id']}/pdf")
    line = body["lines"]["data"][0]
    assert (line["id"], line["object"], line["invoice"]) == (
        item.public_id,
        "line_item",
        body["id"],
    )
    assert body["due_date"] - body["created"] > 13 * 86400


def test_exclude_leaves_items_pending(api):
    customer = make_customer(default_currency="EUR")
    make_item(customer, 1000, "EUR")
    body = _create(api, customer, ("pending_invoice_items_behavior", "exclude"))
    assert body["lines"]["data"] == [] and body["total"] == 0
    assert InvoiceItem.objects.filter(customer=customer, invoice=None).count() == 1


def test_create_refusals(api):
    customer = make_customer(default_currency="EUR")
    cases = [
        ([], "customer", 400),
        ([("customer", "cus_missing")], "customer", 404),
        ([("customer", customer.public_id), ("collection_method", "charge_automatically")],
         "collection_method", 400),
        ([("customer", customer.public_id), ("auto_advance", "true")], "auto_advance", 400),
        ([("customer", customer.public_id), ("metadata[a]", "b")], "metadata", 400),
        ([("customer", customer.public_id), ("colour", "red")], "colour", 400),
        ([("customer", customer.public_id), ("days_until_due", "400")], "days_until_due", 400),
        ([("customer", customer.public_id), ("discounts[0][coupon]", "co_nope")],
         "discounts[0][coupon]", 404),
        # Every parameter is read before any lookup: the unknown one is named first.
        ([("customer", customer.public_id), ("discounts[0][coupon]", "co_nope"),
          ("colour", "red")], "colour", 400),
        ([("customer", customer.public_id), ("discounts[0][coupon]", "co_1"),
          ("discounts[1][coupon]", "co_2")], "discounts", 400),
        ([("customer", customer.public_id), ("discounts[0][promotion_code]", "promo_1")],
         "discounts[0][promotion_code]", 400),
    ]  # fmt: skip
    for params, param, status in cases:
        answer = api.post("/v1/invoices", params)
        assert (answer.status_code, answer.json()["error"].get("param")) == (status, param)
    assert not Invoice.objects.exists()


def test_coupon_on_create_and_update(api):
    customer = make_customer(default_currency="EUR")
    make_item(customer, 1000, "EUR")
    coupon = make_coupon(percent_off="10")
    body = _create(api, customer, ("discounts[0][coupon]", coupon.public_id))
    # The discount's ID, unless expanded: a synthetic di_ one made from the invoice's.
    discount = "di_" + body["id"].removeprefix("in_")
    assert body["total"] == 900 and body["discounts"] == [discount]
    assert body["total_discount_amounts"] == [{"amount": 100, "discount": discount}]
    expanded = api.get(f"/v1/invoices/{body['id']}", [("expand[]", "discounts")]).json()
    assert expanded["discounts"][0]["id"] == discount
    assert expanded["discounts"][0]["coupon"] == coupon.public_id
    removed = api.post(f"/v1/invoices/{body['id']}", [("discounts", "")]).json()
    assert removed["total"] == 1000 and removed["discounts"] == []
    again = api.post(f"/v1/invoices/{body['id']}", [("coupon", coupon.public_id)]).json()
    assert again["total"] == 900


def test_update_a_draft_only(api):
    invoice = make_invoice(None, 1000)
    url = f"/v1/invoices/{invoice.public_id}"
    updated = api.post(url, [("description", "Memo"), ("days_until_due", "7")]).json()
    assert updated["description"] == "Memo" and updated["footer"] is None
    assert Invoice.objects.get(pk=invoice.pk).days_until_due == 7
    assert api.post(f"{url}/finalize").status_code == 200
    refused = api.post(url, [("description", "Late")])
    assert refused.status_code == 400 and "draft" in refused.json()["error"]["message"]


def test_retrieve_and_missing(api):
    invoice = make_invoice(None, 1000)
    body = api.get(f"/v1/invoices/{invoice.public_id}", [("expand[]", "customer")]).json()
    assert body["id"] == invoice.public_id and body["customer"]["object"] == "customer"
    for method in ("get", "post", "delete"):
        missing = getattr(api, method)("/v1/invoices/in_missing")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"


def test_delete_a_draft_makes_its_lines_pending(api):
    invoice = make_invoice(None, 1000)
    answer = api.delete(f"/v1/invoices/{invoice.public_id}").json()
    assert answer == {"id": invoice.public_id, "object": "invoice", "deleted": True}
    assert InvoiceItem.objects.get().invoice is None
    finalized = make_invoice(None, 1000, finalize=True)
    assert api.delete(f"/v1/invoices/{finalized.public_id}").status_code == 400


def test_lifecycle_finalize_pay_void_uncollectible(api):
    customer = make_customer()
    adjust(customer, -300, "USD")
    invoice = make_invoice(customer, 1000)
    url = f"/v1/invoices/{invoice.public_id}"
    opened = api.post(f"{url}/finalize", [("auto_advance", "false")]).json()
    assert opened["status"] == "open" and opened["number"]
    assert (opened["starting_balance"], opened["amount_due"]) == (-300, 700)
    assert opened["status_transitions"]["finalized_at"] is not None
    assert api.post(f"{url}/finalize").status_code == 400
    uncollectible = api.post(f"{url}/mark_uncollectible").json()
    assert uncollectible["status"] == "uncollectible"
    for params in ([], [("paid_out_of_band", "false")], [("payment_method", "pm_1")]):
        refused = api.post(f"{url}/pay", params)
        assert refused.status_code == 400, params
    paid = api.post(f"{url}/pay", [("paid_out_of_band", "true")]).json()
    assert (paid["status"], paid["amount_paid"], paid["amount_remaining"]) == ("paid", 700, 0)
    assert api.post(f"{url}/void").status_code == 400
    other = make_invoice(customer, 500, finalize=True)
    voided = api.post(f"/v1/invoices/{other.public_id}/void").json()
    assert voided["status"] == "void" and voided["status_transitions"]["voided_at"]


def test_finalized_invoice_shows_the_snapshot(api):
    customer = make_customer(name="Old name", address_line1="1 Main St", address_country="US")
    invoice = make_invoice(customer, 1000, finalize=True)
    customer.name = "New name"
    customer.save()
    body = api.get(f"/v1/invoices/{invoice.public_id}").json()
    assert body["customer_name"] == "Old name"
    assert body["customer_address"]["line1"] == "1 Main St"
    assert body["customer_address"]["country"] == "US"


def test_list_filters_newest_first(api):
    first = make_customer()
    old = make_invoice(first, 1000)
    new = make_invoice(first, 2000, finalize=True)
    other = make_invoice(None, 3000)
    everything = api.get("/v1/invoices").json()
    assert [i["id"] for i in everything["data"]] == [other.public_id, new.public_id, old.public_id]
    mine = api.get("/v1/invoices", [("customer", first.public_id), ("limit", "1")]).json()
    assert [i["id"] for i in mine["data"]] == [new.public_id] and mine["has_more"] is True
    drafts = api.get("/v1/invoices", [("status", "draft"), ("expand[]", "data.customer")]).json()
    assert {i["id"] for i in drafts["data"]} == {other.public_id, old.public_id}
    assert drafts["data"][0]["customer"]["object"] == "customer"
    later = api.get("/v1/invoices", [("created[gt]", str(int(new.created.timestamp()) + 5))])
    assert later.json()["data"] == []
    assert api.get("/v1/invoices", [("status", "late")]).status_code == 400


def test_lines_page_in_invoice_order(api):
    invoice = make_invoice(None, 100, 200, 300)
    url = f"/v1/invoices/{invoice.public_id}/lines"
    page = api.get(url, [("limit", "2")]).json()
    assert [line["amount"] for line in page["data"]] == [100, 200] and page["has_more"]
    rest = api.get(url, [("starting_after", page["data"][-1]["id"])]).json()
    assert [line["amount"] for line in rest["data"]] == [300] and not rest["has_more"]
    back = api.get(url, [("ending_before", rest["data"][0]["id"])]).json()
    assert [line["amount"] for line in back["data"]] == [100, 200]
    stranger = make_item(make_customer(), 50)
    assert api.get(url, [("starting_after", stranger.public_id)]).status_code == 404


def test_pdf_with_the_key(api):
    invoice = make_invoice(None, 1000, finalize=True)
    answer = api.get(f"/v1/invoices/{invoice.public_id}/pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert api.get(f"/v1/invoices/{invoice.public_id}/pdf", secret="").status_code == 401


def test_support_views_but_cannot_write(api, support_api):
    invoice = make_invoice(None, 1000)
    assert support_api.get(f"/v1/invoices/{invoice.public_id}").status_code == 200
    assert support_api.get("/v1/invoices").status_code == 200
    url = f"/v1/invoices/{invoice.public_id}"
    assert support_api.post(url, [("description", "x")]).status_code == 403
    assert support_api.post(f"{url}/finalize").status_code == 403
    assert support_api.delete(url).status_code == 403
    customer = make_customer()
    assert support_api.post("/v1/invoices", [("customer", customer.public_id)]).status_code == 403


def test_every_field_of_stripes_objects_is_there(api):
    """Today's fixtures (/work/shared/stripe), when this machine has them."""
    import gzip
    import json
    from pathlib import Path

    fixtures = Path("/work/shared/stripe/stripe-fixtures3.json.gz")
    if not fixtures.exists():
        pytest.skip("no Stripe fixtures here")
    with gzip.open(fixtures) as stream:
        resources = json.load(stream)["resources"]
    invoice = make_invoice(None, 1000)
    body = api.get(f"/v1/invoices/{invoice.public_id}").json()
    assert set(resources["invoice"]) - set(body) == set()
    assert set(resources["line_item"]) - set(body["lines"]["data"][0]) == set()


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("post", "/v1/invoices", {"collection_method": "charge_automatically"}),
        ("post", "/v1/invoices", {"auto_advance": "true"}),
        ("post", "/v1/invoices", {"discounts[0][coupon]": "co_1", "discounts[1][coupon]": "co_2"}),
        ("post", "/v1/invoices", {"expand[]": "lines"}),
        ("post", "/v1/invoices/in_x", {"auto_advance": "true"}),
        ("post", "/v1/invoices/in_x/finalize", {"auto_advance": "true"}),
        ("get", "/v1/invoices/in_x", {"expand[]": "lines"}),
        ("get", "/v1/invoices", {"expand[]": "data.lines"}),
    ],
)
def test_unknown_parameters_come_before_refused_values(api, method, path, params):
    params = {"customer": "cus_x", **params} if path == "/v1/invoices" else params
    refused = getattr(api, method)(path, params).json()["error"]
    assert refused["param"] != "bogus" and refused.get("code") != "parameter_unknown"
    answer = getattr(api, method)(path, {**params, "bogus": "1"}).json()["error"]
    assert (answer["param"], answer["code"]) == ("bogus", "parameter_unknown")


def test_update_changes_only_what_was_sent(api, monkeypatch):
    customer = make_customer(default_currency="EUR")
    invoice = make_invoice(customer, 1000, currency="EUR", footer="Bank: X")
    coupon = make_coupon(amount_off=100, currency="EUR")
    real_update = services.invoice_update

    def page_edits_first(*, invoice, **terms):
        """The page saves a footer and a coupon after the API read the invoice."""
        Invoice.objects.filter(pk=invoice.pk).update(footer="Bank: Y", coupon=coupon)
        return real_update(invoice=invoice, **terms)

    monkeypatch.setattr(services, "invoice_update", page_edits_first)
    answer = api.post(f"/v1/invoices/{invoice.public_id}", {"description": "Thanks"})
    assert answer.status_code == 200, answer.content
    invoice.refresh_from_db()
    assert (invoice.memo, invoice.footer, invoice.coupon) == ("Thanks", "Bank: Y", coupon)


def test_starting_and_ending_balance_are_the_customers_around_finalization(api):
    customer = make_customer(default_currency="EUR")
    adjust(customer, -5000, "EUR")
    draft = _create(
        api, customer, ("currency", "eur"), ("pending_invoice_items_behavior", "exclude")
    )
    assert (draft["starting_balance"], draft["ending_balance"]) == (0, None)
    make_item(customer, 1000, "EUR")
    invoice = _create(api, customer, ("currency", "eur"))
    opened = api.post(f"/v1/invoices/{invoice['id']}/finalize").json()
    assert (opened["starting_balance"], opened["ending_balance"]) == (-5000, -4000)
    owed = make_customer(default_currency="EUR")
    adjust(owed, 300, "EUR")
    make_item(owed, 1000, "EUR")
    opened = api.post(f"/v1/invoices/{_create(api, owed)['id']}/finalize").json()
    assert (opened["starting_balance"], opened["ending_balance"]) == (300, 0)
    assert opened["amount_due"] == 1300
    nothing = make_invoice(None, 1000, finalize=True)
    got = api.get(f"/v1/invoices/{nothing.public_id}").json()
    assert (got["starting_balance"], got["ending_balance"]) == (0, 0)


def test_expanding_the_customer_needs_seeing_customers(api):
    invoice = make_invoice(None, 1000)
    scripts = api_with("billing.view_invoice")
    url = f"/v1/invoices/{invoice.public_id}"
    assert scripts.get(url).status_code == 200
    assert scripts.get(url, {"expand[]": "customer"}).status_code == 403
    assert scripts.get("/v1/invoices", {"expand[]": "data.customer"}).status_code == 403
    assert (
        api_with("billing.view_invoice", "customers.view_customer")
        .get(url, {"expand[]": "customer"})
        .json()["customer"]["object"]
        == "customer"
    )


@pytest.mark.parametrize("expand", [[], [("expand[]", "data.customer")]])
def test_a_list_costs_the_same_for_any_page_size(api, expand):
    coupon = make_coupon(percent_off="10")

    def queries(count):
        while Invoice.objects.count() < count:
            customer = make_customer(default_currency="EUR")
            adjust(customer, -100, "EUR")
            invoice = make_invoice(customer, 1000, 2000, currency="EUR")
            services.invoice_update(invoice=invoice, coupon=coupon)
            services.invoice_finalize(invoice=invoice)
        with CaptureQueriesContext(connection) as captured:
            page = api.get("/v1/invoices", [("limit", "100"), *expand]).json()
        assert len(page["data"]) == count
        assert [len(invoice["lines"]["data"]) for invoice in page["data"]] == [2] * count
        return len(captured)

    assert queries(2) == queries(12)


def test_nested_parameters_are_documented():
    paths = document.__wrapped__()["paths"]  # not the cached copy
    schema = paths["/v1/invoices"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"
    ]["schema"]
    assert schema["properties"]["discounts"]["items"]["properties"]["coupon"]["type"] == "string"


def test_send_queues_the_invoice_email_and_refuses_what_cannot_be_sent(api, support_api):
    from billing.models import DocumentEmail

    customer = make_customer(email="ap@example.com")
    invoice = make_invoice(customer, 1000, finalize=True)
    url = f"/v1/invoices/{invoice.public_id}/send"
    answer = api.post(url)
    assert answer.status_code == 200, answer.content
    assert answer.json()["id"] == invoice.public_id
    email = DocumentEmail.objects.get(invoice=invoice)
    assert (email.kind, email.to) == ("invoice", ["ap@example.com"])

    draft = make_invoice(customer, 500)
    refused = api.post(f"/v1/invoices/{draft.public_id}/send")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invoice_not_sendable"
    nobody = make_invoice(make_customer(email=""), 700, finalize=True)
    refused = api.post(f"/v1/invoices/{nobody.public_id}/send")
    assert "no email address" in refused.json()["error"]["message"]
    assert support_api.post(url).status_code == 403
    assert DocumentEmail.objects.count() == 1
