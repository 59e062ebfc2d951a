"""The Activity section in a browser: on the invoice page (whose part reloads
whole on invoiceChanged) and without JavaScript."""

from playwright.sync_api import expect

from activity import services
from activity.context import acting
from activity.kinds import Source
from activity.views import PAGE_SIZE
from tests.browser.conftest import sign_in
from tests.factories import make_customer, make_invoice

SETTLED = "() => !document.querySelector('.htmx-settling, .htmx-request, .htmx-swapping')"


def test_the_invoice_pages_section_filters_and_pages_in_place(signed_in_page):
    invoice = make_invoice(None, 1000)
    scope = {"customer": invoice.customer.public_id, "invoice": invoice.public_id}
    with acting(Source.WORKER):
        failed = {"to": ["ada@example.com"], "kind": "invoice", "error": "550"}
        services.record("email.failed", **scope, object_id="em_1", data=failed)
        for number in range(PAGE_SIZE + 1):
            services.record("invoice.updated", **scope, object_id=invoice.public_id,
                            data={"description": f"edit {number}"})  # fmt: skip
    page = signed_in_page
    page.goto(invoice.get_absolute_url())
    section = page.locator("#activity")
    entries = section.locator(".activity-entry")
    expect(entries.first).to_contain_text(f"edit {PAGE_SIZE}")
    page.evaluate("document.querySelector('h1').dataset.kept = 'yes'")
    section.get_by_role("link", name="Older").click()
    expect(section.get_by_role("link", name="Newer")).to_be_visible()
    expect(entries.first).not_to_contain_text(f"edit {PAGE_SIZE}")
    page.wait_for_function(SETTLED)
    section.get_by_label("Show").select_option(label="Emails")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Email failed")
    expect(entries.first).to_contain_text("invoice · to ada@example.com · error: 550")
    assert page.url.endswith(invoice.get_absolute_url())
    assert page.evaluate("document.querySelector('h1').dataset.kept") == "yes"


def test_without_javascript_the_section_filters_and_pages_on_a_page_of_its_own(
    browser, live_server, billing_user
):
    customer = make_customer(name="Acme")
    with acting(Source.WORKER):
        services.record("invoice.finalized", customer=customer.public_id, invoice="in_nojs",
                        object_id="in_nojs", data={"number": "ACME-0009"})  # fmt: skip
        for number in range(PAGE_SIZE + 1):
            services.record("customer.updated", customer=customer.public_id,
                            data={"description": f"edit {number}"})  # fmt: skip
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = sign_in(context, billing_user, next_url=customer.get_absolute_url())
    section = page.locator("#activity")
    section.get_by_role("link", name="Older").click()
    heading = page.get_by_role("heading", name=f"Activity of customer {customer.public_id}")
    expect(heading).to_be_visible()
    expect(page.locator(".activity-entry").first).to_contain_text("edit 0")
    page.locator("#activity").get_by_label("Show").select_option(label="Invoices")
    page.locator("#activity").get_by_role("button", name="Show").click()
    expect(page.locator(".activity-entry")).to_have_count(1)
    expect(page.locator(".activity-entry").first).to_contain_text("Invoice finalized ACME-0009")
    assert "group=invoice" in page.url and f"customer={customer.public_id}" in page.url
    context.close()
