"""The Home page in Chromium: the charts, their tables of numbers, a figure's link to
the list behind it, and the customer page's summary and balance chart."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from billing.services import invoice_finalize, invoice_mark_paid
from tests.factories import adjust, make_customer, make_invoice


def _finalized(customer, amount, days_ago=0):
    draft = make_invoice(customer, amount)
    return invoice_finalize(invoice=draft, now=timezone.now() - datetime.timedelta(days=days_ago))


def test_home_page_charts_tables_and_links(signed_in_page, csp_violations):
    globex = make_customer(name="Globex")
    initech = make_customer(name="Initech")
    invoice_mark_paid(invoice=_finalized(globex, 5000))
    overdue = _finalized(initech, 1234, days_ago=45)  # due 15 days ago
    current = _finalized(globex, 700)
    page = signed_in_page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    usd = page.locator("#home-usd")
    expect(usd.get_by_role("group", name="Invoiced and collected per month, USD")).to_be_visible()
    expect(usd.locator("svg rect.chart-bar")).to_have_count(24)
    this_month = timezone.localdate().strftime("%b")
    expect(usd.get_by_role("link", name=f"Collected, {this_month}: $50.00")).to_be_visible()

    # The chart's numbers, in a table: this month is the last row.
    usd.get_by_text("Invoiced and collected per month, in numbers").click()
    last_month = usd.locator("#months-usd tbody tr").last
    expect(last_month).to_contain_text(timezone.localdate().strftime("%B %Y"))
    expect(last_month).to_contain_text("$57.00")  # invoiced: 50.00 + 7.00
    expect(last_month).to_contain_text("$50.00")  # collected

    ages = usd.locator("#ages-usd")
    expect(ages.get_by_role("row", name=re.compile("Current"))).to_contain_text("$7.00")
    expect(ages.get_by_role("row", name=re.compile("1–30 days"))).to_contain_text("$12.34")
    expect(usd.locator("#largest-usd tbody tr").first).to_contain_text("Initech")

    # A figure lands on the list behind it, its filters shown.
    ages.get_by_role("link", name="$12.34").click()
    expect(page).to_have_url(re.compile(r"/invoices/\?.*status=open.*due_after="))
    rows = page.locator("#invoice-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(overdue.number)
    expect(page.get_by_label("Due from")).not_to_have_value("")
    assert current.number not in page.locator("#invoice-table").inner_text()
    assert csp_violations == []


def test_customer_page_summary_and_balance_chart(signed_in_page, csp_violations):
    customer = make_customer(name="Globex")
    invoice_mark_paid(invoice=_finalized(customer, 5000))
    _finalized(customer, 700)
    adjust(customer, -1050, "USD")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    summary = page.locator("#billing-summary")
    expect(summary.get_by_role("row", name=re.compile("USD"))).to_contain_text("$57.00")
    expect(summary.get_by_role("row", name=re.compile("USD"))).to_contain_text("$7.00")
    chart = page.locator("#balance-chart-usd-block")
    expect(
        chart.get_by_role("img", name=re.compile("Credit balance over time, USD"))
    ).to_be_visible()
    chart.get_by_text("Balance over time, USD, in numbers").click()
    expect(chart.locator("table tbody tr").last).to_contain_text("$10.50 credit")
    summary.get_by_role("link", name="$7.00").click()
    expect(page).to_have_url(re.compile(r"/invoices/\?.*status=open"))
    expect(page.locator("#invoice-table tbody tr")).to_have_count(1)
    assert csp_violations == []
