from django.core import mail
from playwright.sync_api import expect

from billing.models import CreditNote, Invoice
from ledger.models import CustomerBalance
from tests.factories import adjust, make_customer, make_item


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
    # Focus in its first field: htmx has wired the dialog (a click before then is lost).
    expect(dialog.get_by_label("Description")).to_be_focused()
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


def test_invoices_overview_tabs_counts_totals_and_past_due_badge(signed_in_page, csp_violations):
    import datetime
    import re

    from django.utils import timezone

    from tests.factories import make_invoice

    customer = make_customer(name="Globex Corporation")
    make_invoice(customer, 1000)  # a draft
    current = make_invoice(customer, 2000, finalize=True)
    late = make_invoice(customer, 3000, finalize=True)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Invoice.objects.filter(pk=late.pk).update(due_date=yesterday)
    page = signed_in_page
    page.goto("/invoices/")
    tabs = page.get_by_role("navigation", name="Invoice views")
    expect(tabs.get_by_role("link", name="All")).to_have_attribute("aria-current", "page")
    expect(page.locator("#tab-count-all")).to_have_text("3")
    expect(page.locator("#tab-count-past_due")).to_have_text("1")
    expect(page.locator("#invoice-range")).to_have_text("1–3 of 3 invoices")
    expect(page.locator("#invoice-outstanding")).to_contain_text("Outstanding USD$50.00")
    expect(page.locator("#invoice-outstanding")).to_contain_text("Past due USD$30.00")

    tabs.get_by_role("link", name="Past due").click()
    page.wait_for_url("**/invoices/?status=past_due")
    expect(tabs.get_by_role("link", name="Past due")).to_have_attribute("aria-current", "page")
    rows = page.locator("#invoice-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(late.number)
    expect(rows.first).to_contain_text("Past due")
    expect(page.locator("#invoice-range")).to_have_text("1–1 of 1 invoice")

    # A filter typed keeps the tab; the tabs' links keep the filter.
    page.get_by_label("Customer", exact=True).fill("globex")
    expect(page).to_have_url(re.compile(r"customer=globex"))
    expect(page.locator("#invoice-table")).to_contain_text("with “globex” in their name")
    expect(rows).to_have_count(1)
    expect(tabs.get_by_role("link", name="Open")).to_have_attribute(
        "href", re.compile(r"customer=globex.*status=open")
    )
    tabs.get_by_role("link", name="Open").click()
    expect(rows).to_have_count(2)
    expect(page.locator(f"tr:has-text('{current.number}')")).not_to_contain_text("Past due")
    assert csp_violations == []


def test_create_invoice_picks_a_customer_by_name_and_asks_for_a_currency(
    signed_in_page, csp_violations
):
    import re

    make_customer(name="Globex Corporation", default_currency="EUR")
    stateless = make_customer(name="Globex Stateless", default_currency="")
    page = signed_in_page
    page.goto("/invoices/")
    page.get_by_role("link", name="Create invoice").click()
    dialog = page.locator("dialog[open]")
    currency = dialog.locator("#invoice-currency").get_by_label("Currency")
    # The first field takes focus once htmx has wired the dialog (typing before then sends nothing).
    expect(dialog.get_by_label("Existing customer")).to_be_focused()
    expect(currency.locator("option", has_text="customer's currency")).to_have_count(0)

    dialog.get_by_label("Existing customer").fill("globex")
    expect(dialog.locator("#customer-choice")).to_contain_text("2 customers match “globex”")
    dialog.get_by_role("link", name=re.compile("Globex Corporation")).click()
    expect(dialog.locator("#customer-choice")).to_contain_text("Invoice for Globex Corporation")
    expect(dialog.get_by_label("Existing customer")).to_have_value(re.compile("^cus_"))
    expect(currency.locator("option:checked")).to_have_text("EUR – Euro")
    # The swapped-in field is wired when htmx settles, as above.
    expect(page.locator(".htmx-settling")).to_have_count(0)

    dialog.get_by_label("Existing customer").fill("globex stat")
    expect(dialog.locator("#customer-choice")).to_contain_text("Invoice for Globex Stateless")
    expect(currency.locator("option:checked")).to_have_text("Choose a currency")
    expect(currency.locator("option", has_text="customer's currency")).to_have_count(0)
    currency.select_option("CHF")
    dialog.get_by_role("button", name="Create invoice").click()
    page.wait_for_url("**/invoices/in_*/")
    invoice = Invoice.objects.get()
    assert (invoice.customer, invoice.currency) == (stateless, "CHF")
    assert csp_violations == []


def test_create_invoice_keeps_currency_days_and_focus_as_the_customer_is_picked(
    signed_in_page, csp_violations
):
    import re

    globex = make_customer(name="Globex Corporation", default_currency="EUR")
    make_item(globex, 1000, "CAD")
    make_customer(name="Globex Two", default_currency="EUR")
    page = signed_in_page
    page.goto("/invoices/")
    page.get_by_role("link", name="Create invoice").click()
    dialog = page.locator("dialog[open]")
    customer = dialog.get_by_label("Existing customer")
    currency = dialog.locator("#invoice-currency").get_by_label("Currency")
    days = dialog.get_by_label("Days until due")
    expect(customer).to_be_focused()

    customer.fill("globex corp")
    expect(dialog.locator("#customer-choice")).to_contain_text("Invoice for Globex Corporation")
    currency.select_option("CAD")
    days.fill("45")
    customer.fill("globex")
    expect(dialog.locator("#customer-choice")).to_contain_text("2 customers match “globex”")
    expect(currency.locator("option:checked")).to_have_text("CAD – Canadian Dollar")
    expect(days).to_have_value("45")

    dialog.get_by_role("link", name=re.compile("Globex Corporation")).click()
    expect(dialog.locator("#customer-choice")).to_contain_text("Invoice for Globex Corporation")
    # The picked link is gone with the list it was in: focus goes to the customer field.
    expect(customer).to_be_focused()
    expect(currency.locator("option")).to_have_text(["EUR – Euro", "CAD – Canadian Dollar"])
    expect(currency.locator("option:checked")).to_have_text("CAD – Canadian Dollar")
    expect(days).to_have_value("45")
    expect(page.locator(".htmx-settling")).to_have_count(0)
    dialog.get_by_role("button", name="Create invoice").click()
    page.wait_for_url("**/invoices/in_*/")
    invoice = Invoice.objects.get()
    assert (invoice.customer, invoice.currency, invoice.days_until_due) == (globex, "CAD", 45)
    assert csp_violations == []


def test_download_pdf_offers_every_language_the_customers_first(signed_in_page, csp_violations):
    import io
    from pathlib import Path

    from pypdf import PdfReader

    from billing.services import invoice_mark_paid
    from tests.factories import make_invoice

    customer = make_customer(name="Kunde GmbH", preferred_locales=["de"], invoice_prefix="KUN")
    invoice = invoice_mark_paid(invoice=make_invoice(customer, 922900, finalize=True))
    page = signed_in_page
    page.goto(invoice.get_absolute_url())
    expect(page.locator("#invoice-headline")).to_contain_text("Paid")

    def downloaded_text(link):
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "KUN-0001.pdf"
        content = Path(download.value.path()).read_bytes()
        return PdfReader(io.BytesIO(content)).pages[0].extract_text()

    # The button: the customer's language.
    assert "Rechnung" in downloaded_text(page.get_by_role("link", name="Download PDF"))
    # The menu: every document language, the customer's first, then by name.
    page.get_by_text("PDF language").click()
    menu = page.get_by_role("list", name="Download the PDF in")
    expect(menu).to_be_visible()
    items = menu.get_by_role("link")
    expect(items).to_have_count(43)
    expect(items.first).to_contain_text("German")
    expect(items.nth(1)).to_have_text("Arabic")
    text = downloaded_text(menu.get_by_role("link", name="French (France)"))
    assert "Facture" in text and "PAYÉE" in text.upper().splitlines()  # the stamp, in French
    assert csp_violations == []


def test_pdf_language_menu_closes_on_click_elsewhere_and_escape(signed_in_page):
    from tests.factories import make_invoice

    invoice = make_invoice(make_customer(name="Kunde GmbH"), 1000)
    page = signed_in_page
    page.goto(invoice.get_absolute_url())
    toggle = page.get_by_text("PDF language")
    menu = page.get_by_role("list", name="Download the PDF in")

    toggle.click()
    expect(menu).to_be_visible()
    page.get_by_role("heading", level=1).click()
    expect(menu).to_be_hidden()

    toggle.click()
    expect(menu).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()


def test_filters_summary_count_follows_filtering_in_place(signed_in_page):
    page = signed_in_page
    page.goto("/invoices/?currency=USD")
    summary = page.locator("#filters summary")
    expect(summary).to_have_text("Filters (1)")
    page.locator("#filters").get_by_label("Status").select_option("draft")
    expect(summary).to_have_text("Filters (2)")
    page.locator("#filters").get_by_label("Currency").select_option("")
    expect(summary).to_have_text("Filters (1)")


def test_send_invoice_from_its_page_and_the_emails_card_shows_it_sent(signed_in_page, settings):
    # The email is sent within the request (no worker), so the card can show it sent.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    customer = make_customer(name="Lovelace Ltd", email="ada@example.com")
    make_item(customer, 2500, "USD")
    from billing.services import invoice_create, invoice_finalize

    invoice = invoice_finalize(invoice=invoice_create(customer=customer, currency="USD"))
    page = signed_in_page
    page.goto(invoice.get_absolute_url())
    expect(page.locator("#emails")).to_contain_text("Not emailed yet.")

    page.get_by_role("link", name="Send invoice").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("ada@example.com")
    cc = dialog.get_by_label("CC")
    cc.fill("boss@example.com, nope")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_contain_text("Not an email address: nope.")
    expect(cc).to_have_value("boss@example.com, nope")

    cc.fill("boss@example.com")
    dialog.get_by_role("button", name="Send").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    emails = page.locator("#emails")
    expect(emails).to_contain_text("ada@example.com")
    expect(emails).to_contain_text("CC boss@example.com")
    expect(emails.locator(".status")).to_have_text("Sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]

    emails.get_by_role("button", name="Resend").click()
    expect(emails.locator(".status")).to_have_count(2)
    expect(emails.locator(".status").first).to_have_text("Sent")
