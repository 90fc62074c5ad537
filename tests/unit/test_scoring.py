import math

import numpy as np
import pytest

from negotiate.record.scoring import brier, log_score, reliability


def test_hand_computed_scores():
    assert brier([0.8, 0.3], [1, 0]) == pytest.approx((0.2 ** 2 + 0.3 ** 2) / 2)
    assert log_score([0.8, 0.3], [1, 0]) == pytest.approx((math.log(0.8) + math.log(0.7)) / 2)
    assert brier([1, 0], [1, 0]) == 0.0
    assert log_score([0.0], [1]) == pytest.approx(math.log(1e-4))  # clipped, not infinite


def test_perfectly_calibrated_forecaster_scores_as_theory_says():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=400_000)
    y = rng.uniform(size=p.size) < p
    # E[(p - y)^2] = E[p (1 - p)] = 1/6 for p ~ U(0, 1)
    assert brier(p, y) == pytest.approx(1 / 6, abs=2e-3)
    # E[p ln p + (1 - p) ln(1 - p)] = -1/2 for p ~ U(0, 1)
    assert log_score(p, y) == pytest.approx(-0.5, abs=5e-3)
    for row in reliability(p, y):
        assert row["observed"] == pytest.approx(row["mean_forecast"], abs=0.01)
        assert row["count"] == pytest.approx(p.size / 10, rel=0.05)


def test_reliability_bins():
    table = reliability([0.05, 0.15, 0.15, 1.0], [0, 1, 0, 1], bins=10)
    assert table[0]["count"] == 1 and table[1]["count"] == 2 and table[1]["observed"] == 0.5
    assert table[9]["count"] == 1  # 1.0 falls in the last bin
    assert table[5]["mean_forecast"] is None
