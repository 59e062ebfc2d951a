"""/v1/tax_rates over HTTP, created with the admin's rules (billing.services.catalog)."""

from decimal import Decimal

import pytest

from billing.models import TaxRate
from tests.factories import make_tax_rate

pytestmark = pytest.mark.django_db

NEW = {"display_name": "VAT", "percentage": "19", "inclusive": "false"}


def test_create_and_retrieve_in_stripes_shape(api):
    params = {**NEW, "country": "de", "jurisdiction": "DE"}
    response = api.post("/v1/tax_rates", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"].startswith("txr_") and body["object"] == "tax_rate"
    assert (body["display_name"], body["percentage"], body["inclusive"]) == ("VAT", 19, False)
    assert (body["country"], body["jurisdiction"], body["active"]) == ("DE", "DE", True)
    assert body["state"] is None and body["metadata"] == {}
    assert api.get(f"/v1/tax_rates/{body['id']}").json() == body


def test_the_percentage_is_parsed_exactly(api):
    body = api.post("/v1/tax_rates", {**NEW, "percentage": "8.8875"}).json()
    assert TaxRate.objects.get().percentage == Decimal("8.8875")
    assert body["percentage"] == 8.8875


@pytest.mark.parametrize(
    "change, param, code",
    [
        ({"percentage": "8.88751"}, "percentage", "parameter_invalid"),
        ({"percentage": "100.5"}, "percentage", "parameter_invalid"),
        ({"percentage": "-1"}, "percentage", "parameter_invalid"),
        ({"percentage": "1e1"}, "percentage", "parameter_invalid"),
        ({"inclusive": None}, "inclusive", "parameter_missing"),
        ({"display_name": None}, "display_name", "parameter_missing"),
        ({"country": "zz"}, "country", "parameter_invalid"),
        ({"state": "CA"}, "state", "parameter_not_supported"),
        ({"tax_type": "vat"}, "tax_type", "parameter_not_supported"),
        ({"colour": "red"}, "colour", "parameter_unknown"),
    ],
)
def test_refusals_name_the_parameter(api, change, param, code):
    params = {name: value for name, value in {**NEW, **change}.items() if value is not None}
    response = api.post("/v1/tax_rates", params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["param"], error.get("code")) == (param, code), error
    assert not TaxRate.objects.exists()


def test_list_filters_by_active_and_inclusive(api):
    exclusive = make_tax_rate("20").public_id
    inclusive = make_tax_rate("10", inclusive=True).public_id
    inactive = make_tax_rate("5", active=False).public_id

    def ids(params):
        return [rate["id"] for rate in api.get("/v1/tax_rates", params).json()["data"]]

    assert ids({}) == [inactive, inclusive, exclusive]
    assert ids({"active": "true"}) == [inclusive, exclusive]
    assert ids({"inclusive": "true"}) == [inclusive]
    assert api.get("/v1/tax_rates/txr_nope").status_code == 404


def test_support_may_look_but_not_create(support_api):
    rate = make_tax_rate()
    assert support_api.get(f"/v1/tax_rates/{rate.public_id}").status_code == 200
    assert support_api.post("/v1/tax_rates", NEW).status_code == 403
