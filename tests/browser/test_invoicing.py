from playwright.sync_api import expect

from billing.models import CreditNote, Invoice
from ledger.models import CustomerBalance
from tests.factories import adjust, make_customer


def test_item_to_invoice_to_credit_note_credits_the_cad_balance(signed_in_page):
    customer = make_customer(name="Maple Syrup Co", default_currency="USD", invoice_prefix="MAPLE")
    adjust(customer, -500, "USD")  # a USD credit the CAD invoice must not touch
    page = signed_in_page
    page.goto(customer.get_absolute_url())

    # Add a pending CAD item.
    billing = page.locator("#customer-billing")
    billing.get_by_role("link", name="Add item").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Description").fill("Consulting")
    dialog.get_by_label("Quantity").fill("2")
    dialog.get_by_label("Unit price").fill("25.00")
    dialog.get_by_label("Currency").select_option("CAD")
    dialog.get_by_role("button", name="Add item").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(billing.locator("#pending-items")).to_contain_text("CA$50.00")

    # Create a CAD invoice: it takes the item.
    billing.get_by_role("link", name="Create invoice").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Currency").select_option("CAD")
    dialog.get_by_role("button", name="Create invoice").click()
    page.wait_for_url("**/invoices/in_*/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft invoice")
    expect(page.locator("#invoice-lines")).to_contain_text("Consulting")

    # Finalize: numbered, open, the USD credit untouched.
    page.get_by_role("link", name="Finalize").click()
    page.locator("dialog[open]").get_by_role("button", name="Finalize invoice").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invoice MAPLE-0001")
    expect(page.locator("#invoice-status")).to_have_text("Open")
    expect(page.locator("#amount-remaining")).to_have_text("CA$50.00")

    # Mark it paid, then credit 10.00 CAD to the customer's balance.
    page.get_by_role("link", name="Mark paid").click()
    page.locator("dialog[open]").get_by_role("button", name="Mark as paid").click()
    expect(page.locator("#invoice-status")).to_have_text("Paid")
    page.get_by_role("link", name="Issue credit note").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Reason").select_option("order_change")
    dialog.get_by_label("Amount", exact=True).fill("10.00")
    dialog.get_by_label("Credit to the customer's balance").fill("10.00")
    dialog.get_by_role("button", name="Issue credit note").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.locator("#credit-notes")).to_contain_text("MAPLE-0001-CN-01")

    # The customer's CAD balance shows the credit; the USD one is unchanged.
    page.goto(customer.get_absolute_url())
    balances = page.locator("#balances")
    expect(balances).to_contain_text("CA$10.00")
    expect(balances).to_contain_text("$5.00")
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.status, invoice.currency) == ("MAPLE-0001", "paid", "CAD")
    assert CreditNote.objects.get().credit_amount == 1000
    balances = dict(
        CustomerBalance.objects.filter(customer=customer).values_list("currency", "amount")
    )
    assert balances == {"CAD": -1000, "USD": -500}


def test_invoices_page_filters_in_place_and_creates_for_a_new_customer(signed_in_page):
    page = signed_in_page
    page.goto("/invoices/")
    page.get_by_role("link", name="Create invoice").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_text("Or add a new customer").click()
    dialog.get_by_label("Name").fill("Ada Lovelace")
    dialog.get_by_label("Account email").fill("ada@example.com")
    dialog.get_by_label("Currency", exact=True).first.select_option("EUR")
    dialog.get_by_role("button", name="Create invoice").click()
    page.wait_for_url("**/invoices/in_*/")
    expect(page.locator(".breadcrumb")).to_contain_text("Ada Lovelace")
    page.get_by_role("link", name="Add line").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Description").fill("Analytical engine time")
    dialog.get_by_label("Unit price").fill("12.5")
    dialog.get_by_role("button", name="Add line").click()
    expect(page.locator("#invoice-totals")).to_contain_text("€12.50")

    page.goto("/invoices/")
    page.get_by_label("Status").select_option("paid")
    expect(page.locator("#invoice-table")).to_contain_text("No invoices match these filters.")
    assert "status=paid" in page.url
    page.get_by_label("Status").select_option("draft")
    expect(page.locator("#invoice-table")).to_contain_text("Ada Lovelace")


def test_create_invoice_for_a_customer_without_a_currency_offers_only_real_currencies(
    signed_in_page,
):
    customer = make_customer(name="Stateless Ltd", default_currency="")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    page.locator("#customer-billing").get_by_role("link", name="Create invoice").click()
    currency = page.locator("dialog[open]").get_by_label("Currency")
    expect(currency).to_be_visible()
    expect(currency.locator("option", has_text="customer's currency")).to_have_count(0)
    expect(currency.locator("option:checked")).to_have_text("Choose a currency")
    currency.select_option("EUR")
    page.locator("dialog[open]").get_by_role("button", name="Create invoice").click()
    page.wait_for_url("**/invoices/in_*/")
    assert Invoice.objects.get(customer=customer).currency == "EUR"
