"""The customer form's metadata rows and language menus, in the browser."""

from playwright.sync_api import expect

from customers.models import Customer
from tests.factories import make_customer


def _open_add(page):
    page.get_by_role("link", name="Add customer").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Name", exact=True).fill("Rows Ltd")
    dialog.get_by_label("Account email").fill("rows@example.com")
    return dialog


def test_metadata_rows_and_ordered_languages_are_saved(signed_in_page):
    page = signed_in_page
    dialog = _open_add(page)
    dialog.locator("summary", has_text="Metadata").click()
    metadata = dialog.get_by_role("group", name="Metadata")
    keys, values = metadata.get_by_label("Key"), metadata.get_by_label("Value")
    expect(keys).to_have_count(3)
    keys.nth(0).fill("internal_id")
    values.nth(0).fill("4242")
    keys.nth(1).fill("drop_me")
    values.nth(1).fill("x")
    metadata.get_by_role("button", name="Add metadata").click()
    expect(keys).to_have_count(4)
    expect(keys.nth(3)).to_be_focused()
    keys.nth(3).fill("plan=tier")
    values.nth(3).fill("pro")
    metadata.get_by_role("button", name="Remove row").nth(1).click()
    expect(keys).to_have_count(3)

    dialog.locator("summary", has_text="Language, currency and tax").click()
    languages = dialog.get_by_role("group", name="Languages")
    languages.get_by_label("Language 1").select_option("fr")
    languages.get_by_label("Language 2").select_option(label="English (US) (en)")
    languages.get_by_role("button", name="Add language").click()
    expect(languages.get_by_label("Language 3")).to_be_focused()
    languages.get_by_role("button", name="Move up").nth(1).click()
    expect(languages.get_by_label("Language 1")).to_have_value("en")
    languages.get_by_role("button", name="Remove").nth(2).click()
    expect(languages.locator("select")).to_have_count(2)

    dialog.get_by_role("button", name="Add customer").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    customer = Customer.objects.get(email="rows@example.com")
    assert customer.metadata == {"internal_id": "4242", "plan=tier": "pro"}
    assert customer.preferred_locales == ["en", "fr"]


def test_metadata_error_shows_inline_with_rows_kept(signed_in_page):
    customer = make_customer(name="Edit Me", metadata={"plan": "pro"}, preferred_locales=["de"])
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    page.locator("#actions-menu summary").click()
    page.locator("#actions-menu").get_by_role("link", name="Edit information").click()
    dialog = page.locator("dialog[open]")
    dialog.locator("summary", has_text="Metadata").click()
    metadata = dialog.get_by_role("group", name="Metadata")
    expect(metadata.get_by_label("Key").nth(0)).to_have_value("plan")
    metadata.get_by_label("Key").nth(1).fill("plan")
    metadata.get_by_label("Value").nth(1).fill("max")
    dialog.get_by_role("button", name="Update customer").click()
    expect(dialog).to_contain_text("Row 2: the key “plan” is already used above.")
    metadata = dialog.get_by_role("group", name="Metadata")
    expect(metadata.get_by_label("Value 2", exact=True)).to_have_value("max")
    # Only the row the error names is marked, so it is the one focused.
    expect(metadata.get_by_label("Key 2", exact=True)).to_be_focused()
    expect(metadata.locator("[aria-invalid=true]")).to_have_count(1)
    customer.refresh_from_db()
    assert customer.metadata == {"plan": "pro"}
