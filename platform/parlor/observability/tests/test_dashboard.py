"""The bundled Grafana dashboard charts only metrics Parlor exports, and charts every one."""

from __future__ import annotations

import json
import re

from parlor.env import REPO_ROOT
from parlor.observability import metrics

DASHBOARD = REPO_ROOT / "deploy" / "grafana" / "parlor.json"
SERIES = re.compile(r"\b(parlor_[a-z_]+?)(?:_total|_bucket|_sum|_count)?\b")


def charted_metrics() -> set[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    expressions = [target["expr"] for panel in panels for target in panel["targets"]]
    return {match for expr in expressions for match in SERIES.findall(expr)}


def exported_metrics() -> set[str]:
    return {family.name for family in metrics.REGISTRY.collect()}


def test_every_charted_series_is_exported():
    assert charted_metrics() - exported_metrics() == set()


def test_every_exported_metric_has_a_chart():
    assert exported_metrics() - charted_metrics() == set()
