"""Layout in a real browser: trigger syntax htmx accepts, where messages sit, card alignment."""

import re

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


# Every main page at a phone's width and a laptop's. (name, URL from the objects)
MAIN_PAGES = [
    ("home", lambda objects: "/"),
    ("customers", lambda objects: "/customers/"),
    ("customer", lambda objects: objects["customer"].get_absolute_url()),
    ("credit balance", lambda objects: f"/customers/{objects['customer'].public_id}/balance/"),
    ("invoices", lambda objects: "/invoices/"),
    ("draft invoice", lambda objects: objects["draft"].get_absolute_url()),
    ("open invoice", lambda objects: objects["invoice"].get_absolute_url()),
    ("import", lambda objects: objects["import"].get_absolute_url()),
    ("credit note", lambda objects: objects["note"].get_absolute_url()),
    ("two-step verification", lambda objects: "/account/two-step/"),
]
VIEWPORTS = [(390, 844), (1280, 800)]


@pytest.fixture
def layout_objects(transactional_db):
    from customers.imports import services as import_services
    from tests.factories import adjust

    customer = make_customer(
        name="Bartholomew Featherstonehaugh-Worthington Consolidated Holdings",
        email="accounts.payable.department@featherstonehaugh-worthington.example.com",
        default_currency="USD", address_line1="1 Market Street", address_city="San Francisco",
        address_country="US",
    )  # fmt: skip
    from billing.services import credit_note_issue

    invoice = make_invoice(customer, 5000, 2500, finalize=True)  # open: before the credit
    note = credit_note_issue(invoice=invoice, amount=500, memo="Goodwill")
    adjust(customer, -250_000, "USD")
    customer_import = import_services.import_create(
        data=b"name,email\nGrace Hopper,grace@example.com\n,not-an-email\n", file_name="c.csv"
    )
    import_services.import_check(customer_import)
    return {
        "customer": customer,
        "draft": make_invoice(customer, 1200),
        "invoice": invoice,
        "note": note,
        "import": customer_import,
    }


# The outermost elements that stick out past the right edge, to name in a failure.
OVERFLOWING = """width => [...document.querySelectorAll("body *")]
  .filter(el => el.getBoundingClientRect().right > width + 0.5
    && el.parentElement.getBoundingClientRect().right <= width + 0.5)
  .slice(0, 8)
  .map(el => `${el.tagName.toLowerCase()}#${el.id}.${[...el.classList].join(".")}`
    + ` (${Math.round(el.getBoundingClientRect().right)} px)`)"""


def _assert_within_width(page, width):
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, (
        f"the page scrolls sideways: {scroll_width} px at {width} px: "
        f"{page.evaluate(OVERFLOWING, width)}"
    )


def _assert_in_view(locator, width):
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (locator, box)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
@pytest.mark.parametrize(("name", "url"), MAIN_PAGES, ids=[name for name, _url in MAIN_PAGES])
def test_page_fits_the_screen_with_sign_out_and_actions_reachable(
    signed_in_page, layout_objects, viewport, name, url
):
    page = signed_in_page
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url(layout_objects))
    expect(page.locator("main")).to_be_visible()
    _assert_within_width(page, width)
    _assert_in_view(page.get_by_role("button", name="Sign out"), width)
    _assert_in_view(page.get_by_role("navigation", name="Main"), width)
    actions = page.locator(".page-head .actions > .button, .page-head .actions > details > summary")
    for index in range(actions.count()):
        _assert_in_view(actions.nth(index), width)
    # A wide table scrolls inside its card, not the page.
    for table in page.locator("main table").all():
        if table.is_visible():
            box = table.evaluate(
                "t => { const r = t.parentElement.getBoundingClientRect(); return r.right; }"
            )
            assert box <= width + 0.5


# (the page, the dialog's URL on it), each opened as its link opens it (htmx into #dialog-slot).
PHONE_DIALOGS = {
    "add customer": ("customers", lambda objects: "/customers/new/"),
    "import": ("customers", lambda objects: "/customers/imports/new/"),
    "new invoice": ("invoices", lambda objects: "/invoices/new/"),
    "edit customer": (
        "customer",
        lambda objects: f"/customers/{objects['customer'].public_id}/edit/",
    ),
    "issue credit note": (
        "open invoice",
        lambda objects: f"{objects['invoice'].get_absolute_url()}credit-notes/new/",
    ),
}


@pytest.mark.parametrize("name", PHONE_DIALOGS)
def test_dialog_fits_a_phone_screen(signed_in_page, layout_objects, name):
    page_name, dialog_url = PHONE_DIALOGS[name]
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(dict(MAIN_PAGES)[page_name](layout_objects))
    page.evaluate(
        "url => htmx.ajax('GET', url, {target: '#dialog-slot'})", dialog_url(layout_objects)
    )
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844
    _assert_in_view(dialog.locator(".dialog-foot button[type=submit]").first, 390)
    _assert_within_width(page, 390)


def test_amounts_align_right_and_dates_do_not_wrap(signed_in_page):
    customer = make_customer(name="Acme", default_currency="USD")
    from tests.factories import adjust

    adjust(customer, 123_456, "USD")
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/customers/")
    row = page.locator("table.customers tbody tr").filter(has_text="Acme")
    balance = row.locator("td.balance-cell")
    expect(balance).to_have_css("text-align", "right")
    expect(page.locator("table.customers th", has_text="Balance")).to_have_css(
        "text-align", "right"
    )
    expect(row.locator("time")).to_have_css("white-space", "nowrap")


def test_the_interface_font_is_the_self_hosted_inter(signed_in_page):
    page = signed_in_page
    page.goto("/customers/")
    expect(page.locator("body")).to_have_css("font-family", re.compile(r"^Inter,"))
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("document.fonts.check('600 14px Inter')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family === 'Inter' && f.status === 'loaded')"
        ".map(f => f.weight)"
    )
    assert "400" in loaded and "600" in loaded
