"""Proper scores of probability forecasts of yes/no questions, and reliability tables."""

from __future__ import annotations

import numpy as np

# Forecasts of exactly 0 or 1 would make the log score infinite; they are scored as these.
LOG_CLIP = 1e-4


def brier(p, y) -> float:
    """Mean squared error of forecasts ``p`` against outcomes ``y`` (0 best, 1 worst)."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p - y) ** 2))


def log_score(p, y) -> float:
    """Mean natural log of the probability given to what happened (0 best; higher is better).

    Forecasts are clipped to [1e-4, 1 - 1e-4] so that one certainty cannot make it infinite.
    """
    p = np.clip(np.asarray(p, float), LOG_CLIP, 1 - LOG_CLIP)
    y = np.asarray(y, float)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def reliability(p, y, bins: int = 10) -> list[dict]:
    """Forecasts grouped in equal-width bins: count, mean forecast and observed frequency."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        table.append({"bin": [float(edges[b]), float(edges[b + 1])], "count": int(mask.sum()),
                      "mean_forecast": float(p[mask].mean()) if mask.any() else None,
                      "observed": float(y[mask].mean()) if mask.any() else None})
    return table
