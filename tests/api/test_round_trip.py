"""One set of customers, whichever door: a customer created through the API is on the
Customers page and in its CSV export, and one added on the page is in the API's list and
search, with the same fields."""

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import profile_post_data

pytestmark = pytest.mark.django_db


def _export(client):
    response = client.get(reverse("customers:export"))
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_an_api_customer_is_on_the_page_and_in_the_export(api, billing_client, ops_client):
    params = [("name", "Api Made Ltd"), ("email", "api@example.com"),
              ("address[country]", "DE"), ("metadata[plan]", "pro")]  # fmt: skip
    created = api.post("/v1/customers", params).json()

    page = billing_client.get(reverse("customers:list"), {"q": "Api Made"}).content.decode()
    assert created["id"] in page and "Api Made Ltd" in page
    (row,) = [row for row in _export(ops_client) if row["id"] == created["id"]]
    assert (row["name"], row["email"], row["address_country"], row["metadata[plan]"]) == (
        "Api Made Ltd", "api@example.com", "DE", "pro",
    )  # fmt: skip


def test_a_page_customer_is_in_the_api_list_and_search(api, billing_client, htmx):
    data = profile_post_data(name="Page Made Ltd", email="page@example.com",
                             address_country="FR", metadata="plan=basic")  # fmt: skip
    assert billing_client.post(reverse("ledger:customer_add"), data, **htmx).status_code == 204

    (listed,) = api.get("/v1/customers", [("email", "page@example.com")]).json()["data"]
    assert (listed["name"], listed["address"]["country"], listed["metadata"]) == (
        "Page Made Ltd", "FR", {"plan": "basic"},
    )  # fmt: skip
    found = api.get("/v1/customers/search", [("query", 'name:"Page Made Ltd"')]).json()
    assert [customer["id"] for customer in found["data"]] == [listed["id"]]
