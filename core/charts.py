"""Charts drawn on the server as SVG: the geometry in plain Python, the markup in
templates/_chart_bars.html and _chart_steps.html (so every label is escaped by the
template engine), no JavaScript.

Values are integers (money in minor units); only the drawing is in floats. Each series
has a pattern as well as a colour, each mark a <title>, and the templates put the numbers
in a table after the chart, so it reads without colour and without sight.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

# Room around the plot for the axis labels (px of the viewBox); the left is sized to
# the longest value label (label_room), LEFT only a default.
LEFT, RIGHT, TOP, BOTTOM = 88, 8, 8, 28
# Labels are 11px, and 20px of the viewBox on narrow screens (app.css) so they still
# read at ~11px when a 640-wide chart is drawn 360px wide. A character of Inter's
# digits takes at most ~0.62 of that.
LABEL_CHAR = 12.4
TICKS = 4  # about this many steps on the value axis

Format = Callable[[int], str]


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str
    href: str = ""


@dataclass(frozen=True)
class BarGroup:
    label: str
    x: float  # the centre of the group, for its label
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    width: int
    height: int
    series: list[str]
    groups: list[BarGroup]
    ticks: list[Tick]
    baseline: float
    left: int = LEFT


@dataclass(frozen=True)
class StepPoint:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class StepChart:
    id: str
    title: str
    width: int
    height: int
    path: str
    points: list[StepPoint]
    ticks: list[Tick]
    zero: float
    start_label: str
    end_label: str
    left: int = LEFT
    bottom: float = field(default=0.0)


def nice_scale(low: int, high: int, steps: int = TICKS) -> tuple[int, int, int]:
    """(bottom, top, step) of an axis holding low..high and 0, with a step of 1, 2 or 5
    times a power of ten: 0..1234 -> (0, 1500, 500). Integers only."""
    low, high = min(low, 0), max(high, 0)
    span = high - low
    if span == 0:
        return 0, 1, 1
    raw = -(-span // steps)  # ceiling division
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    bottom = (low // step) * step
    top = -(-high // step) * step
    return bottom, top, step


def _ticks(bottom: int, top: int, step: int, to_y: Callable[[int], float], fmt: Format):
    return [Tick(y=to_y(value), label=fmt(value)) for value in range(bottom, top + 1, step)]


def label_room(ticks: Sequence[Tick], width: int) -> int:
    """The left margin the longest value label needs at its largest size, with the
    6px gap to the plot and 4 to the edge; at most a third of the chart (a long label
    is cut there: pass short ones, format_tick)."""
    longest = max((len(tick.label) for tick in ticks), default=1)
    return min(width // 3, round(6 + 4 + LABEL_CHAR * longest))


def bar_chart(
    *,
    id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    format_value: Format,
    format_tick: Format | None = None,
    hrefs: Sequence[Sequence[str]] | None = None,
    width: int = 640,
    height: int = 220,
) -> BarChart:
    """Grouped bars: one group per category, one bar per series (values >= 0).
    hrefs[s][c] is where the bar of series s in category c links to. format_tick
    labels the value axis (short: "1.5M"), format_value the bars' titles (exact)."""
    bottom, top, step = nice_scale(0, max((max(v, default=0) for _, v in series), default=0))
    plot_h = height - TOP - BOTTOM

    def to_y(value: int) -> float:
        return round(TOP + plot_h * (top - value) / (top - bottom), 1)

    ticks = _ticks(bottom, top, step, to_y, format_tick or format_value)
    left = label_room(ticks, width)
    plot_w = width - left - RIGHT

    slot = plot_w / max(len(categories), 1)
    bar_w = round(slot * 0.8 / max(len(series), 1), 1)
    groups = []
    for c, label in enumerate(categories):
        start = left + slot * c + slot * 0.1
        bars = []
        for s, (name, values) in enumerate(series):
            value = values[c]
            y = to_y(value)
            bars.append(
                Bar(
                    x=round(start + bar_w * s, 1),
                    y=y,
                    width=bar_w,
                    height=round(to_y(0) - y, 1),
                    series=s,
                    title=f"{name}, {label}: {format_value(value)}",
                    href=hrefs[s][c] if hrefs else "",
                )
            )
        groups.append(BarGroup(label=label, x=round(left + slot * (c + 0.5), 1), bars=bars))
    return BarChart(
        id=id,
        title=title,
        width=width,
        height=height,
        series=[name for name, _ in series],
        groups=groups,
        ticks=ticks,
        baseline=to_y(0),
        left=left,
    )


def step_chart(
    *,
    id: str,
    title: str,
    points: Sequence[tuple[datetime, int]],
    format_value: Format,
    format_time: Callable[[datetime], str],
    format_tick: Format | None = None,
    width: int = 640,
    height: int = 180,
) -> StepChart:
    """A value that holds until the next change (a balance): horizontal to each change,
    then vertical to the new value, and on to the right edge. Points oldest first.
    format_tick labels the value axis (short), format_value the points (exact)."""
    values = [value for _, value in points]
    bottom, top, step = nice_scale(min(values, default=0), max(values, default=0))
    plot_h = height - TOP - BOTTOM

    def to_y(value: int) -> float:
        return round(TOP + plot_h * (top - value) / (top - bottom), 1)

    ticks = _ticks(bottom, top, step, to_y, format_tick or format_value)
    left = label_room(ticks, width)
    plot_w = width - left - RIGHT - 8  # the last value runs on a little past its change

    first, last = (points[0][0], points[-1][0]) if points else (None, None)
    span = (last - first).total_seconds() if first and last else 0.0

    def to_x(index: int, moment: datetime) -> float:
        if span > 0 and first:
            share = (moment - first).total_seconds() / span
        else:  # all at one moment (or one point): spread them evenly
            share = index / max(len(points) - 1, 1)
        return round(left + plot_w * share, 1)

    marks: list[StepPoint] = []
    path: list[str] = []
    for index, (moment, value) in enumerate(points):
        x, y = to_x(index, moment), to_y(value)
        path.append(f"M{x} {y}" if not path else f"H{x} V{y}")
        marks.append(StepPoint(x=x, y=y, title=f"{format_time(moment)}: {format_value(value)}"))
    if path:
        path.append(f"H{width - RIGHT}")
    return StepChart(
        id=id,
        title=title,
        width=width,
        height=height,
        path=" ".join(path),
        points=marks,
        ticks=ticks,
        zero=to_y(0),
        start_label=format_time(first) if first else "",
        end_label=format_time(last) if last else "",
        bottom=float(height - BOTTOM),
        left=left,
    )
