import csv
from pathlib import Path

from playwright.sync_api import expect

from activity import services
from activity.context import acting
from activity.kinds import Source
from activity.views import PAGE_SIZE
from tests.browser.conftest import sign_in
from tests.factories import make_customer

SETTLED = "() => !document.querySelector('.htmx-settling, .htmx-request, .htmx-swapping')"


def _trail(customer, changes=PAGE_SIZE + 2):
    """An invoice entry, then `changes` profile changes (the newest)."""
    with acting(Source.WORKER):
        services.record("invoice.finalized", customer=customer.public_id, invoice="in_browser1",
                        object_id="in_browser1", data={"number": "ACME-0001"})  # fmt: skip
        for number in range(changes):
            services.record("customer.updated", customer=customer.public_id,
                            object_id=customer.public_id,
                            data={"changes": [{"field": "phone", "label": "Phone", "old": None,
                                               "new": f"+1 555 {number:04}"}]})  # fmt: skip


def test_the_activity_section_filters_and_pages_in_place(signed_in_page):
    customer = make_customer(name="Acme")
    _trail(customer)
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    section = page.locator("#activity")
    entries = section.locator(".activity-entry")
    # The customer's creation may have its own entry: count only the trail made here.
    expect(entries).to_have_count(PAGE_SIZE)
    expect(entries.first).to_contain_text(f"Phone: — → +1 555 {PAGE_SIZE + 1:04}")
    expect(entries.first).to_contain_text("System · Background worker")
    page.evaluate("document.querySelector('h1').dataset.kept = 'yes'")

    section.get_by_label("Show").select_option(label="Invoices")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Invoice finalized ACME-0001")
    assert page.url.endswith(customer.get_absolute_url())  # swapped in place
    assert page.evaluate("document.querySelector('h1').dataset.kept") == "yes"

    page.wait_for_function(SETTLED)
    section.get_by_label("Show").select_option(label="Customer")
    expect(entries.first).to_contain_text(f"+1 555 {PAGE_SIZE + 1:04}")
    page.wait_for_function(SETTLED)
    section.get_by_role("link", name="Older").click()
    expect(entries.first).to_contain_text("+1 555 0001")
    expect(section.get_by_role("link", name="Newer")).to_be_visible()
    assert page.url.endswith(customer.get_absolute_url())
    assert page.evaluate("document.querySelector('h1').dataset.kept") == "yes"


def test_support_exports_what_the_section_shows(browser, live_server, support_user):
    customer = make_customer(name="Acme")
    _trail(customer, changes=2)
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = sign_in(context, support_user, next_url=customer.get_absolute_url())
    section = page.locator("#activity")
    section.get_by_label("Show").select_option(label="Invoices")
    expect(section.locator(".activity-entry")).to_have_count(1)
    page.wait_for_function(SETTLED)
    with page.expect_download() as download:
        section.get_by_role("link", name="Export").click()
    assert download.value.suggested_filename.startswith(f"{customer.public_id}-activity-")
    with open(download.value.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["kind"], row["invoice"]) for row in rows] == [("invoice.finalized", "in_browser1")]
    assert Path(download.value.path()).read_text().startswith("created,kind,description,")
    context.close()


def test_the_section_fits_a_phone(signed_in_page):
    customer = make_customer(name="Acme")
    changes = [{"field": "description", "label": "Description", "old": "y" * 300, "new": "z" * 300}]
    addresses = ["someone-with-a-very-long-address@example.com"] * 3
    with acting(Source.IMPORT, name="an importer with a very long name indeed, " * 3):
        services.record(
            "customer.updated",
            customer=customer.public_id,
            data={"changes": changes, "to": addresses},
        )
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(customer.get_absolute_url())
    section = page.locator("#activity")
    expect(section.locator(".activity-entry").first).to_contain_text("Description")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert section.evaluate("element => element.scrollWidth <= element.clientWidth")
