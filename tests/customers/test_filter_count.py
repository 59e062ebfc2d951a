"""The filter form's "Filters" summary says how many filters the list applies."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
LIST = reverse("customers:list")


def test_filters_summary_counts_the_applied_filters(billing_client):
    page = billing_client.get(LIST, {"currency": "EUR", "name": "Acme", "sort": "name"})
    assert '<summary>Filters<span id="filter-count"> (2)</span></summary>' in page.text


def test_filters_summary_shows_no_count_without_filters(billing_client):
    page = billing_client.get(LIST, {"sort": "name", "name": " "})
    assert '<summary>Filters<span id="filter-count"></span></summary>' in page.text


def test_filtering_in_place_brings_the_new_count_out_of_band(billing_client, htmx):
    body = billing_client.get(LIST, {"currency": "EUR"}, **htmx).text
    assert '<span id="filter-count" hx-swap-oob="true"> (1)</span>' in body
    assert "<summary>" not in body
