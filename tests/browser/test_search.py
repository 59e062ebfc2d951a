"""Global search in the browser: `/` and Ctrl-K open it, results come as you type,
the arrow keys move through them, Enter opens one, Escape closes and focus returns."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import make_customer, make_invoice


def _search_dialog(page):
    return page.locator("dialog[open]").filter(has=page.get_by_role("searchbox"))


def test_slash_opens_search_finds_customers_and_invoices_and_enter_opens(
    signed_in_page, csp_violations
):
    customer = make_customer(name="Wayne Enterprises", email="bruce@wayne.example")
    invoice = make_invoice(make_customer(name="Other"), 5000, finalize=True)
    page = signed_in_page
    page.reload()
    page.locator("h1").click()
    page.keyboard.press("/")
    dialog = _search_dialog(page)
    box = dialog.get_by_role("searchbox", name="Search")
    expect(box).to_be_focused()

    box.press_sequentially("wayne")
    result = dialog.get_by_role("link", name="Wayne Enterprises")
    expect(result).to_be_visible()
    expect(dialog.get_by_role("heading", name="Customers")).to_be_visible()

    box.fill(invoice.number)
    invoice_link = dialog.get_by_role("link", name=invoice.number)
    expect(invoice_link).to_be_visible()
    expect(dialog.get_by_role("heading", name="Invoices")).to_be_visible()
    expect(result).to_have_count(0)

    box.fill("wayne")
    expect(result).to_be_visible()
    box.press("ArrowDown")
    expect(result).to_be_focused()
    result.press("ArrowUp")
    expect(box).to_be_focused()
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{customer.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text("Wayne Enterprises")
    assert csp_violations == []


def test_ctrl_k_opens_search_even_while_typing_and_escape_returns_focus(signed_in_page):
    page = signed_in_page
    filter_box = page.get_by_placeholder("Search name, email, ID, description or metadata")
    filter_box.click()
    filter_box.press("/")
    expect(filter_box).to_have_value("/")
    expect(_search_dialog(page)).to_have_count(0)

    filter_box.press("Control+k")
    box = _search_dialog(page).get_by_role("searchbox", name="Search")
    expect(box).to_be_focused()
    box.press_sequentially("abc")
    box.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(filter_box).to_be_focused()


def test_search_button_opens_the_dialog_and_focus_returns_to_it(signed_in_page):
    page = signed_in_page
    button = page.get_by_role("link", name="Search")
    button.click()
    dialog = _search_dialog(page)
    expect(dialog.get_by_role("searchbox")).to_be_focused()
    dialog.get_by_role("button", name="Close").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(button).to_be_focused()


def test_nothing_found_is_said(signed_in_page):
    page = signed_in_page
    page.keyboard.press("/")
    box = _search_dialog(page).get_by_role("searchbox")
    expect(box).to_be_focused()
    box.press_sequentially("zzqx")
    expect(_search_dialog(page)).to_contain_text("Nothing matches “zzqx”.")


def test_search_page_without_javascript(browser, live_server, billing_user):
    make_customer(name="Cyberdyne Systems")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = sign_in(context, billing_user)
    page.get_by_role("link", name="Search").click()
    page.wait_for_url("**/search/")
    page.get_by_role("searchbox", name="Search").fill("cyberdyne")
    page.get_by_role("searchbox", name="Search").press("Enter")
    page.wait_for_url("**/search/?q=cyberdyne")
    expect(page.get_by_role("link", name="Cyberdyne Systems")).to_be_visible()
    context.close()


def test_search_is_reachable_on_a_phone_without_scrolling_sideways(signed_in_page):
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Search").click()
    dialog = _search_dialog(page)
    expect(dialog.get_by_role("searchbox")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = dialog.get_by_role("searchbox").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_on_the_search_page_ctrl_k_and_the_search_button_go_to_its_own_box(signed_in_page):
    make_customer(name="Vandelay Industries")
    page = signed_in_page
    page.goto("/search/?q=vandelay")
    box = page.locator("main").get_by_role("searchbox", name="Search")
    page.locator("h1").click()
    page.keyboard.press("Control+k")
    expect(box).to_be_focused()
    page.locator("h1").click()
    page.get_by_role("link", name="Search").click()
    expect(box).to_be_focused()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.get_by_role("searchbox")).to_have_count(1)
    # Typing still refreshes the page's own results.
    box.fill("vandel")
    expect(page.get_by_role("status")).to_have_text("1 result")
    expect(page.get_by_role("link", name="Vandelay Industries")).to_be_visible()


def test_the_count_of_results_is_said(signed_in_page):
    make_customer(name="Pied Piper")
    make_customer(name="Pied Piper Labs")
    page = signed_in_page
    page.keyboard.press("/")
    dialog = _search_dialog(page)
    box = dialog.get_by_role("searchbox")
    expect(box).to_be_focused()
    box.press_sequentially("pied")
    status = dialog.get_by_role("status")
    expect(status).to_have_text("2 results")
    box.fill("pied piper labs")
    expect(status).to_have_text("1 result")
    box.fill("zzqx")
    expect(status).to_have_text("No results")


def test_a_failed_search_says_so_in_the_dialog(signed_in_page):
    page = signed_in_page
    page.route(re.compile(r"/search/\?q="), lambda route: route.fulfill(status=500, body="boom"))
    page.keyboard.press("/")
    dialog = _search_dialog(page)
    box = dialog.get_by_role("searchbox")
    expect(box).to_be_focused()
    box.press_sequentially("acme")
    expect(dialog.get_by_role("alert")).to_contain_text("Something went wrong (500)")
