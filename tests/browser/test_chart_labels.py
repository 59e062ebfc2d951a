"""Home's chart on a phone: the value axis's labels are compact, drawn whole inside the
chart, and large enough to read (a 640-wide chart drawn 360px wide shrank 11px labels
to ~6px, and "$1,500,000.00" ran past the left edge)."""

from playwright.sync_api import expect

from billing.services import invoice_finalize
from tests.factories import make_customer, make_invoice


def test_chart_axis_labels_read_at_phone_width(signed_in_page, csp_violations):
    invoice_finalize(invoice=make_invoice(make_customer(name="Big Spender"), 150_000_000))
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    chart = page.locator("#home-usd svg.chart-svg")
    expect(chart).to_be_visible()
    labels = chart.locator("text.chart-label[text-anchor='end']")
    expect(labels.last).to_have_text("1.5M")
    svg_box = chart.bounding_box()
    for index in range(labels.count()):
        box = labels.nth(index).bounding_box()
        assert box["x"] >= svg_box["x"]  # not cut at the chart's left edge
        assert box["height"] >= 10  # the glyphs' box: ~11px text, not ~6px
    month = chart.locator("text.chart-label[text-anchor='middle']").first
    assert month.bounding_box()["height"] >= 10
    assert csp_violations == []
