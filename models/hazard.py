"""Deal model v2: a discrete-time hazard of a deal, day by day up to the deadline.

A negotiation is open on day d if no deal was announced before d. Given that, a deal comes on day d
with probability ``h_d = sigmoid(eta_d)``, where

    eta_d = a[bucket(days left on d)]                                  the clock
          + b_summit * summit_at_deadline * [days left <= 1]           a leaders' meeting at the deadline
          + delta_domain[domain] + delta_kind[deadline kind]           partially pooled, mean 0
          + b_tone * tone_d + b_activity * activity_d                  recent events

    tone_d     = sum_k S_dk s_k / (1 + sum_k S_dk)      the balance of recent events, in (-1, 1) scale
    activity_d = log(1 + sum_k S_dk)                    how much is happening
    S_dk       = sum of weight * 2 ** (-age / half_life) over events of type k before day d

``s_k ~ Normal(direction_k, type_sd)`` pools each event type's score around its direction (+1
cooperative, -1 conflictual), so types with few events stay near it; dividing by the
decayed count makes the tone independent of how densely an episode happens to be reported.

P(deal by the deadline | open after day t) = 1 - prod over d = t+1 .. deadline of (1 - h_d), with the
events known by t decaying over the remaining days (no new events assumed). Training rows are the
open days of every reference episode within ``window`` days of its deadline; the outcome of a row is
1 on the day a deal was announced. The likelihood is an observed Bernoulli, so pointwise
log-likelihood exists for ``arviz.loo``.

Fitting imports PyMC lazily; prediction from stored draws is numpy only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from negotiate.evidence.catalogue import BUILTIN, Catalogue
from negotiate.evidence.ledger import Event
from negotiate.scenario.schema import DEADLINE_KINDS, DOMAINS

TYPES = tuple(t.name for t in BUILTIN)
TYPE_SIGN = np.array([1.0 if t.direction == "cooperative" else -1.0 for t in BUILTIN])
# Days left to the deadline, bucketed: deals cluster on the last days, so those get their own.
BUCKETS = ((0, 0), (1, 1), (2, 3), (4, 7), (8, 14), (15, 30), (31, 10_000))
BUCKET_NAMES = tuple(f"{lo}" if lo == hi else (f"{lo}+" if hi > 1000 else f"{lo}-{hi}") for lo, hi in BUCKETS)


def bucket_of(days_left: np.ndarray) -> np.ndarray:
    """Index into BUCKETS of each number of days left (0 = the deadline day)."""
    edges = np.array([hi for _, hi in BUCKETS[:-1]])
    return np.searchsorted(edges, np.asarray(days_left), side="left")


@dataclass(frozen=True)
class HazardConfig:
    """A hazard-model variant: which terms it has, and its priors."""

    name: str = "hazard"
    events: bool = True  # tone and activity of recent events
    attributes: bool = True  # summit at the deadline, domain, deadline kind
    half_life: float = 7.0  # days; fixed (the reference class cannot identify it, see the README)
    window: int = 90  # training rows: the open days within this many days of the deadline
    clock_mean: float = -4.0  # baseline daily log-odds of a deal, a priori
    clock_sd: float = 2.0
    effect_sd: float = 1.0  # b_summit, b_tone
    activity_sd: float = 0.5
    # Fixed scales of partial pooling: with 139 episodes a learned scale sits in a funnel and slows
    # sampling while its posterior stays near its prior; a fixed one shrinks the same way.
    group_sd: float = 0.3  # domain and deadline-kind effects ~ Normal(0, group_sd)
    type_sd: float = 0.3  # type scores ~ Normal(+1 or -1 by direction, type_sd)


@dataclass(frozen=True)
class Case:
    """What the model needs of a negotiation: its deadline, setting and events (in date order)."""

    start: dt.date
    deadline: dt.date
    events: tuple[Event, ...]
    domain: str = "other"
    deadline_kind: str = "other"
    summit_at_deadline: bool = False


@dataclass(frozen=True)
class Rows:
    """Design of a set of days: one row per (case, day)."""

    bucket: np.ndarray  # (rows,) int
    summit: np.ndarray  # (rows,) 1.0 where a leaders' meeting is on the deadline and <= 1 day is left
    domain: np.ndarray  # (rows,) int
    kind: np.ndarray  # (rows,) int
    S: np.ndarray  # (rows, types) decayed weighted event counts by type


def _column(name: str, catalogue: Catalogue | None) -> int | None:
    """Column of an event type in the design: its own, or its direction's for a scenario's own type."""
    if name in TYPES:
        return TYPES.index(name)
    if catalogue is not None and name in catalogue:
        return len(TYPES) + (0 if catalogue.types[name].direction == "cooperative" else 1)
    return None


def day_rows(case: Case, days: Sequence[dt.date], half_life: float, catalogue: Catalogue | None = None) -> Rows:
    """The design rows of ``case`` on ``days``; events count from the day after they happen.

    A scenario's own event types add to two extra columns (cooperative, conflictual) scored at +1
    and -1, their directions' expected scores; both are zero for the reference class.
    """
    n = len(days)
    ordinal = np.array([d.toordinal() for d in days])
    left = np.array([(case.deadline - d).days for d in days])
    bucket = bucket_of(np.maximum(left, 0))
    summit = (np.full(n, float(case.summit_at_deadline)) * (left <= 1)).astype(float)
    domain = np.full(n, DOMAINS.index(case.domain) if case.domain in DOMAINS else DOMAINS.index("other"))
    kind = np.full(n, DEADLINE_KINDS.index(case.deadline_kind) if case.deadline_kind in DEADLINE_KINDS
                   else DEADLINE_KINDS.index("other"))
    S = np.zeros((n, len(TYPES) + 2))
    if case.events:
        dates = np.array([e.date.toordinal() for e in case.events])
        age = (ordinal[:, None] - 1) - dates[None, :]  # an event counts from the next day on
        decay = np.where(age >= 0, np.exp2(-np.maximum(age, 0) / half_life), 0.0)
        for j, e in enumerate(case.events):
            col = _column(e.type, catalogue)
            if col is not None:
                S[:, col] += e.weight * decay[:, j]
    return Rows(bucket, summit, domain, kind, S)


def training_rows(episodes, config: HazardConfig) -> tuple[Rows, np.ndarray, np.ndarray]:
    """Rows of every open day of every episode within ``config.window`` days of its deadline.

    Returns the rows, the outcome of each row (1 on the day a deal was announced) and the index of
    the episode each row belongs to.
    """
    parts, ys, owner = [], [], []
    for i, ep in enumerate(episodes):
        first = max(ep.start, ep.deadline - dt.timedelta(days=config.window))
        last = ep.resolved_on if ep.outcome == 1 else ep.deadline
        if last < first:  # a deal before the window: its last days still teach the clock
            first = max(ep.start, last - dt.timedelta(days=config.window))
        days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
        parts.append(day_rows(case_of(ep), days, config.half_life))
        y = np.zeros(len(days))
        if ep.outcome == 1:
            y[-1] = 1.0
        ys.append(y)
        owner.append(np.full(len(days), i))
    rows = Rows(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in dataclasses.fields(Rows)))
    return rows, np.concatenate(ys), np.concatenate(owner)


def case_of(ep) -> Case:
    """The Case of a reference episode (or anything with the same attributes)."""
    return Case(ep.start, ep.deadline, tuple(ep.events), ep.domain, ep.deadline_kind, ep.summit_at_deadline)


# ---------------------------------------------------------------- the linear predictor


def _eta(draws: dict[str, np.ndarray], rows: Rows, config: HazardConfig) -> np.ndarray:
    """Log-odds of the daily hazard, (draws, rows), from posterior draws (numpy)."""
    eta = draws["clock"][:, rows.bucket]
    if config.attributes:
        eta = eta + draws["b_summit"][:, None] * rows.summit[None, :]
        eta = eta + draws["domain_effect"][:, rows.domain] + draws["kind_effect"][:, rows.kind]
    if config.events:
        size = len(draws["clock"])
        scores = np.concatenate([draws["type_score"], np.ones((size, 1)), -np.ones((size, 1))], axis=1)
        total = rows.S.sum(axis=1)
        tone = (scores @ rows.S.T) / (1.0 + total)[None, :]
        eta = eta + draws["b_tone"][:, None] * tone + draws["b_activity"][:, None] * np.log1p(total)[None, :]
    return eta


def p_deal_by_deadline(draws: dict[str, np.ndarray], config: HazardConfig, case: Case, as_of: dt.date,
                       catalogue: Catalogue | None = None) -> np.ndarray:
    """P(deal by the deadline | no deal by the end of ``as_of``), one value per draw.

    Events after ``as_of`` are ignored; those before decay over the remaining days. On or after the
    deadline, no day is left and the answer is 0.
    """
    size = len(draws["clock"])
    days = [as_of + dt.timedelta(days=k) for k in range(1, (case.deadline - as_of).days + 1)]
    if not days:
        return np.zeros(size)
    known = dataclasses.replace(case, events=tuple(e for e in case.events if e.date <= as_of))
    eta = _eta(draws, day_rows(known, days, config.half_life, catalogue), config)
    # log(1 - sigmoid(x)) = -softplus(x), stable for large |x|
    survive = -np.logaddexp(0.0, eta).sum(axis=1)
    return -np.expm1(survive)


def fit_hazard(episodes, config: HazardConfig, sampler, progress: bool = False, cores: int | None = None):
    """Sample the posterior with PyMC's NUTS; returns (draws with chains, sample stats, diagnostics, pointwise data).

    The likelihood is ``pm.Bernoulli("deal_day", logit_p=eta, observed=y, dims="day")``; coords label
    the clock buckets, domains, deadline kinds and event types.
    """
    import os
    import threading

    import pymc as pm
    import pytensor.tensor as pt

    rows, y, _ = training_rows(episodes, config)
    coords = {"bucket": list(BUCKET_NAMES), "domain": list(DOMAINS), "deadline_kind": list(DEADLINE_KINDS),
              "event_type": list(TYPES), "day": np.arange(len(y))}
    with pm.Model(coords=coords) as model:
        bucket = pm.Data("bucket_index", rows.bucket, dims="day")
        clock = pm.Normal("clock", config.clock_mean, config.clock_sd, dims="bucket")
        eta = clock[bucket]
        if config.attributes:
            b_summit = pm.Normal("b_summit", 0.0, config.effect_sd)
            domain_effect = pm.Normal("domain_effect", 0.0, config.group_sd, dims="domain")
            kind_effect = pm.Normal("kind_effect", 0.0, config.group_sd, dims="deadline_kind")
            eta = eta + b_summit * pm.Data("summit", rows.summit, dims="day")
            eta = eta + domain_effect[pm.Data("domain_index", rows.domain, dims="day")]
            eta = eta + kind_effect[pm.Data("kind_index", rows.kind, dims="day")]
        if config.events:
            S = rows.S[:, : len(TYPES)]
            # every array is pm.Data, so that refits on other folds compile to the same (cached) graph
            total = pm.Data("activity_total", S.sum(axis=1), dims="day")
            type_score = pm.Normal("type_score", TYPE_SIGN, config.type_sd, dims="event_type")
            b_tone = pm.Normal("b_tone", 0.0, config.effect_sd)
            b_activity = pm.Normal("b_activity", 0.0, config.activity_sd)
            tone = pt.dot(pm.Data("S", S, dims=("day", "event_type")), type_score) / (1.0 + total)
            eta = eta + b_tone * tone + b_activity * pt.log1p(total)
        pm.Bernoulli("deal_day", logit_p=eta, observed=pm.Data("deal_observed", y, dims="day"), dims="day")
        idata = pm.sample(
            sampler.draws, tune=sampler.tune, chains=sampler.chains,
            cores=cores or min(sampler.chains, os.cpu_count() or 1), target_accept=sampler.target_accept,
            random_seed=sampler.seed, nuts_sampler="pymc", progressbar=progress, compute_convergence_checks=False,
            idata_kwargs={"log_likelihood": False},
            # forking a process that runs other threads can deadlock the child
            mp_ctx="forkserver" if threading.active_count() > 1 else None,
        )
    del model
    return idata, len(y), int(y.sum())


def parameter_names(config: HazardConfig) -> list[str]:
    names = ["clock"]
    if config.attributes:
        names += ["b_summit", "domain_effect", "kind_effect"]
    if config.events:
        names += ["type_score", "b_tone", "b_activity"]
    return names


def point_draws(config: HazardConfig, clock: Sequence[float] | float, b_summit: float = 0.0,
                domain: dict[str, float] | None = None, kind: dict[str, float] | None = None,
                type_score: dict[str, float] | None = None, b_tone: float = 0.0, b_activity: float = 0.0) -> dict:
    """One-draw parameters (for the closed-form oracle and what-if analysis)."""
    clock_by_bucket = np.broadcast_to(np.asarray(clock, float), (len(BUCKETS),))
    scores = TYPE_SIGN.copy()
    for name, value in (type_score or {}).items():
        scores[TYPES.index(name)] = value
    return {
        "clock": clock_by_bucket[None, :].copy(),
        "b_summit": np.array([b_summit]),
        "domain_effect": np.array([[(domain or {}).get(d, 0.0) for d in DOMAINS]]),
        "kind_effect": np.array([[(kind or {}).get(k, 0.0) for k in DEADLINE_KINDS]]),
        "type_score": scores[None, :],
        "b_tone": np.array([b_tone]),
        "b_activity": np.array([b_activity]),
    }


def logit(p: float) -> float:
    return math.log(p / (1 - p))
