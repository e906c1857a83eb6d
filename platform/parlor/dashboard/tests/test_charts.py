"""Server-rendered SVG charts: named for screen readers, escaped, one bar per measured day."""

from __future__ import annotations

import re
from datetime import date, timedelta

from parlor.dashboard.charts import bar_chart, duration_text, nice_ceiling, number_text

DAYS = [date(2026, 1, 1) + timedelta(days=n) for n in range(4)]


def test_a_chart_is_an_image_named_by_its_title_and_description_with_a_bar_per_value():
    chart = bar_chart(
        chart_id="c1",
        title="Messages <per> day",
        description="A & B",
        points=list(zip(DAYS, [3, None, 0, 10], strict=True)),
    )
    svg = str(chart.svg)
    assert 'role="img" aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Messages &lt;per&gt; day</title>' in svg
    assert '<desc id="c1-desc">A &amp; B</desc>' in svg
    bars = re.findall(r'<rect class="chart-bar"[^>]*height="([\d.]+)"><title>([^<]*)</title>', svg)
    assert [title for _, title in bars] == ["2026-01-01: 3", "2026-01-03: 0", "2026-01-04: 10"]
    heights = [float(height) for height, _ in bars]
    assert heights[2] > heights[0] > heights[1] == 0
    assert "style=" not in svg  # the CSP allows no inline style


def test_an_empty_range_still_draws_axes():
    svg = str(bar_chart(chart_id="e", title="t", description="d", points=[]).svg)
    assert "chart-grid" in svg and "chart-bar" not in svg


def test_scales_and_labels():
    assert [nice_ceiling(v) for v in (0, 0.3, 1, 7, 12, 180, 4000)] == [
        1,
        0.5,
        1,
        10,
        20,
        200,
        5000,
    ]
    assert [duration_text(v) for v in (None, 0, 2.5, 42, 150, 7200)] == [
        "\u2013",
        "0 s",
        "2.5 s",
        "42 s",
        "2.5 min",
        "2.0 h",
    ]
    assert [number_text(v) for v in (None, 3, 3.5)] == ["\u2013", "3", "3.50"]
