"""The Content-Security-Policy allows only our own scripts and styles; the pages and htmx
work under it without a single violation."""

import re

from playwright.sync_api import expect

from tests.factories import make_customer


def test_customers_pages_and_htmx_swaps_raise_no_csp_violation(signed_in_page, csp_violations):
    make_customer(name="Euro Shop", default_currency="EUR")
    make_customer(name="Dollar Shop", default_currency="USD")
    page = signed_in_page

    page.reload()
    assert "script-src 'self'" in page.evaluate(
        "async () => (await fetch(location.href)).headers.get('content-security-policy')"
    )
    expect(page.locator("#customer-count")).to_have_text("2 customers")
    # htmx swaps a filtered table in and pushes the URL.
    page.get_by_placeholder("Search name, email, ID, description or metadata").fill("euro")
    expect(page).to_have_url(re.compile(r"q=euro"))
    expect(page.locator("#customer-count")).to_have_text("1 customer")
    # A dialog, loaded by htmx.
    page.get_by_role("link", name="Add customer").click()
    expect(page.locator("dialog[open]")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("link", name="Euro Shop").click()
    expect(page.get_by_role("heading", name="Euro Shop")).to_be_visible()

    assert csp_violations == []
