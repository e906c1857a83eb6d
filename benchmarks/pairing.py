"""Paired comparison of two conditions measured in alternating windows (the noisy scenario).

On a shared machine the background load drifts over minutes: comparing one long A-idle run
with one long A-flooding run measures the drift as much as tenant A. Alternating short
windows and taking the median of each pair's ratio cancels a drift slower than a pair and
ignores the odd window a neighbour spoiled.
"""

from __future__ import annotations

import statistics


def paired_ratios(pairs: list[tuple[float, float]]) -> list[float]:
    """Return treated / baseline for each (baseline, treated) pair with a positive baseline."""
    return [treated / baseline for baseline, treated in pairs if baseline > 0]


def paired_ratio_median(pairs: list[tuple[float, float]]) -> float:
    """Return the median of the pairs' treated / baseline ratios (nan when there is none)."""
    ratios = paired_ratios(pairs)
    return statistics.median(ratios) if ratios else float("nan")
