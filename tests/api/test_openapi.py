"""/v1/openapi.json is made by running every view on a Recorder: it lists every route and
method, and for each the parameters the view reads. The views read all their parameters
before touching the database, so making it needs none: the first tests have no database,
and would fail on any query."""

import re

import pytest
from django.urls import URLPattern, get_resolver

from api.openapi import document

make_document = document.__wrapped__  # not the cached copy another test may have made


def _api_routes():
    (api,) = [p for p in get_resolver().url_patterns if getattr(p, "app_name", "") == "api"]
    for pattern in api.url_patterns:
        if isinstance(pattern, URLPattern) and hasattr(pattern.callback, "views"):
            path = "/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
            yield path, {method.lower() for method in pattern.callback.views}


def test_every_route_and_method_is_in_the_document_and_nothing_else():
    paths = make_document()["paths"]
    routes = dict(_api_routes())
    assert set(paths) == set(routes)
    for path, methods in routes.items():
        assert set(paths[path]) == methods, path


def test_a_create_lists_what_the_view_reads_nested_and_required():
    schema = make_document()["paths"]["/v1/customers"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"
    ]["schema"]
    properties = schema["properties"]
    wanted = {"name", "email", "address", "shipping", "metadata", "tax_id_data", "balance",
              "currency", "preferred_locales", "invoice_settings", "expand"}  # fmt: skip
    assert wanted <= set(properties)
    assert set(properties["address"]["properties"]) == {
        "line1", "line2", "city", "state", "postal_code", "country",
    }  # fmt: skip
    assert set(properties["shipping"]["properties"]["address"]["properties"]) >= {"city"}
    tax_id = properties["tax_id_data"]["items"]["properties"]
    assert set(tax_id) == {"type", "value"}
    assert properties["preferred_locales"]["items"] == {"type": "string"}
    # Refused parameters are not offered.
    assert "source" not in properties and "payment_method" not in properties


def test_a_list_documents_its_query_parameters():
    operation = make_document()["paths"]["/v1/customers"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert {"limit", "starting_after", "ending_before", "email", "created", "expand"} <= set(
        parameters
    )
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["created"]["style"] == "deepObject"
    retrieve = make_document()["paths"]["/v1/invoices/{id}"]["get"]
    assert {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}} in (
        retrieve["parameters"]
    )


@pytest.mark.django_db
def test_it_is_served_to_any_key_and_to_nobody_else(api, support_api):
    assert api.get("/v1/openapi.json").json()["openapi"] == "3.0.3"
    assert support_api.get("/v1/openapi.json").json() == api.get("/v1/openapi.json").json()
    assert api.get("/v1/openapi.json", secret="").status_code == 401
