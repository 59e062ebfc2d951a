"""The credit balance over time on the customer page: ledger.selectors.balance_history
and ledger/charts.py, read from the transactions (never written here)."""

import pytest
from django.urls import reverse

from ledger import selectors
from ledger.charts import balance_charts
from tests.factories import adjust, make_customer

pytestmark = pytest.mark.django_db


def test_history_is_the_balance_at_each_transaction_per_currency():
    customer = make_customer()
    adjust(customer, -1000, "USD")
    adjust(customer, 400, "USD")
    adjust(customer, 700, "EUR")
    history = selectors.balance_history(customer)
    assert [value for _, value in history["USD"]] == [0, -1000, -600]  # led by the start
    assert [value for _, value in history["EUR"]] == [0, 700]
    moments = [moment for moment, _ in history["USD"]]
    assert moments == sorted(moments)


def test_history_is_bounded_to_the_last_transactions():
    customer = make_customer()
    for amount in (100, 200, 300, 400):
        adjust(customer, amount, "USD")
    points = selectors.balance_history(customer, limit=2)["USD"]
    # The balance before the third transaction, then after the third and the fourth.
    assert [value for _, value in points] == [300, 600, 1000]


def test_history_reads_in_a_query_per_currency(django_assert_num_queries):
    customer = make_customer()
    for currency in ("USD", "EUR", "GBP"):
        adjust(customer, 100, currency)
    with django_assert_num_queries(4):
        selectors.balance_history(customer)


def test_no_transactions_no_chart():
    assert balance_charts(make_customer()) == []


def test_customer_page_draws_the_balance_and_lists_its_numbers(billing_client, htmx):
    customer = make_customer()
    adjust(customer, -1050, "USD")
    adjust(customer, 300, "USD")
    page = billing_client.get(customer.get_absolute_url()).content.decode()
    assert 'id="balance-chart-usd-title"' in page
    assert "Credit balance over time, USD" in page
    assert "$10.50 credit" in page and "$7.50 credit" in page
    assert '<path class="chart-step"' in page
    # The section's own refresh (after an adjustment) draws it too.
    section = billing_client.get(
        reverse("ledger:credit_balance", args=[customer.public_id]), **htmx
    ).content.decode()
    assert "Credit balance over time, USD" in section and "<html" not in section
