"""The noisy scenario's statistic: the median of paired ratios."""

import math

from benchmarks.pairing import paired_ratio_median, paired_ratios


def test_a_drift_that_scales_both_windows_of_a_pair_cancels() -> None:
    # Background load multiplies both windows of a pair alike; the effect is +10 % throughout.
    drift = [1.0, 3.0, 0.5, 8.0, 2.0]
    pairs = [(20.0 * d, 22.0 * d) for d in drift]
    assert math.isclose(paired_ratio_median(pairs), 1.1)


def test_one_spoiled_window_does_not_move_the_median() -> None:
    pairs = [(10.0, 11.0), (10.0, 12.0), (10.0, 500.0), (10.0, 11.5), (400.0, 10.0)]
    assert math.isclose(paired_ratio_median(pairs), 1.15)


def test_the_ratio_of_medians_would_differ() -> None:
    # Pooling hides the pairing: here every pair rose by half, whatever the pooled figure.
    pairs = [(10.0, 15.0), (100.0, 150.0), (1000.0, 1500.0)]
    assert math.isclose(paired_ratio_median(pairs), 1.5)
    assert paired_ratios(pairs) == [1.5, 1.5, 1.5]


def test_pairs_without_a_baseline_are_left_out() -> None:
    assert paired_ratios([(0.0, 5.0), (2.0, 4.0)]) == [2.0]
    assert math.isnan(paired_ratio_median([(0.0, 5.0)]))
