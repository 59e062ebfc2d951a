"""POST/GET/DELETE /v1/customers and /v1/customers/search over HTTP."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.keys import api_key_create
from billing.services import customer_billing_defaults_set
from billing.services.catalog import coupon_create
from customers.models import Customer
from ledger.models import BalanceTransaction
from tests.api.conftest import Api
from tests.factories import adjust, make_customer, make_user

pytestmark = pytest.mark.django_db

NEW = [
    ("name", "Jenny Rosen"),
    ("email", "jenny@example.com"),
    ("address[line1]", "1 Rue de Rivoli"),
    ("address[city]", "Paris"),
    ("address[country]", "fr"),
    ("metadata[plan]", "pro"),
    ("preferred_locales[0]", "fr-CA"),
    ("preferred_locales[1]", "en"),
    ("tax_id_data[0][type]", "eu_vat"),
    ("tax_id_data[0][value]", "DE136695976"),
    ("currency", "eur"),
    ("balance", "-500"),
]


def test_create_retrieve_update_delete(api):
    created = api.post("/v1/customers", NEW)
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["object"] == "customer" and body["id"].startswith("cus_")
    assert body["address"]["country"] == "FR" and body["address"]["line2"] is None
    assert body["metadata"] == {"plan": "pro"}
    assert body["preferred_locales"] == ["fr-CA", "en"]
    assert body["currency"] == "eur" and body["balance"] == -500
    assert body["livemode"] is False and body["test_clock"] is None
    customer = Customer.objects.get(public_id=body["id"])
    opening = BalanceTransaction.objects.get(customer=customer)
    assert (opening.type, opening.amount, opening.currency) == ("initial", -500, "EUR")

    fetched = api.get(f"/v1/customers/{body['id']}", [("expand[0]", "tax_ids")]).json()
    assert fetched["tax_ids"]["data"][0]["value"] == "DE136695976"
    assert fetched["tax_ids"]["data"][0]["country"] == "DE"

    updated = api.post(
        f"/v1/customers/{body['id']}", [("metadata[plan]", ""), ("metadata[seats]", "5")]
    )
    assert updated.json()["metadata"] == {"seats": "5"}
    cleared = api.post(f"/v1/customers/{body['id']}", [("metadata", ""), ("address", "")]).json()
    assert cleared["metadata"] == {} and cleared["address"] is None

    deleted = api.delete(f"/v1/customers/{body['id']}").json()
    assert deleted == {"id": body["id"], "object": "customer", "deleted": True}
    assert api.get(f"/v1/customers/{body['id']}").json()["deleted"] is True


def test_errors_name_the_parameter(api):
    answer = api.post(
        "/v1/customers", [("name", "X"), ("email", "x@example.com"), ("colour", "red")]
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "type": "invalid_request_error",
        "code": "parameter_unknown",
        "param": "colour",
        "message": "Received unknown parameter: colour",
    }
    named = [("name", "X"), ("email", "x@example.com")]
    bad_country = api.post("/v1/customers", [*named, ("address[country]", "ZZ")]).json()["error"]
    assert bad_country["param"] == "address[country]"
    missing = api.post("/v1/customers", [("email", "x@example.com")]).json()["error"]
    assert missing["param"] == "name"
    payment = api.post("/v1/customers", [("source", "tok_visa")]).json()["error"]
    assert payment["param"] == "source" and "not supported" in payment["message"]
    assert api.get("/v1/customers/cus_nope").status_code == 404
    assert api.get("/v1/customers/cus_nope").json()["error"]["code"] == "resource_missing"


def test_list_pages_newest_first_and_search(api):
    ids = [api.post("/v1/customers", [("name", f"C{n}"), ("email", f"c{n}@example.com"),
                                      ("metadata[n]", str(n))]).json()["id"]
           for n in range(5)]  # fmt: skip
    first = api.get("/v1/customers", [("limit", "2")]).json()
    assert [c["id"] for c in first["data"]] == ids[::-1][:2] and first["has_more"] is True
    second = api.get("/v1/customers", [("limit", "2"), ("starting_after", ids[3])]).json()
    assert [c["id"] for c in second["data"]] == [ids[2], ids[1]]
    by_email = api.get("/v1/customers", [("email", "C3@example.com")]).json()
    assert [c["id"] for c in by_email["data"]] == [ids[3]]
    found = api.get("/v1/customers/search", [("query", "metadata['n']:'4'")]).json()
    assert found["object"] == "search_result" and [c["id"] for c in found["data"]] == [ids[4]]


def test_authentication_and_permission(api, support_api):
    assert api.get("/v1/customers", secret="").status_code == 401
    assert api.get("/v1/customers", secret="sk_test_wrong").status_code == 401
    assert support_api.get("/v1/customers").status_code == 200
    refused = support_api.post("/v1/customers", [("name", "X"), ("email", "x@example.com")])
    assert refused.status_code == 403


def test_an_idempotent_retry_returns_the_same_customer(api):
    params = [("name", "Once"), ("email", "once@example.com")]
    first = api.post("/v1/customers", params, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/v1/customers", params, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(email="once@example.com").count() == 1
    other = api.post("/v1/customers", [("name", "Other"), ("email", "o@example.com")],
                     HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert other.status_code == 400 and other.json()["error"]["type"] == "idempotency_error"


def test_a_list_page_costs_the_same_queries_for_10_customers_as_for_2(api):
    coupon = coupon_create(name="Ten", percent_off=10)

    def add(count):
        for _ in range(count):
            customer = make_customer(default_currency="EUR")
            adjust(customer, -100, "EUR")
            customer_billing_defaults_set(customer=customer, tax_rates=[], coupon=coupon)

    def queries(limit):
        with CaptureQueriesContext(connection) as captured:
            page = api.get("/v1/customers", [("limit", str(limit))]).json()
        assert len(page["data"]) == limit
        assert {(c["balance"], c["discount"]["source"]["coupon"]) for c in page["data"]} == {
            (-100, coupon.public_id)
        }
        return len(captured)

    add(2)
    two = queries(2)
    add(8)
    assert queries(10) == two


def test_an_empty_email_on_update_is_refused_not_ignored(api):
    created = api.post("/v1/customers", [("name", "Keep"), ("email", "keep@example.com")]).json()
    error = api.post(f"/v1/customers/{created['id']}", [("email", "")]).json()["error"]
    assert (error["param"], error["code"]) == ("email", "parameter_invalid_empty")
    assert Customer.objects.get(public_id=created["id"]).email == "keep@example.com"


def test_a_customers_coupon_is_stripes_discount_object(api):
    coupon = coupon_create(name="Five", percent_off=5)
    created = api.post("/v1/customers", [("name", "D"), ("email", "d@example.com"),
                                         ("coupon", coupon.public_id)]).json()  # fmt: skip
    # The keys of today's fixture (../shared/stripe/stripe-fixtures3.json.gz).
    assert set(created["discount"]) == {
        "checkout_session", "customer", "customer_account", "end", "id", "invoice",
        "invoice_item", "object", "promotion_code", "source", "start", "subscription",
        "subscription_item",
    }  # fmt: skip
    assert created["discount"]["source"] == {"coupon": coupon.public_id, "type": "coupon"}


def test_setting_a_coupon_needs_what_the_page_needs(db):
    user = make_user()  # may add customers, not touch billing
    user.user_permissions.add(Permission.objects.get(codename="add_customer"))
    _, secret = api_key_create(name="CRM", user=user)
    coupon = coupon_create(name="Five", percent_off=5)
    named = [("name", "C"), ("email", "c@example.com")]
    refused = Api(secret).post("/v1/customers", [*named, ("coupon", coupon.public_id)])
    assert (
        refused.status_code == 403 and "billing.add_invoice" in refused.json()["error"]["message"]
    )
    assert Api(secret).post("/v1/customers", named).status_code == 200


def test_a_created_filter_beyond_any_date_is_a_400_naming_it(api):
    for value in ("99999999999999", "-5"):
        answer = api.get("/v1/customers", [("created[gte]", value)])
        assert answer.status_code == 400
        assert answer.json()["error"]["param"] == "created[gte]"
