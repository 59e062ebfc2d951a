"""The list pages' filter bars: Back restores what the table shows, the address carries
only the set filters, the applied filters show as pills, and deleting warns."""

import re

from playwright.sync_api import expect

from tests.factories import make_customer, make_invoice


def _wayne_customers():
    make_customer(name="Wayne Pro", default_currency="USD", metadata={"plan": "pro"})
    make_customer(name="Wayne Free", default_currency="USD", metadata={"plan": "free"})
    make_customer(name="Wayne Euro", default_currency="EUR")
    make_customer(name="Acme", default_currency="USD")


def _rows(page):
    return page.locator("#customer-table tbody tr td:nth-child(2)")


def test_back_after_filtering_shows_the_filters_the_table_shows(signed_in_page):
    page = signed_in_page
    _wayne_customers()
    page.goto("/customers/")
    filters = page.locator("#filters")
    search = filters.get_by_placeholder("Search name, email, ID, description or metadata")
    currency = filters.get_by_label("Currency")
    metadata = filters.get_by_label("Metadata")

    search.fill("wayne")
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayne$"))
    currency.select_option("USD")
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayne&currency=USD$"))
    metadata.fill("plan=pro")
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayne&currency=USD&metadata=plan%3Dpro$"))
    expect(_rows(page)).to_have_text(["Wayne Pro"])

    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayne&currency=USD$"))
    expect(_rows(page)).to_have_text(["Wayne Free", "Wayne Pro"])
    expect(search).to_have_value("wayne")
    expect(currency).to_have_value("USD")
    expect(metadata).to_have_value("")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayne$"))
    expect(_rows(page)).to_have_text(["Wayne Euro", "Wayne Free", "Wayne Pro"])
    expect(search).to_have_value("wayne")
    expect(currency).to_have_value("")
    expect(page.locator(".filter-pill > span")).to_have_text(["Search: wayne"])


def test_a_pill_shows_an_applied_filter_and_its_cross_clears_it(signed_in_page, csp_violations):
    page = signed_in_page
    _wayne_customers()
    page.goto("/customers/?q=wayne&currency=USD")
    pills = page.locator(".filter-pill > span")
    expect(pills).to_have_text(["Search: wayne", "Currency: USD"])
    expect(_rows(page)).to_have_count(2)

    page.get_by_role("link", name="Remove filter Currency: USD").click()
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayne$"))
    expect(pills).to_have_text(["Search: wayne"])
    expect(page.locator("#filters").get_by_label("Currency")).to_have_value("")
    expect(_rows(page)).to_have_count(3)

    # Collapsed, the bar keeps the search box; the pills still say what is applied.
    page.locator("#filters summary").click()
    expect(page.locator("#filters").get_by_label("Currency")).to_be_hidden()
    expect(pills).to_have_text(["Search: wayne"])
    assert csp_violations == []


def test_a_pills_cross_moves_focus_to_the_next_pill_then_the_filters_summary(signed_in_page):
    page = signed_in_page
    _wayne_customers()
    page.goto("/customers/?q=wayne&currency=USD")
    pills = page.locator(".filter-pill > span")
    page.get_by_role("link", name="Remove filter Search: wayne").click()
    expect(pills).to_have_text(["Currency: USD"])
    # The table holding the pill was swapped: focus moves on rather than to <body>.
    expect(page.get_by_role("link", name="Remove filter Currency: USD")).to_be_focused()
    page.keyboard.press("Enter")
    expect(pills).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(page.locator("#filters summary")).to_be_focused()


def test_a_pill_for_a_name_several_fields_share_follows_its_link(signed_in_page):
    page = signed_in_page
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    _wayne_customers()
    page.goto("/customers/?q=wayne&currency=USD")
    # A second field of the same name (form.elements then gives a list, not a control).
    page.evaluate(
        """() => {
        const extra = document.createElement("input");
        extra.type = "hidden";
        extra.name = "currency";
        document.getElementById("filters").append(extra);
    }"""
    )
    page.get_by_role("link", name="Remove filter Currency: USD").click()
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayne$"))
    expect(page.locator(".filter-pill > span")).to_have_text(["Search: wayne"])
    assert errors == []


def test_back_ticks_a_check_box_filter_as_the_address_says(signed_in_page):
    page = signed_in_page
    _wayne_customers()
    page.goto("/customers/?q=way")
    page.evaluate(
        """() => {
        const box = document.createElement("input");
        box.type = "checkbox";
        box.name = "flag";
        box.value = "1";
        box.setAttribute("aria-label", "Flag");
        document.getElementById("filters").append(box);
    }"""
    )
    flag = page.get_by_label("Flag")
    search = page.locator("#filters").get_by_placeholder(
        "Search name, email, ID, description or metadata"
    )
    flag.check()
    search.fill("wayn")
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayn&flag=1$"))
    search.fill("wayne")
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayne&flag=1$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers/\?q=wayn&flag=1$"))
    expect(search).to_have_value("wayn")
    expect(flag).to_be_checked()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers/\?q=way$"))
    expect(flag).not_to_be_checked()
    expect(flag).to_have_value("1")


def test_invoices_filters_come_back_with_back_and_show_as_pills(signed_in_page):
    page = signed_in_page
    customer = make_customer(name="Wayne Pro", default_currency="USD")
    make_invoice(customer, 5000, finalize=True)
    make_invoice(customer, 700, currency="EUR", finalize=True)
    page.goto("/invoices/")
    currency = page.locator("#filters").get_by_label("Currency")
    currency.select_option("EUR")
    expect(page).to_have_url(re.compile(r"/invoices/\?currency=EUR$"))
    expect(page.locator(".filter-pill > span")).to_have_text(["Currency: EUR"])
    page.locator("#filters").get_by_label("Number").fill("zzz")
    expect(page).to_have_url(re.compile(r"/invoices/\?number=zzz&currency=EUR$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/invoices/\?currency=EUR$"))
    expect(page.locator("#filters").get_by_label("Number")).to_have_value("")
    expect(currency).to_have_value("EUR")


def test_delete_confirmation_says_what_stays_open(signed_in_page):
    from ledger.services import balance_adjust

    page = signed_in_page
    customer = make_customer(name="Owing Ltd", default_currency="USD")
    make_invoice(customer, 5000, finalize=True)
    balance_adjust(customer=customer, amount=-1000, currency="USD", idempotency_key="k")
    page.goto("/customers/")
    page.get_by_role("checkbox", name="Select Owing Ltd").check()
    page.locator("#bulk-delete").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("1 open invoice, still to be paid: $50.00.")
    expect(dialog).to_contain_text("A credit balance of $10.00 stays on the account")
    dialog.get_by_role("button", name="Delete 1 customer").click()
    expect(page.locator("#customer-table")).not_to_contain_text("Owing Ltd")

    page.goto(customer.get_absolute_url())
    expect(page.get_by_role("heading", name="This customer was deleted")).to_be_visible()
    page.get_by_role("button", name="Restore customer").click()
    expect(page.get_by_role("heading", name="Owing Ltd")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Restored Owing Ltd.")
