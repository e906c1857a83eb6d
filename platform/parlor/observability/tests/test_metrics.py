"""Tests of the metric definitions: names, prefixes and bounded labels."""

from __future__ import annotations

from prometheus_client import generate_latest

from parlor.observability import metrics


def test_every_metric_is_prefixed_parlor():
    names = {family.name for family in metrics.REGISTRY.collect()}
    assert names and all(name.startswith("parlor_") for name in names), names


def test_a_label_value_outside_its_set_becomes_other():
    assert metrics.bounded("send", {"send", "join"}) == "send"
    assert metrics.bounded("<script>", {"send", "join"}) == "other"
    assert metrics.bounded("", {"send"}) == "other"


def test_a_counted_frame_appears_in_the_exposition():
    metrics.frames_in.labels(metrics.bounded("send", {"send"})).inc()
    text = generate_latest(metrics.REGISTRY).decode()
    assert 'parlor_frames_in_total{type="send"}' in text
