"""The widget's size budget: what a page loads first, and the whole widget, gzipped."""

from __future__ import annotations

import gzip

from parlor.widget_serving.assets import build_widget

LOADER_BUDGET = 5 * 1024
WIDGET_BUDGET = 30 * 1024


def test_the_loader_a_page_loads_first_is_at_most_5_kib_gzipped():
    build = build_widget()
    assert len(build.loader.gzipped) <= LOADER_BUDGET, len(build.loader.gzipped)


def test_the_whole_widget_is_at_most_30_kib_gzipped():
    build = build_widget()
    total = len(build.loader.gzipped) + len(build.app.gzipped)
    assert total <= WIDGET_BUDGET, total


def test_the_measured_sizes_are_of_real_gzip_of_the_served_bytes():
    build = build_widget()
    for asset in (build.loader, build.app):
        assert gzip.decompress(asset.gzipped) == asset.content
        assert len(asset.gzipped) < len(asset.content)
