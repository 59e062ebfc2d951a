"""Layout in a real browser: trigger syntax htmx accepts, where messages sit, card alignment."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_customer, make_invoice

# Recorded from the first script on the page, before htmx processes any hx-trigger.
RECORD_SYNTAX_ERRORS = """
window.htmxSyntaxErrors = [];
document.addEventListener("htmx:syntax:error", (event) => {
  window.htmxSyntaxErrors.push(String(event.detail.token));
}, true);
"""


def _box_intersects(a, b):
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize(
    ("path", "table", "fill_label", "fill_value", "kept", "dropped"),
    [
        ("/customers/", "#customer-table", "Search", "Grace", "Grace Hopper", "Ada Lovelace"),
        (
            "/invoices/",
            "#invoice-table",
            "Customer",
            "grace@example.com",
            "Grace Hopper",
            "Ada Lovelace",
        ),
    ],
)
def test_list_filters_have_valid_triggers_and_still_filter(
    signed_in_page, path, table, fill_label, fill_value, kept, dropped
):
    for name, email in (("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com")):
        make_invoice(make_customer(name=name, email=email), 1000)
    page = signed_in_page
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.add_init_script(RECORD_SYNTAX_ERRORS)
    page.goto(path)
    expect(page.locator(table)).to_contain_text(dropped)

    assert page.evaluate("window.htmxSyntaxErrors") == []
    assert [line for line in console if "htmx" in line.lower() or line.startswith("error")] == []

    # Typing filters in place (debounced); a select filters too.
    page.get_by_label(fill_label, exact=True).fill(fill_value)
    expect(page.locator(table)).not_to_contain_text(dropped)
    expect(page.locator(table)).to_contain_text(kept)
    page.get_by_label(fill_label, exact=True).fill("")
    expect(page.locator(table)).to_contain_text(dropped)
    page.get_by_label("Currency").select_option("EUR")
    expect(page.locator(table)).not_to_contain_text(kept)
    assert "currency=EUR" in page.url
    assert page.evaluate("window.htmxSyntaxErrors") == []


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_message_never_covers_the_page_header_buttons(signed_in_page, viewport):
    customer = make_customer(name="Acme", default_currency="USD")
    page = signed_in_page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(customer.get_absolute_url())
    page.locator("#credit-balance").get_by_role("link", name="Adjust balance").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Amount").fill("5")
    dialog.get_by_role("button", name="Adjust balance").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    message = page.locator("#messages .message")
    expect(message).to_be_visible()
    expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")

    message_box = message.bounding_box()
    assert message_box is not None
    buttons = page.locator(".page-head .button, .page-head button")
    assert buttons.count() > 0
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        if box is None:  # hidden (a closed menu's items)
            continue
        assert not _box_intersects(message_box, box), buttons.nth(index).inner_text()
    # Still inside the viewport, so it is seen.
    assert message_box["x"] >= 0 and message_box["x"] + message_box["width"] <= viewport[0]
    assert message_box["y"] >= 0 and message_box["y"] + message_box["height"] <= viewport[1]


def _assert_cards_line_up(page):
    grid = page.locator(".columns").first
    expect(grid).to_be_visible()
    column_count = len(
        page.evaluate(
            "(el) => getComputedStyle(el).gridTemplateColumns.split(' ')", grid.element_handle()
        )
    )
    boxes = [card.bounding_box() for card in grid.locator(":scope > .card").all()]
    assert column_count > 1 and len(boxes) > 1
    rows: dict[int, set[float]] = {}
    columns: dict[int, set[float]] = {}
    for index, box in enumerate(boxes):
        assert box is not None
        rows.setdefault(index // column_count, set()).add(round(box["y"], 1))
        columns.setdefault(index % column_count, set()).add(round(box["x"], 1))
    assert all(len(tops) == 1 for tops in rows.values()), rows
    assert all(len(lefts) == 1 for lefts in columns.values()), columns


def test_cards_line_up_in_their_grid(signed_in_page):
    customer = make_customer(name="Acme", default_currency="USD")
    invoice = make_invoice(customer, 1000)
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(customer.get_absolute_url())
    _assert_cards_line_up(page)
    page.goto(invoice.get_absolute_url())
    _assert_cards_line_up(page)
