"""The backtest's Brier difference against a baseline and its cluster-bootstrap interval."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiate.models.backtest import brier_difference


def records(model, baseline, outcome, cluster):
    return [{"model": m, "base_rate_by_horizon": b, "outcome": y, "cluster": c}
            for m, b, y, c in zip(model, baseline, outcome, cluster, strict=True)]


def test_same_forecasts_differ_by_exactly_zero():
    rows = records([0.3, 0.7, 0.5], [0.3, 0.7, 0.5], [0, 1, 1], ["a", "b", "c"])
    d = brier_difference(rows)
    assert d["difference"] == 0 and d["interval"] == [0, 0] and d["clusters"] == 3


def test_a_perfect_model_is_better_by_the_baselines_brier():
    y = [0, 1] * 20
    rows = records([float(v) for v in y], [0.5] * 40, y, [f"c{i}" for i in range(40)])
    d = brier_difference(rows)
    assert d["difference"] == pytest.approx(-0.25)
    # every forecast misses by 0.5 under the baseline and by 0 under the model: no resample differs
    assert d["interval"] == pytest.approx([-0.25, -0.25])


def test_one_cluster_has_no_spread_whatever_its_size():
    rows = records([0.9, 0.2, 0.6], [0.5, 0.5, 0.5], [1, 0, 0], ["x"] * 3)
    d = brier_difference(rows)
    assert d["interval"][0] == pytest.approx(d["difference"]) == pytest.approx(d["interval"][1])


def test_clusters_not_rows_are_resampled():
    # two clusters, one where the model wins and one where it loses: resamples of whole clusters
    # give only three values (both the winner, both the loser, one of each)
    rows = records([1.0] * 5 + [1.0], [0.5] * 6, [1] * 5 + [0], ["win"] * 5 + ["lose"])
    d = brier_difference(rows, level=1.0)
    assert d["interval"] == pytest.approx([-0.25, 0.75])
    assert d["difference"] == pytest.approx((5 * -0.25 + 0.75) / 6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(0, 1), st.integers(0, 5)),
                min_size=1, max_size=40))
def test_the_interval_is_ordered_and_within_the_range_of_cluster_means(data):
    model, baseline, outcome, cluster = zip(*data, strict=True)
    d = brier_difference(records(model, baseline, outcome, [str(c) for c in cluster]))
    gap = (np.array(model) - outcome) ** 2 - (np.array(baseline) - outcome) ** 2
    means = [gap[np.array(cluster) == c].mean() for c in set(cluster)]
    low, high = d["interval"]
    assert min(means) - 1e-12 <= low <= high <= max(means) + 1e-12
    assert d["difference"] == pytest.approx(gap.mean())
