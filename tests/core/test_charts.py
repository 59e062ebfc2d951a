"""core/charts.py: the scale, the geometry, and the templates that draw it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string

from core.charts import (
    BOTTOM,
    LABEL_CHAR,
    TOP,
    Tick,
    bar_chart,
    label_room,
    nice_scale,
    step_chart,
)
from core.money import compact_amount
from core.money_format import format_money


@pytest.mark.parametrize(
    ("low", "high", "scale"),
    [
        (0, 0, (0, 1, 1)),
        (0, 1, (0, 1, 1)),
        (0, 7, (0, 8, 2)),
        (0, 1234, (0, 1500, 500)),
        (0, 100_000, (0, 100_000, 50_000)),
        (0, 100_001, (0, 150_000, 50_000)),
        (-300, 0, (-300, 0, 100)),
        (-250, 990, (-500, 1000, 500)),
        (5, 9, (0, 10, 5)),  # zero is always on the axis
        (0, 2**62, (0, 6 * 10**18, 2 * 10**18)),  # integers, not floats: no rounding
    ],
)
def test_nice_scale(low, high, scale):
    bottom, top, step = nice_scale(low, high)
    assert (bottom, top, step) == scale
    assert bottom <= min(low, 0) and top >= max(high, 0)


def _money(value):
    return f"${value / 100:.2f}"


def test_bars_are_as_tall_as_their_values():
    chart = bar_chart(
        id="c",
        title="Invoiced",
        categories=["Jan", "Feb"],
        series=[("Invoiced", [1000, 500]), ("Collected", [0, 250])],
        hrefs=[["/a", "/b"], ["/c", "/d"]],
        format_value=_money,
        height=220,
    )
    plot = 220 - TOP - BOTTOM
    jan, feb = chart.groups
    assert chart.ticks[0].label == "$0.00" and chart.ticks[-1].label == "$10.00"
    assert jan.bars[0].height == pytest.approx(plot)  # 1000 of a 0..1000 axis
    assert feb.bars[0].height == pytest.approx(plot / 2)
    assert feb.bars[1].height == pytest.approx(plot / 4)
    assert jan.bars[1].height == 0
    assert all(
        bar.y + bar.height == pytest.approx(chart.baseline) for g in chart.groups for bar in g.bars
    )
    assert jan.bars[0].x < jan.bars[1].x < feb.bars[0].x
    assert feb.bars[1].title == "Collected, Feb: $2.50"
    assert feb.bars[1].href == "/d"


def test_step_chart_holds_each_value_until_the_next():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    points = [(start, 0), (start + timedelta(days=1), -500), (start + timedelta(days=3), 1000)]
    chart = step_chart(
        id="s", title="Balance", points=points, format_value=_money, format_time=str, width=400
    )
    xs = [p.x for p in chart.points]
    assert xs[0] < xs[1] < xs[2]
    assert (xs[1] - xs[0]) * 2 == pytest.approx(xs[2] - xs[1], abs=0.2)  # by time
    ys = {value: point.y for (_, value), point in zip(points, chart.points, strict=True)}
    assert ys[1000] < ys[0] == chart.zero < ys[-500]  # up is more owed
    assert chart.path == (f"M{xs[0]} {ys[0]} H{xs[1]} V{ys[-500]} H{xs[2]} V{ys[1000]} H{400 - 8}")
    assert chart.points[1].title == f"{start + timedelta(days=1)}: $-5.00"


def test_step_chart_points_at_one_moment_are_spread_out():
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    chart = step_chart(
        id="s", title="t", points=[(moment, 0), (moment, 100)], format_value=str, format_time=str
    )
    assert chart.points[0].x < chart.points[1].x


def test_empty_charts_draw_nothing_and_do_not_fail():
    assert step_chart(id="s", title="t", points=[], format_value=str, format_time=str).path == ""
    chart = bar_chart(id="b", title="t", categories=[], series=[], format_value=str)
    assert chart.groups == []


def test_templates_escape_labels_and_link_bars():
    chart = bar_chart(
        id="c",
        title="<script>alert(1)</script>",
        categories=["<b>Jan</b>"],
        series=[("Invoiced", [100]), ("Collected", [50])],
        hrefs=[["/invoices/?a=1&b=2"], [""]],
        format_value=_money,
    )
    svg = render_to_string("_chart_bars.html", {"chart": chart})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&lt;b&gt;Jan&lt;/b&gt;" in svg
    link = '<a href="/invoices/?a=1&amp;b=2" aria-label="Invoiced, &lt;b&gt;Jan&lt;/b&gt;: $1.00">'
    assert link + "<rect" in svg
    assert 'fill="url(#c-hatch)"' in svg  # the second series is hatched, not only coloured
    assert "Collected (hatched)" in svg
    assert "style=" not in svg  # the Content-Security-Policy allows no inline styles
    steps = step_chart(
        id="s",
        title="<i>t</i>",
        points=[(datetime(2026, 1, 1, tzinfo=UTC), 5)],
        format_value=str,
        format_time=lambda moment: "<now>",
    )
    svg = render_to_string("_chart_steps.html", {"chart": steps})
    assert "&lt;i&gt;t&lt;/i&gt;" in svg and "&lt;now&gt;" in svg and "style=" not in svg


@pytest.mark.parametrize(
    ("amount", "currency", "label"),
    [(150_000_000, "CHF", "1.5M"), (50_000, "USD", "500"), (2, "USD", "0.02"),
     (-25_000_000, "EUR", "-250K"), (0, "USD", "0"), (1_500_000, "JPY", "1.5M")],
)  # fmt: skip
def test_compact_amounts_label_an_axis_in_major_units(amount, currency, label):
    assert compact_amount(amount, currency) == label


def test_value_axis_labels_are_compact_and_the_margin_fits_the_longest():
    """'CHF 1,500,000.00' overflowed the fixed 88px margin and was cut."""
    chart = bar_chart(
        id="c",
        title="Invoiced",
        categories=["Jan"],
        series=[("Invoiced", [150_000_000]), ("Collected", [0])],
        format_value=lambda value: format_money(value, "CHF"),
        format_tick=lambda value: compact_amount(value, "CHF"),
    )
    assert [tick.label for tick in chart.ticks] == ["0", "500K", "1M", "1.5M"]
    assert chart.groups[0].bars[0].title == "Invoiced, Jan: CHF\xa01,500,000.00"  # exact
    # The room a 4-character label takes at the narrow screens' 20px, and no more.
    assert chart.left == label_room(chart.ticks, 640) == round(10 + LABEL_CHAR * 4)
    assert chart.groups[0].bars[0].x > chart.left
    steps = step_chart(
        id="s",
        title="t",
        points=[(datetime(2026, 1, 1, tzinfo=UTC), -1_234_500_000)],
        format_value=str,
        format_time=str,
        format_tick=lambda value: compact_amount(value, "USD"),
    )
    assert steps.ticks[0].label == "-15M" and steps.left == round(10 + LABEL_CHAR * 4)
    assert steps.points[0].x == steps.left
    long = [Tick(y=0, label="x" * 100)]
    assert label_room(long, 640) == 640 // 3  # never more than a third of the chart
