"""`negotiate backtest`: out-of-sample scores of the deal model on negotiations with known outcomes.

Leave-one-episode-out on one reference class (a fold per episode), or one fit on a training set
scored on a test set. Folds run as Dask tasks, on an embedded local cluster or a running one;
each finished fold is written to a state directory so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from negotiate.errors import NegotiateError
from negotiate.evidence.catalogue import Catalogue
from negotiate.evidence.reference import DEFAULT_REFERENCE, Episode, hash_reference, load_reference
from negotiate.fileio import replace_atomically
from negotiate.record.scoring import brier, log_score, reliability

from .deal import Fit, ModelConfig, SamplerConfig, _package_versions, fit
from .predict import forecast, sigmoid

HORIZONS = (30, 14, 7, 1)
EVENTS = "after each event"
WORST = 5


def fold_records(f: Fit, episode: Episode, base_rate: float) -> list[dict]:
    """Forecasts of one held-out episode: model, prior alone (no events), training base rate."""
    catalogue = Catalogue()
    prior = float(sigmoid(f.draws["alpha"]).mean())
    points = [(f"{h}d", episode.deadline - dt.timedelta(days=h)) for h in HORIZONS]
    points += [(EVENTS, day) for day in sorted({e.date for e in episode.events})]
    records = []
    for horizon, as_of in points:
        if as_of >= episode.resolved_on:  # the outcome is known by then
            continue
        p = forecast(f, list(episode.events), as_of, None, None, catalogue)["p_deal"]
        records.append({"episode": episode.id, "horizon": horizon, "as_of": as_of.isoformat(),
                        "outcome": episode.outcome, "model": p, "prior": prior, "base_rate": base_rate})
    return records


def run_fold(train: list[Episode], test: list[Episode], model: ModelConfig, sampler: SamplerConfig) -> list[dict]:
    """Fit on ``train`` (chains in sequence: this runs inside a worker) and forecast every ``test`` episode."""
    import logging

    logging.getLogger("pymc").setLevel(logging.WARNING)  # the fold's progress is reported by the caller
    f = fit(train, model, sampler, cores=1)
    base_rate = float(np.mean([e.outcome for e in train]))
    records = [r for e in test for r in fold_records(f, e, base_rate)]
    return [r | {"fit": f.diagnostics} for r in records]


def run_key(train_dir: Path, test_dir: Path | None, model: ModelConfig, sampler: SamplerConfig) -> str:
    h = hashlib.sha256()
    hash_reference(h, train_dir)
    if test_dir is not None:
        h.update(b"test")
        hash_reference(h, test_dir)
    h.update(json.dumps([dataclasses.asdict(model), dataclasses.asdict(sampler), list(HORIZONS),
                         _package_versions()], sort_keys=True).encode())
    return h.hexdigest()[:20]


def default_state_dir() -> Path:
    from .update import default_fit_dir

    return default_fit_dir().parent / "backtest"


def _client(scheduler: str | None, jobs: int):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as exc:
            raise NegotiateError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); is it running?") from None
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def backtest(
    train_dir: Path | None = None,
    test_dir: Path | None = None,
    jobs: int = 2,
    scheduler: str | None = None,
    state_dir: Path | None = None,
    model: ModelConfig | None = None,
    sampler: SamplerConfig | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Score the deal model out of sample.

    Parameters
    ----------
    train_dir : path, optional
        Reference class to fit on (default: the shipped one). Without ``test_dir``, folds leave
        out one episode at a time.
    test_dir : path, optional
        Episodes to score with one fit on ``train_dir``.
    jobs : int
        Worker processes of the embedded Dask cluster.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``) to use instead.
    state_dir : path, optional
        Where finished folds are kept for resuming (default: beside the fit cache).
    progress : callable, optional
        Called as ``progress(done, total, label)`` after each fold.
    """
    train_dir = Path(train_dir or DEFAULT_REFERENCE)
    model, sampler = model or ModelConfig(), sampler or SamplerConfig()
    train = load_reference(train_dir)
    if test_dir is None:
        folds = {e.id: ([x for x in train if x.id != e.id], [e]) for e in train}
    else:
        test = load_reference(Path(test_dir))
        folds = {"train-test": (train, test)}
    if len(train) < 3:
        raise NegotiateError(f"{train_dir}: {len(train)} episodes; expected at least 3 to fit on")
    key = run_key(train_dir, Path(test_dir) if test_dir else None, model, sampler)
    state = Path(state_dir or default_state_dir()) / key
    state.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict]] = {}
    for name in folds:
        path = state / f"{name}.json"
        if path.exists():
            results[name] = json.loads(path.read_text())
    pending = [name for name in folds if name not in results]
    resumed = len(results)
    if progress:
        progress(resumed, len(folds), "resumed" if resumed else "starting")
    if pending:
        from dask.distributed import as_completed

        client, cluster = _client(scheduler, jobs)
        try:
            futures = {client.submit(run_fold, *folds[name], model, sampler, key=f"fold-{key}-{name}", pure=False): name
                       for name in pending}
            for future in as_completed(futures):
                name = futures[future]
                records = future.result()
                replace_atomically(state / f"{name}.json", json.dumps(records).encode())
                results[name] = records
                if progress:
                    progress(len(results), len(folds), name)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    records = [r for name in folds for r in results[name]]
    return score_records(records) | {"folds": len(folds), "resumed_folds": resumed, "state": str(state),
                                 "mode": "train-test" if test_dir else "leave-one-episode-out",
                                 "train": str(train_dir), "test": str(test_dir) if test_dir else None}


def score_records(records: list[dict]) -> dict:
    """Scores per horizon for the model and both baselines, reliability, worst episodes."""
    if not records:
        raise NegotiateError("no forecasts to score: every test point fell after its episode's resolution")
    horizons = {}
    for h in [f"{x}d" for x in HORIZONS] + [EVENTS]:
        rows = [r for r in records if r["horizon"] == h]
        if not rows:
            continue
        y = [r["outcome"] for r in rows]
        horizons[h] = {"n": len(rows), "episodes": len({r["episode"] for r in rows})}
        for source in ("model", "base_rate", "prior"):
            p = [r[source] for r in rows]
            horizons[h][source] = {"brier": brier(p, y), "log_score": log_score(p, y)}
    fixed = [r for r in records if r["horizon"] != EVENTS]
    table = reliability([r["model"] for r in fixed], [r["outcome"] for r in fixed])
    by_episode: dict[str, list[dict]] = {}
    for r in fixed:
        by_episode.setdefault(r["episode"], []).append(r)
    worst = sorted(
        ({"episode": e, "outcome": rows[0]["outcome"], "brier": brier([r["model"] for r in rows], [r["outcome"] for r in rows]),
          "forecasts": {r["horizon"]: r["model"] for r in rows}} for e, rows in by_episode.items()),
        key=lambda w: -w["brier"])[:WORST]
    fits = [r["fit"] for r in records]
    return {"horizons": horizons, "reliability": table, "worst": worst,
            "diagnostics": {"max_rhat": max(f["max_rhat"] for f in fits),
                            "min_ess_bulk": min(f["min_ess_bulk"] for f in fits),
                            "divergences": max(f["divergences"] for f in fits)},
            "records": records}
