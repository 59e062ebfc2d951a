"""/v1/coupons over HTTP, created with the admin's rules (billing.services.catalog)."""

from decimal import Decimal

import pytest

from billing.models import Coupon
from tests.factories import make_coupon

pytestmark = pytest.mark.django_db


def test_create_percent_off_exactly_and_retrieve(api):
    response = api.post("/v1/coupons", {"percent_off": "25.5", "duration": "forever"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"].startswith("co_") and body["object"] == "coupon"
    assert (body["percent_off"], body["amount_off"], body["currency"]) == (25.5, None, None)
    assert (body["duration"], body["name"], body["valid"]) == ("forever", "25.5% off", True)
    assert Coupon.objects.get().percent_off == Decimal("25.50")
    assert api.get(f"/v1/coupons/{body['id']}").json() == body


def test_create_amount_off_in_a_currency(api):
    body = api.post("/v1/coupons", {"amount_off": "500", "currency": "eur", "name": "Five"}).json()
    assert (body["amount_off"], body["currency"], body["duration"]) == (500, "eur", "once")
    assert body["percent_off"] is None and body["name"] == "Five"
    assert Coupon.objects.get().currency == "EUR"


@pytest.mark.parametrize(
    "params, param, code",
    [
        ({"percent_off": "10", "id": "SUMMER"}, "id", "parameter_invalid"),
        ({"percent_off": "10", "duration": "repeating"}, "duration", "parameter_invalid"),
        ({"percent_off": "10", "duration_in_months": "3"}, "duration_in_months",
         "parameter_not_supported"),
        ({"percent_off": "10", "metadata[a]": "b"}, "metadata", "parameter_not_supported"),
        ({"percent_off": "1e1"}, "percent_off", "parameter_invalid"),
        ({"percent_off": "10.555"}, "percent_off", "parameter_invalid"),
        ({"percent_off": "101"}, "percent_off", "parameter_invalid"),
        ({}, "percent_off", "parameter_invalid"),
        ({"percent_off": "10", "amount_off": "5", "currency": "usd"}, "amount_off",
         "parameter_invalid"),
        ({"amount_off": "500"}, "currency", "parameter_invalid"),
        ({"amount_off": "500", "currency": "xxx"}, "currency", "parameter_invalid"),
        ({"percent_off": "10", "colour": "red"}, "colour", "parameter_unknown"),
    ],
)  # fmt: skip
def test_refusals_name_the_parameter(api, params, param, code):
    response = api.post("/v1/coupons", params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["param"], error.get("code")) == (param, code), error
    assert not Coupon.objects.exists()


def test_a_repeating_coupon_is_refused_saying_what_is_supported(api):
    response = api.post("/v1/coupons", {"percent_off": "10", "duration": "repeating"})
    assert "once or forever" in response.json()["error"]["message"]


def test_list_newest_first_and_404(api):
    ids = [make_coupon(percent_off="10", name=f"C{n}").public_id for n in range(3)]
    listed = api.get("/v1/coupons", {"limit": "2"}).json()
    assert [c["id"] for c in listed["data"]] == ids[::-1][:2] and listed["has_more"] is True
    missing = api.get("/v1/coupons/co_nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"


def test_support_may_look_but_not_create(support_api):
    coupon = make_coupon(percent_off="10")
    assert support_api.get(f"/v1/coupons/{coupon.public_id}").status_code == 200
    assert support_api.post("/v1/coupons", {"percent_off": "10"}).status_code == 403


def test_unknown_parameters_come_before_refused_values(api):
    refused = api.post("/v1/coupons", {"percent_off": "10", "duration": "repeating"})
    assert refused.json()["error"]["param"] == "duration"
    params = {"percent_off": "10", "duration": "repeating", "bogus": "1"}
    answer = api.post("/v1/coupons", params).json()["error"]
    assert (answer["param"], answer["code"]) == ("bogus", "parameter_unknown")
