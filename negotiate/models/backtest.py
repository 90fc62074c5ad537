"""`negotiate backtest`: out-of-sample scores of the deal models on negotiations with known outcomes.

Leave-one-cluster-out by default: linked rounds of one dispute share a cluster and are held out
together, so no fold learns from a sibling of what it forecasts. Also leave-one-episode-out, or one
fit on a training set scored on a test set. Each held-out episode is forecast 30, 14, 7, 3 and 1
days before its deadline and after each of its event days, while its outcome is still unknown.
Baselines scored on the same points: the training base rate, the base rate by horizon (of the
training episodes still open that many days before their deadline, the share that ended in a
deal), a coin flip, and the model's prior alone (its forecast with no events).

Folds run as Dask tasks, on an embedded local cluster or a running one; each finished fold is
written to a state directory so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from negotiate.daskclient import dask_client
from negotiate.errors import NegotiateError
from negotiate.evidence.reference import DEFAULT_REFERENCE, Episode, hash_reference, load_reference
from negotiate.fileio import replace_atomically
from negotiate.record.scoring import brier, log_score, reliability

from .deal import SamplerConfig, _package_versions, diagnostics_ok
from .hazard import case_of
from .variants import DEFAULT_MODEL, Variant, variant

HORIZONS = (30, 14, 7, 3, 1)
EVENTS = "after each event"
SOURCES = ("model", "base_rate", "base_rate_by_horizon", "coin", "prior")
FOLDINGS = ("cluster", "episode")
WORST = 5
SKILL_LEVEL = 0.9
SKILL_RESAMPLES = 2000
# Backtest fits sample less than `update` (ESS stays above the 400 the diagnostics ask for).
BACKTEST_SAMPLER = SamplerConfig(draws=1000, tune=500)


def open_base_rate(train: list[Episode], days_left: int) -> float:
    """Of the training episodes still open ``days_left`` days before their deadline, the share with a deal.

    An episode is open then if its outcome was not yet known: no deal announced by that day. With
    none open, the overall base rate.
    """
    open_ = [e.outcome for e in train if e.resolved_on > e.deadline - dt.timedelta(days=days_left)]
    return float(np.mean(open_)) if open_ else float(np.mean([e.outcome for e in train]))


def fold_records(model: Variant, fit, episode: Episode, train: list[Episode]) -> list[dict]:
    """Forecasts of one held-out episode by the model and every baseline."""
    base_rate = float(np.mean([e.outcome for e in train]))
    case = case_of(episode)
    silent = dataclasses.replace(case, events=())
    points = [(f"{h}d", episode.deadline - dt.timedelta(days=h)) for h in HORIZONS]
    points += [(EVENTS, day) for day in sorted({e.date for e in episode.events})]
    records = []
    for horizon, as_of in points:
        if as_of >= episode.resolved_on:  # the outcome is known by then
            continue
        records.append({
            "episode": episode.id, "cluster": episode.group, "horizon": horizon, "as_of": as_of.isoformat(),
            "outcome": episode.outcome,
            "model": float(model.p_draws(fit, case, as_of).mean()),
            "prior": float(model.p_draws(fit, silent, as_of).mean()),
            "base_rate": base_rate,
            "base_rate_by_horizon": open_base_rate(train, (episode.deadline - as_of).days),
            "coin": 0.5,
        })
    return records


def run_fold(name: str, train: list[Episode], test: list[Episode], sampler: SamplerConfig) -> list[dict]:
    """Fit ``name`` on ``train`` (chains in sequence: this runs inside a worker) and forecast ``test``."""
    import logging

    from .compiledir import ensure_compiledir

    ensure_compiledir()  # before PyTensor is imported: it needs a writable compile directory
    import pymc  # noqa: F401  # imported first: pymc sets its logger's level when imported

    logging.getLogger("pymc").setLevel(logging.ERROR)  # the fold's progress is reported by the caller
    model = variant(name)
    fit = model.fit(train, sampler, cores=1)
    return [r | {"fit": fit.diagnostics} for e in test for r in fold_records(model, fit, e, train)]


def run_key(name: str, train_dir: Path, test_dir: Path | None, folding: str, sampler: SamplerConfig) -> str:
    h = hashlib.sha256()
    hash_reference(h, train_dir)
    if test_dir is not None:
        h.update(b"test")
        hash_reference(h, test_dir)
    h.update(json.dumps([variant(name).config_dict(), folding, dataclasses.asdict(sampler), list(HORIZONS),
                         _package_versions()], sort_keys=True).encode())
    return h.hexdigest()[:20]


def default_state_dir() -> Path:
    from .update import default_fit_dir

    return default_fit_dir().parent / "backtest"


def folds_of(train: list[Episode], test: list[Episode] | None, folding: str) -> dict[str, tuple[list, list]]:
    """Fold name -> (training episodes, held-out episodes)."""
    if test is not None:
        return {"train-test": (train, test)}
    if folding not in FOLDINGS:
        raise NegotiateError(f"unknown folding {folding!r}; expected one of: {', '.join(FOLDINGS)}")
    key = (lambda e: e.group) if folding == "cluster" else (lambda e: e.id)
    groups = sorted({key(e) for e in train})
    return {g: ([e for e in train if key(e) != g], [e for e in train if key(e) == g]) for g in groups}


def backtest(
    train_dir: Path | None = None,
    test_dir: Path | None = None,
    models: tuple[str, ...] = (DEFAULT_MODEL,),
    folding: str = "cluster",
    jobs: int = 2,
    scheduler: str | None = None,
    state_dir: Path | None = None,
    sampler: SamplerConfig | None = None,
    progress: Callable[[int, int, str, float | None], None] | None = None,
) -> dict:
    """Score deal models out of sample, side by side, with the baselines.

    Parameters
    ----------
    train_dir : path, optional
        Reference class to fit on (default: the shipped one). Without ``test_dir``, folds leave
        out one cluster (or one episode) at a time.
    test_dir : path, optional
        Episodes to score with one fit on ``train_dir``.
    models : tuple of str
        Variant names (``negotiate.models.variants.VARIANTS``), scored in one run.
    folding : {"cluster", "episode"}
        What a fold leaves out.
    jobs : int
        Worker processes of the embedded Dask cluster.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``) to use instead.
    state_dir : path, optional
        Where finished folds are kept for resuming (default: beside the fit cache).
    progress : callable, optional
        Called as ``progress(done, total, label, seconds_left)`` after each fold.

    Returns
    -------
    dict
        ``models`` (per model: horizons with every source's Brier and log score, reliability and
        expected calibration error, worst episodes, fit diagnostics and the folds whose fit failed
        them), and the run's description.
    """
    train_dir = Path(train_dir or DEFAULT_REFERENCE)
    sampler = sampler or BACKTEST_SAMPLER
    train = load_reference(train_dir)
    if len(train) < 3:
        raise NegotiateError(f"{train_dir}: {len(train)} episodes; expected at least 3 to fit on")
    test = load_reference(Path(test_dir)) if test_dir is not None else None
    folds = folds_of(train, test, folding)
    tasks = {}
    for name in models:
        variant(name)  # unknown names fail before any work
        key = run_key(name, train_dir, Path(test_dir) if test_dir else None, folding, sampler)
        state = Path(state_dir or default_state_dir()) / key
        state.mkdir(parents=True, exist_ok=True)
        for fold in folds:
            tasks[(name, fold)] = state / f"{fold}.json"
    results = {task: json.loads(path.read_text()) for task, path in tasks.items() if path.exists()}
    pending = [task for task in tasks if task not in results]
    resumed = len(results)
    if progress:
        progress(resumed, len(tasks), "resumed" if resumed else "starting", None)
    if pending:
        from dask.distributed import as_completed

        client, cluster = dask_client(scheduler, jobs)
        started = time.monotonic()
        try:
            futures = {client.submit(run_fold, name, *folds[fold], sampler, key=f"fold-{name}-{fold}-{tasks[(name, fold)].parent.name}",
                                     pure=False): (name, fold) for name, fold in pending}
            for done, future in enumerate(as_completed(futures), 1):
                task = futures[future]
                records = future.result()
                replace_atomically(tasks[task], json.dumps(records).encode())
                results[task] = records
                if progress:
                    left = (time.monotonic() - started) / done * (len(pending) - done)
                    progress(len(results), len(tasks), f"{task[0]} {task[1]}", left)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    per_model = {name: score_records([r for fold in folds for r in results[(name, fold)]]) for name in models}
    return {"models": per_model, "folds": len(folds), "resumed_folds": resumed, "tasks": len(tasks),
            "mode": "train-test" if test_dir else f"leave-one-{folding}-out", "sampler": dataclasses.asdict(sampler),
            "train": str(train_dir), "test": str(test_dir) if test_dir else None,
            "state": str(Path(state_dir or default_state_dir()))}


def expected_calibration_error(table: list[dict]) -> float:
    """Mean absolute gap between forecast and observed frequency over the bins, weighted by count."""
    n = sum(r["count"] for r in table)
    return float(sum(r["count"] * abs(r["mean_forecast"] - r["observed"]) for r in table if r["count"]) / n) if n else 0.0


def brier_difference(rows: list[dict], against: str = "base_rate_by_horizon", level: float = SKILL_LEVEL,
                     resamples: int = SKILL_RESAMPLES, seed: int = 0) -> dict:
    """Brier of the model minus Brier of a baseline, with a cluster-bootstrap interval.

    Negative is better than the baseline. Forecasts of one cluster (linked rounds of a dispute, and
    the several forecasts of each episode) are not independent, so the interval resamples whole
    clusters with replacement, ``resamples`` times, and gives the central ``level`` share of the
    differences. An interval that straddles 0 means the backtest cannot tell the two apart.
    """
    clusters = sorted({r["cluster"] for r in rows})
    index = {c: i for i, c in enumerate(clusters)}
    which = np.array([index[r["cluster"]] for r in rows])
    y = np.array([r["outcome"] for r in rows], float)
    gap = (np.array([r["model"] for r in rows]) - y) ** 2 - (np.array([r[against] for r in rows]) - y) ** 2
    sums = np.bincount(which, gap, minlength=len(clusters))
    counts = np.bincount(which, minlength=len(clusters)).astype(float)
    rng = np.random.default_rng(seed)
    taken = rng.multinomial(len(clusters), np.full(len(clusters), 1 / len(clusters)), size=resamples)
    boot = (taken @ sums) / (taken @ counts)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(boot, [tail, 100 - tail])
    return {"against": against, "difference": float(gap.mean()), "interval": [float(low), float(high)],
            "level": level, "clusters": len(clusters)}


def score_records(records: list[dict]) -> dict:
    """Scores per horizon for the model and every baseline, reliability, worst episodes, fit diagnostics."""
    if not records:
        raise NegotiateError("no forecasts to score: every test point fell after its episode's resolution")
    horizons: dict[str, dict] = {}
    for h in [f"{x}d" for x in HORIZONS] + [EVENTS]:
        rows = [r for r in records if r["horizon"] == h]
        if not rows:
            continue
        y = [r["outcome"] for r in rows]
        horizons[h] = {"n": len(rows), "episodes": len({r["episode"] for r in rows})}
        for source in SOURCES:
            p = [r[source] for r in rows]
            horizons[h][source] = {"brier": brier(p, y), "log_score": log_score(p, y)}
        horizons[h]["skill"] = brier_difference(rows)
    fixed = [r for r in records if r["horizon"] != EVENTS]
    table = reliability([r["model"] for r in fixed], [r["outcome"] for r in fixed])
    by_episode: dict[str, list[dict]] = {}
    for r in fixed:
        by_episode.setdefault(r["episode"], []).append(r)
    worst = sorted(
        ({"episode": e, "outcome": rows[0]["outcome"], "brier": brier([r["model"] for r in rows], [r["outcome"] for r in rows]),
          "forecasts": {r["horizon"]: r["model"] for r in rows}} for e, rows in by_episode.items()),
        key=lambda w: -w["brier"])[:WORST]
    fits = {r["cluster"]: r["fit"] for r in records}
    failed = sorted(c for c, f in fits.items() if diagnostics_ok(f))
    return {"horizons": horizons, "reliability": table, "calibration_error": expected_calibration_error(table),
            "worst": worst,
            "diagnostics": {"max_rhat": max(f["max_rhat"] for f in fits.values()),
                            "min_ess_bulk": min(f["min_ess_bulk"] for f in fits.values()),
                            "divergences": max(f["divergences"] for f in fits.values()),
                            "failed_folds": failed},
            "records": records}
