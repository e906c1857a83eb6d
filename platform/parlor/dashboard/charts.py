"""Bar charts as server-rendered SVG: no JavaScript, no library, readable by screen readers.

Each chart is an `<svg role="img">` named by its `<title>` and `<desc>`; each bar carries its
own `<title>` (the day and value, shown on hover). Every text goes through format_html, and
the look comes from classes in dashboard.css (the page's CSP allows no inline style).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 80, 8, 14, 34
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BAR_SHARE = 0.7
# An en dash: what a table shows for a day with nothing to measure.
NONE_TEXT = "\u2013"


@dataclass(frozen=True)
class Chart:
    """A chart ready for a template: its id, its words and its SVG."""

    chart_id: str
    title: str
    description: str
    svg: SafeString


def duration_text(seconds: float | None) -> str:
    """Return a duration for people: "42 s", "3.5 min", "2.1 h" (NONE_TEXT for none)."""
    if seconds is None:
        return NONE_TEXT
    if 0 < seconds < 10:
        # Sub-ten-second medians (a quick resolve) keep a decimal, so axis ticks stay distinct.
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def number_text(value: float | None) -> str:
    """Return a count or an average for people (NONE_TEXT for none)."""
    if value is None:
        return NONE_TEXT
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def nice_ceiling(value: float) -> float:
    """Return the smallest 1, 2 or 5 times a power of ten that is at least `value` (1 for 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover (the loop always returns)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[tuple[date, float | None]],
    label: Callable[[float | None], str] = number_text,
) -> Chart:
    """Return a bar chart of one value per day; a day without a value has no bar."""
    values = [value for _, value in points if value is not None]
    top = nice_ceiling(max(values, default=0))
    slot = PLOT_WIDTH / max(len(points), 1)
    bars = format_html_join(
        "",
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        (
            (
                _at(LEFT + index * slot + slot * (1 - BAR_SHARE) / 2),
                _at(TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top),
                _at(slot * BAR_SHARE),
                _at(PLOT_HEIGHT * value / top),
                day.isoformat(),
                label(value),
            )
            for index, (day, value) in enumerate(points)
            if value is not None
        ),
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc"'
        ' xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        _axes(top, label),
        bars,
        _day_labels(points, slot),
    )
    return Chart(chart_id=chart_id, title=title, description=description, svg=svg)


def _axes(top: float, label: Callable[[float | None], str]) -> SafeString:
    lines = []
    for share in (0.0, 0.5, 1.0):
        y = TOP + PLOT_HEIGHT - PLOT_HEIGHT * share
        lines.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _at(y),
                _at(y),
                LEFT - 6,
                _at(y + 4),
                label(top * share),
            )
        )
    return mark_safe("".join(lines))  # noqa: S308 (each part built by format_html)


def _day_labels(points: Sequence[tuple[date, float | None]], slot: float) -> SafeString:
    if not points:
        return mark_safe("")
    last = len(points) - 1
    # The first and last labels are anchored inward so that neither is cut at the edge.
    shown = {0: ("start", LEFT), last: ("end", WIDTH - RIGHT)}
    if last > 1:
        shown[last // 2] = ("middle", LEFT + (last // 2) * slot + slot / 2)
    return format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
        (
            (_at(x), HEIGHT - 8, anchor, points[index][0].strftime("%b %-d"))
            for index, (anchor, x) in sorted(shown.items())
        ),
    )


def _at(coordinate: float) -> str:
    # format_html escapes its arguments into strings first: numbers are formatted here.
    return f"{coordinate:.1f}"
