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


def time_averaged_brier(as_of: list, p: list[float], outcome: int, resolved_on) -> float:
    """Brier score with each forecast counted for the days until the next one replaced it.

    Parameters
    ----------
    as_of : list of date
        Information date of each forecast, ascending (ties keep their order: the later one wins).
    p : list of float
    outcome : 0 or 1
    resolved_on : date
        The question's resolution date; the last forecast counts until then.
    """
    ends = list(as_of[1:]) + [resolved_on]
    spans = [max((end - start).days, 0) for start, end in zip(as_of, ends)]
    if sum(spans) == 0:  # every forecast made on the resolution day: the last one stands
        return float((p[-1] - outcome) ** 2)
    return float(sum(s * (q - outcome) ** 2 for s, q in zip(spans, p)) / sum(spans))


def score_track_record(questions: list[dict]) -> dict:
    """Scores over resolved questions.

    Parameters
    ----------
    questions : list of dict
        Each ``{"scenario_id", "outcome" (0/1), "resolved_on" (date), "forecasts": [(as_of, p), ...]}``
        with forecasts in the order they replaced each other.

    Returns
    -------
    dict
        ``forecasts``, ``questions``, ``brier``, ``log_score``, ``reliability``, ``per_question``
        (with ``time_averaged_brier``), ``mean_time_averaged_brier``.
    """
    ps, ys, per_question = [], [], []
    for q in questions:
        if not q["forecasts"]:
            continue
        dates = [d for d, _ in q["forecasts"]]
        probs = [p for _, p in q["forecasts"]]
        ps += probs
        ys += [q["outcome"]] * len(probs)
        per_question.append({"scenario_id": q["scenario_id"], "outcome": q["outcome"], "forecasts": len(probs),
                             "brier": brier(probs, [q["outcome"]] * len(probs)),
                             "time_averaged_brier": time_averaged_brier(dates, probs, q["outcome"], q["resolved_on"])})
    if not ps:
        return {"forecasts": 0, "questions": 0, "brier": None, "log_score": None, "reliability": [],
                "per_question": [], "mean_time_averaged_brier": None}
    return {"forecasts": len(ps), "questions": len(per_question), "brier": brier(ps, ys), "log_score": log_score(ps, ys),
            "reliability": reliability(ps, ys), "per_question": per_question,
            "mean_time_averaged_brier": float(np.mean([q["time_averaged_brier"] for q in per_question]))}
