import re

from playwright.sync_api import expect

from ledger.models import BalanceTransaction, CustomerBalance
from tests.factories import adjust, make_customer


def test_adjust_balance_credit_updates_the_section_in_place(signed_in_page):
    customer = make_customer(name="Acme")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    section = page.locator("#credit-balance")
    expect(section).to_contain_text("No balance yet.")
    section.get_by_role("link", name="Adjust balance").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Credit — you owe the customer").check()
    dialog.get_by_label("Currency").select_option("USD")
    dialog.get_by_label("Amount").fill("10.00")
    dialog.get_by_label("Internal note").fill("Late delivery")
    dialog.get_by_role("button", name="Adjust balance").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(section.locator("#balances")).to_contain_text("$10.00")
    expect(section.locator("#balances")).to_contain_text("credit")
    expect(section.locator("table.history tbody tr")).to_have_count(1)
    expect(section).to_contain_text("Late delivery")
    assert CustomerBalance.objects.get(customer=customer).amount == -1000


def test_double_clicked_submit_creates_one_transaction(signed_in_page):
    customer = make_customer(name="Acme", default_currency="EUR")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    page.get_by_text("Actions").click()
    page.locator("#actions-menu").get_by_role("link", name="Adjust balance").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Amount").fill("5")
    dialog.get_by_role("button", name="Adjust balance").dblclick()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.locator("#balances")).to_contain_text("€5.00")
    page.wait_for_timeout(500)
    assert BalanceTransaction.objects.count() == 1


def test_reverse_an_adjustment(signed_in_page):
    from tests.factories import adjust

    customer = make_customer(name="Acme")
    original = adjust(customer, -2500, "USD")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    page.locator(f"#{original.public_id}").get_by_role("link", name="Reverse").click()
    page.locator("dialog[open]").get_by_role("button", name="Reverse").click()
    expect(page.locator("table.history tbody tr")).to_have_count(2)
    expect(page.locator("#balances")).to_contain_text("settled")
    expect(
        page.locator(f"#{original.public_id}").get_by_role("link", name="Reverse")
    ).to_have_count(0)


def test_history_filters_swap_the_section_and_carry_into_the_export(signed_in_page):
    customer = make_customer(name="Acme")
    adjust(customer, -500, currency="EUR", internal_note="Euro credit")
    adjust(customer, 700, currency="USD", internal_note="Dollar debit")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    section = page.locator("#credit-balance")
    rows = section.locator("table.history tbody tr")
    expect(rows).to_have_count(2)

    section.get_by_label("Currency").select_option("EUR")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Euro credit")
    assert page.url.endswith(customer.get_absolute_url())  # swapped in place, no navigation
    export = section.locator("#transactions-export")  # billing staff may export
    expect(export).to_have_attribute("href", re.compile(r"[?&]currency=EUR(&|$)"))

    # The next change must reach the swapped-in form only once htmx has settled it.
    page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-request')")
    section.get_by_label("Type").select_option("credit_note")
    expect(section.locator("#history-empty")).to_be_visible()
    section.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(2)
