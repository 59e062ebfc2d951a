"""Keyboard use: the `?` list of shortcuts, dialogs that focus their first field, keep
Tab inside and give focus back, and an Actions menu usable from the keyboard."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import make_customer


def _focus_is_inside(page, selector):
    return page.evaluate(f"document.querySelector('{selector}').contains(document.activeElement)")


def test_question_mark_lists_the_shortcuts_and_escape_closes(signed_in_page, csp_violations):
    page = signed_in_page
    page.locator("h1").click()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    for text in ("Add customer", "Search customers, invoices and credit notes", "Show this list"):
        expect(dialog).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert csp_violations == []


def test_question_mark_while_typing_types(signed_in_page):
    page = signed_in_page
    box = page.get_by_placeholder("Search name, email, ID, description or metadata")
    box.click()
    box.press("?")
    expect(box).to_have_value("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()


def test_shortcuts_button_opens_the_list_and_focus_returns(signed_in_page):
    page = signed_in_page
    button = page.get_by_role("button", name="Shortcuts")
    button.click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()


def test_add_customer_focuses_name_keeps_tab_inside_and_returns_focus(signed_in_page):
    page = signed_in_page
    add = page.get_by_role("link", name="Add customer")
    add.click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_label("Name", exact=True)).to_be_focused()
    stops = page.evaluate(
        "[...document.querySelectorAll('dialog[open] :is(a[href], button, input, select, "
        "textarea, summary)')].filter(e => e.type !== 'hidden' && e.getClientRects().length).length"
    )
    for _ in range(stops + 2):
        page.keyboard.press("Tab")
        assert _focus_is_inside(page, "dialog[open]")
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
        assert _focus_is_inside(page, "dialog[open]")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(add).to_be_focused()


def test_dialog_after_errors_focuses_the_field_in_error(signed_in_page):
    page = signed_in_page
    page.get_by_role("link", name="Add customer").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Name", exact=True).fill("Typed")
    dialog.get_by_label("Account email").fill("not an email")
    dialog.get_by_role("button", name="Add customer").click()
    expect(dialog).to_contain_text("Enter a valid email address.")
    expect(dialog.get_by_label("Account email")).to_be_focused()


def test_actions_menu_works_from_the_keyboard_and_focus_comes_back(signed_in_page):
    customer = make_customer(name="Keyboard Co")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    assert page.locator("[role=menu], [role=menuitem]").count() == 0
    toggle = page.locator("#actions-menu summary")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#actions-menu")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    menu = page.locator("#actions-menu")
    first = menu.get_by_role("link", name="Create invoice")
    expect(first).to_be_focused()
    page.keyboard.press("Escape")
    expect(first).to_be_hidden()
    expect(toggle).to_be_focused()

    page.keyboard.press("Enter")
    menu.get_by_role("link", name="Edit information").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_label("Name", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(toggle).to_be_focused()


def test_tabbing_out_of_the_actions_menu_closes_it(signed_in_page):
    customer = make_customer(name="Tab Co")
    page = signed_in_page
    page.goto(customer.get_absolute_url())
    menu = page.locator("#actions-menu")
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    menu.locator(".menu-items a").last.focus()
    page.keyboard.press("Tab")
    expect(menu).not_to_have_attribute("open", "")


def _filter_then_back(page):
    """Type in the list's filter (htmx pushes the URL), then Back: htmx draws the page
    again from its snapshot, with new elements."""
    page.get_by_placeholder("Search name, email, ID, description or metadata").fill("x")
    expect(page).to_have_url(re.compile(r"/customers/\?q=x$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers/$"))


def test_shortcuts_button_still_works_after_back(signed_in_page):
    page = signed_in_page
    _filter_then_back(page)
    page.get_by_role("button", name="Shortcuts").click()
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()


def test_shortcuts_button_is_hidden_without_javascript(browser, live_server, billing_user):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = sign_in(context, billing_user)
    expect(page.get_by_role("link", name="Search")).to_be_visible()
    expect(page.locator("#shortcuts-button")).to_be_hidden()
    context.close()


def test_back_and_forward_never_bring_back_an_open_dialog(signed_in_page):
    page = signed_in_page
    box = page.get_by_placeholder("Search name, email, ID, description or metadata")
    box.fill("x")
    expect(page).to_have_url(re.compile(r"/customers/\?q=x$"))
    page.get_by_role("link", name="Add customer").click()
    expect(page.locator("#dialog-slot dialog[open]")).to_have_count(1)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/customers/\?q=x$"))
    expect(box).to_have_value("x")
    expect(page.locator("dialog[open]")).to_have_count(0)

    page.locator("h1").click()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    page.go_forward()
    expect(box).to_have_value("x")
    expect(page.locator("dialog[open]")).to_have_count(0)


def test_a_filter_answer_arriving_under_an_open_dialog_leaves_it_open(signed_in_page):
    """Typed, then a dialog opened (N) before the filter's answer came: the answer pushes
    the URL (a history snapshot) and must not close the dialog."""
    page = signed_in_page
    page.get_by_role("link", name="Add customer").click()
    expect(page.locator("#dialog-slot dialog[open]")).to_have_count(1)
    page.evaluate(
        """() => {
          const box = document.querySelector("form.filters input[name=q]");
          box.value = "x";
          box.dispatchEvent(new Event("input", {bubbles: true}));
        }"""
    )
    expect(page).to_have_url(re.compile(r"/customers/\?q=x$"))  # the answer came, URL pushed
    expect(page.locator("#dialog-slot dialog[open]")).to_have_count(1)
