import csv
import re

from playwright.sync_api import expect

from customers.models import Customer
from tests.browser.conftest import sign_in
from tests.factories import make_customer


def _dialog(page):
    return page.locator("dialog[open]")


def _submit_add_dialog(page, name, email):
    """Open Add customer, fill the two required fields and submit; returns the dialog."""
    page.get_by_role("link", name="Add customer").click()
    dialog = _dialog(page)
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Account email").fill(email)
    dialog.get_by_role("button", name="Add customer").click()
    return dialog


def test_pressing_n_opens_add_customer_but_not_while_typing(signed_in_page):
    page = signed_in_page
    search = page.get_by_placeholder("Search name, email, ID, description or metadata")
    search.click()
    search.press("n")
    page.wait_for_timeout(400)
    expect(_dialog(page)).to_have_count(0)
    expect(search).to_have_value("n")

    search.press("Escape")
    page.locator("h1").click()
    page.keyboard.press("n")
    expect(_dialog(page)).to_be_visible()
    expect(_dialog(page).get_by_role("heading", name="Add customer")).to_be_visible()
    name = _dialog(page).get_by_label("Name", exact=True)
    name.type("nnn")
    expect(name).to_have_value("nnn")
    expect(_dialog(page)).to_have_count(1)


def test_adding_a_customer_makes_it_appear_in_the_list(signed_in_page):
    page = signed_in_page
    _submit_add_dialog(page, "Zed & Co <b>", "zed@example.com")
    expect(_dialog(page)).to_have_count(0)
    expect(page.locator("#customer-table")).to_contain_text("Zed & Co <b>")
    expect(page.locator("#customer-count")).to_have_text("1 customer")
    expect(page.locator("#messages")).to_contain_text("Added Zed & Co <b>.")
    assert Customer.objects.get().email == "zed@example.com"


def test_validation_errors_show_inline_with_input_kept(signed_in_page):
    page = signed_in_page
    _submit_add_dialog(page, "Typed Name", "not an email")
    expect(_dialog(page)).to_contain_text("Enter a valid email address.")
    expect(_dialog(page).get_by_label("Name", exact=True)).to_have_value("Typed Name")
    assert not Customer.objects.exists()


def test_duplicate_warning_and_create_anyway(signed_in_page):
    existing = make_customer(name="Acme", email="billing@acme.example")
    page = signed_in_page
    page.reload()
    _submit_add_dialog(page, "Acme Two", "BILLING@acme.example")
    warning = _dialog(page).locator("#duplicate-warning")
    expect(warning).to_contain_text("This customer may already exist")
    expect(warning.get_by_role("link", name="Acme")).to_have_attribute(
        "href", existing.get_absolute_url()
    )
    assert Customer.objects.count() == 1
    warning.get_by_role("button", name="Create anyway").click()
    expect(_dialog(page)).to_have_count(0)
    expect(page.locator("#customer-table")).to_contain_text("Acme Two")
    assert Customer.objects.count() == 2


def test_filtering_updates_table_and_url_and_survives_reload(signed_in_page):
    make_customer(name="Euro Shop", default_currency="EUR")
    make_customer(name="Dollar Shop", default_currency="USD")
    page = signed_in_page
    page.reload()
    expect(page.locator("#customer-count")).to_have_text("2 customers")
    page.get_by_label("Currency").select_option("EUR")
    expect(page).to_have_url(re.compile(r"currency=EUR"))
    expect(page.locator("#customer-count")).to_have_text("1 customer")
    expect(page.locator("#customer-table")).not_to_contain_text("Dollar Shop")

    page.reload()
    expect(page.locator("#customer-table")).to_contain_text("Euro Shop")
    expect(page.locator("#customer-table")).not_to_contain_text("Dollar Shop")
    expect(page.get_by_label("Currency")).to_have_value("EUR")

    page.get_by_placeholder("Search name, email, ID, description or metadata").fill("dollar")
    expect(page).to_have_url(re.compile(r"q=dollar"))
    expect(page.locator("#customer-count")).to_have_text("0 customers")
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"q=dollar"))
    expect(page.locator("#customer-table")).to_contain_text("Euro Shop")


def test_actions_edit_information_update_customer(signed_in_page):
    customer = make_customer(name="Before")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    page.get_by_text("Actions").click()
    page.locator("#actions-menu").get_by_role("link", name="Edit information").click()
    dialog = _dialog(page)
    expect(dialog.get_by_role("heading", name="Edit information")).to_be_visible()
    dialog.get_by_label("Name", exact=True).fill("After")
    dialog.get_by_role("button", name="Update customer").click()
    expect(page.locator("h1")).to_have_text("After")
    customer.refresh_from_db()
    assert customer.name == "After"


def test_delete_customer_from_actions(signed_in_page):
    customer = make_customer(name="Doomed")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    page.get_by_text("Actions").click()
    page.locator("#actions-menu").get_by_role("link", name="Delete customer").click()
    _dialog(page).get_by_role("button", name="Delete customer").click()
    page.wait_for_url("**/customers/")
    expect(page.locator("#customer-table")).not_to_contain_text("Doomed")
    customer.refresh_from_db()
    assert customer.deleted_at is not None


def test_bulk_delete_with_select_all(signed_in_page):
    for name in ("One", "Two", "Three"):
        make_customer(name=name)
    page = signed_in_page
    page.reload()
    delete = page.locator("#bulk-delete")
    expect(delete).to_be_disabled()
    page.get_by_label("Select One").check()
    expect(delete).to_have_text("Delete 1")
    page.get_by_label("Select all customers on this page").check()
    expect(delete).to_have_text("Delete 3")
    page.get_by_label("Select One").uncheck()
    delete.click()
    dialog = _dialog(page)
    expect(dialog).to_contain_text("Delete 2 customers?")
    dialog.get_by_role("button", name="Delete 2 customers").click()
    expect(_dialog(page)).to_have_count(0)
    expect(page.locator("#customer-count")).to_have_text("1 customer")
    expect(page.locator("#customer-table")).to_contain_text("One")
    assert Customer.objects.live().get().name == "One"


def test_export_downloads_the_filtered_rows(browser, live_server, ops_user):
    make_customer(name="Kept", default_currency="EUR", metadata={"ref": "=1+1"})
    make_customer(name="Filtered out", default_currency="USD")
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = sign_in(context, ops_user)
    page.get_by_label("Currency").select_option("EUR")
    expect(page).to_have_url(re.compile(r"currency=EUR"))
    expect(page.get_by_role("link", name="Export")).to_have_attribute(
        "href", re.compile(r"currency=EUR")
    )
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["name"] for row in rows] == ["Kept"]
    assert rows[0]["metadata[ref]"] == "'=1+1"
    context.close()


def test_actions_menu_is_a_disclosure_that_escape_closes(signed_in_page):
    customer = make_customer(name="Acme")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    menu = page.locator("#actions-menu")
    summary = menu.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    # A plain list of links behind a toggle: no menu roles promising arrow keys.
    expect(page.get_by_role("menu")).to_have_count(0)
    expect(menu.get_by_role("link", name="Edit information")).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
