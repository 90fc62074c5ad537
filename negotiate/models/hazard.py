"""Deal model v2: a discrete-time hazard of a deal, day by day up to the deadline, by landmarks.

A negotiation is open on day d if no deal was announced before d. Given what is known at the end
of day t (the landmark) and no deal by then, a deal comes on a later day d with probability
``h_d = sigmoid(eta_d)``, where

    eta_d = clock[bucket(days left on d)]                              the clock
          + b_summit * summit_at_deadline * [days left on d <= 1]      a leaders' meeting at the deadline
          + kind_effect[deadline kind]                                  shrunk towards 0
          (+ domain_effect[domain], shrunk towards 0, in the ``hazard-domain`` variant only)
          + b_tone * tone_t + b_activity * log(1 + A_t)                the news as of the landmark t

    S_tk   = sum of weight * 2 ** (-(t - date) / half_life) over events of type k dated <= t
    A_t    = sum_k S_tk                       how much has been happening
    tone_t = sum_k S_tk s_k / (1 + A_t)       the recent balance of news, whatever the reporting density

``s_k ~ Normal(direction_k, type_sd)`` pools each event type's score around its direction (+1
cooperative, -1 conflictual).

P(deal by the deadline | open after day t) = 1 - prod over d = t+1 .. deadline of (1 - h_d).

Why landmarks: the news is known only up to t, while the days it must forecast lie ahead, when
more news will come. A hazard trained on each day's own news and projected forward with the news
decaying under-forecasts systematically (measured: a leave-one-cluster-out Brier of 0.287 at 30 days
against a base rate of 0.249). Landmarking (van Houwelingen, Scand. J. Statist. 34, 2007) fits the
hazard of the days after each landmark on the news as of the landmark, which is exactly how it is
used. Training: every reference episode at the landmarks ``config.landmarks`` days before its
deadline (those before its resolution); the open days after each landmark, grouped by clock bucket,
are binomial counts (days, deals) — the exact likelihood of the daily Bernoulli rows, aggregated.
The likelihood is an observed PyMC Binomial, so pointwise log-likelihood exists for ``arviz.loo``.

Fitting imports PyMC lazily; prediction from stored draws is numpy only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from negotiate.errors import NegotiateError
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
    events: bool = True  # tone and activity of the news as of the landmark
    attributes: bool = True  # summit at the deadline, deadline kind
    # Off by default: in the leave-one-cluster-out backtest, domain effects made the forecasts 30 to 3
    # days out worse (a domain's rate is mostly its few large clusters' rate, which does not carry over).
    domains: bool = False
    # Landmarks of one episode overlap (a day 5 days before the deadline is in the rows of the 90, 60,
    # 30, 14 and 7-day landmarks), so the stacked likelihood counts each open day several times and the
    # posterior is too narrow. Tempering it by (distinct open days / stacked open days) counts each
    # day once on average.
    temper: bool = True
    half_life: float = 7.0  # days; fixed (the reference class cannot identify it, see the README)
    landmarks: tuple[int, ...] = (90, 60, 30, 14, 7, 3, 1)  # days before the deadline
    clock_mean: float = -4.0  # baseline daily log-odds of a deal, a priori
    clock_sd: float = 2.0
    effect_sd: float = 1.0  # b_summit, b_tone
    activity_sd: float = 0.5
    # Fixed scales of partial pooling: with 136 episodes (the class when this was measured) a learned
    # scale sat in a funnel and slowed sampling while its posterior stayed near its prior; a fixed one
    # shrinks the same way.
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
    """Design rows: one per (case, landmark, clock bucket) with open days in that bucket after the landmark."""

    bucket: np.ndarray  # (rows,) int
    days: np.ndarray  # (rows,) int: open days in the bucket (binomial trials)
    summit: np.ndarray  # (rows,) 1.0 where a leaders' meeting is on the deadline and the bucket is <= 1 day left
    domain: np.ndarray  # (rows,) int
    kind: np.ndarray  # (rows,) int
    S: np.ndarray  # (rows, types + 2) decayed weighted event counts by type, as of the landmark


def _column(name: str, catalogue: Catalogue | None) -> int | None:
    """Column of an event type in the design: its own, or its direction's for a scenario's own type."""
    if name in TYPES:
        return TYPES.index(name)
    if catalogue is not None and name in catalogue:
        return len(TYPES) + (0 if catalogue.types[name].direction == "cooperative" else 1)
    return None


def news_as_of(events: Sequence[Event], t: dt.date, half_life: float, catalogue: Catalogue | None = None) -> np.ndarray:
    """Decayed weighted counts by type (types + 2 columns) of the events dated on or before ``t``.

    A scenario's own event types add to two extra columns (cooperative, conflictual) scored at +1
    and -1, their directions' expected scores; both are zero for the reference class.
    """
    S = np.zeros(len(TYPES) + 2)
    for e in events:
        age = (t - e.date).days
        col = _column(e.type, catalogue)
        if age >= 0 and col is not None:
            S[col] += e.weight * 2.0 ** (-age / half_life)
    return S


def rows_after(case: Case, t: dt.date, last: dt.date, half_life: float, catalogue: Catalogue | None = None) -> Rows:
    """The open days t+1 .. last of ``case``, grouped by clock bucket, with the news as of ``t``."""
    left = np.array([(case.deadline - (t + dt.timedelta(days=k))).days for k in range(1, (last - t).days + 1)])
    buckets, days = np.unique(bucket_of(np.maximum(left, 0)), return_counts=True)
    n = len(buckets)
    summit = np.where(buckets <= 1, float(case.summit_at_deadline), 0.0)  # buckets 0 and 1: <= 1 day left
    domain = np.full(n, DOMAINS.index(case.domain) if case.domain in DOMAINS else DOMAINS.index("other"))
    kind = np.full(n, DEADLINE_KINDS.index(case.deadline_kind) if case.deadline_kind in DEADLINE_KINDS
                   else DEADLINE_KINDS.index("other"))
    S = np.tile(news_as_of(case.events, t, half_life, catalogue), (n, 1))
    return Rows(buckets, days, summit, domain, kind, S)


def _concat(parts: list[Rows]) -> Rows:
    return Rows(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in dataclasses.fields(Rows)))


def open_until(ep) -> dt.date:
    """The last day of an episode's training rows: the day of its deal, else its deadline."""
    return ep.resolved_on if ep.outcome == 1 else ep.deadline


def landmarks_of(ep, config: HazardConfig) -> list[dt.date]:
    """The episode's landmark days: on or after its start, and before its outcome was known."""
    days = (ep.deadline - dt.timedelta(days=landmark) for landmark in config.landmarks)
    return [t for t in days if ep.start <= t < open_until(ep)]


def training_rows(episodes, config: HazardConfig) -> tuple[Rows, np.ndarray, np.ndarray]:
    """Rows of every episode at every landmark before its resolution.

    Returns the rows, the number of deals in each (1 in the bucket of the day a deal was announced,
    else 0) and the index of the episode each row belongs to.
    """
    parts, ys, owner = [], [], []
    for i, ep in enumerate(episodes):
        case = case_of(ep)
        for t in landmarks_of(ep, config):
            rows = rows_after(case, t, open_until(ep), config.half_life)
            y = np.zeros(len(rows.bucket))
            if ep.outcome == 1:
                y[rows.bucket == bucket_of(np.array([(ep.deadline - ep.resolved_on).days]))[0]] = 1.0
            parts.append(rows)
            ys.append(y)
            owner.append(np.full(len(y), i))
    if not parts:
        raise NegotiateError("the reference class gives no landmarks before its resolutions; check its dates")
    return _concat(parts), np.concatenate(ys), np.concatenate(owner)


def overlap_weight(episodes, config: HazardConfig) -> float:
    """Distinct open days over stacked open days of the training rows (1 with a single landmark).

    Each episode's rows cover the days from each landmark to its resolution; together they cover
    the days from its first landmark on once, and the stacked rows count them once per landmark.
    """
    distinct = stacked = 0
    for ep in episodes:
        days = [(open_until(ep) - t).days for t in landmarks_of(ep, config)]
        distinct += max(days, default=0)
        stacked += sum(days)
    return distinct / stacked if stacked else 1.0


def case_of(ep) -> Case:
    """The Case of a reference episode (or anything with the same attributes)."""
    return Case(ep.start, ep.deadline, tuple(ep.events), ep.domain, ep.deadline_kind, ep.summit_at_deadline)


# ---------------------------------------------------------------- the linear predictor


def _eta(draws: dict[str, np.ndarray], rows: Rows, config: HazardConfig) -> np.ndarray:
    """Log-odds of the daily hazard, (draws, rows), from posterior draws (numpy)."""
    eta = draws["clock"][:, rows.bucket]
    if config.attributes:
        eta = eta + draws["b_summit"][:, None] * rows.summit[None, :]
        eta = eta + draws["kind_effect"][:, rows.kind]
        if config.domains:
            eta = eta + draws["domain_effect"][:, rows.domain]
    if config.events:
        size = len(draws["clock"])
        scores = np.concatenate([draws["type_score"], np.ones((size, 1)), -np.ones((size, 1))], axis=1)
        total = rows.S.sum(axis=1)
        tone = (scores @ rows.S.T) / (1.0 + total)[None, :]
        eta = eta + draws["b_tone"][:, None] * tone + draws["b_activity"][:, None] * np.log1p(total)[None, :]
    return eta


def pointwise_log_likelihood(draws: dict[str, np.ndarray], config: HazardConfig, episodes) -> tuple[np.ndarray, np.ndarray]:
    """log p(deals | parameters) of every training row, (draws, rows), and the observed deals.

    The same binomial likelihood as the fit's observed ``deal_days`` variable, from stored draws
    with numpy: what ``arviz.loo`` needs.
    """
    rows, y, _ = training_rows(episodes, config)
    eta = _eta(draws, rows, config)
    log_h, log_not = -np.logaddexp(0.0, -eta), -np.logaddexp(0.0, eta)
    return y * (np.log(rows.days) + log_h) + (rows.days - y) * log_not, y


def p_deal_by_deadline(draws: dict[str, np.ndarray], config: HazardConfig, case: Case, as_of: dt.date,
                       catalogue: Catalogue | None = None) -> np.ndarray:
    """P(deal by the deadline | no deal by the end of ``as_of``), one value per draw.

    The news is taken as of ``as_of`` (later events are ignored); on or after the deadline no day
    is left and the answer is 0.
    """
    if as_of >= case.deadline:
        return np.zeros(len(draws["clock"]))
    rows = rows_after(case, as_of, case.deadline, config.half_life, catalogue)
    eta = _eta(draws, rows, config)
    # log(1 - sigmoid(x)) = -softplus(x), stable for large |x|
    survive = -(np.logaddexp(0.0, eta) * rows.days[None, :]).sum(axis=1)
    return -np.expm1(survive)


def fit_hazard(episodes, config: HazardConfig, sampler, progress: bool = False, cores: int | None = None):
    """Sample the posterior with PyMC's NUTS; returns the sampled DataTree, the number of rows and of deals.

    The likelihood is ``pm.Binomial("deal_days", n=open days, logit_p=eta, observed=deals, dims="row")``;
    coords label the clock buckets, domains, deadline kinds and event types.
    """
    import os
    import threading

    from .compiledir import ensure_compiledir

    ensure_compiledir()  # before PyTensor is imported: it needs a writable compile directory
    import pymc as pm
    import pytensor.tensor as pt

    rows, y, _ = training_rows(episodes, config)
    coords = {"bucket": list(BUCKET_NAMES), "domain": list(DOMAINS), "deadline_kind": list(DEADLINE_KINDS),
              "event_type": list(TYPES), "row": np.arange(len(y))}
    with pm.Model(coords=coords) as model:
        bucket = pm.Data("bucket_index", rows.bucket, dims="row")
        clock = pm.Normal("clock", config.clock_mean, config.clock_sd, dims="bucket")
        eta = clock[bucket]
        if config.attributes:
            b_summit = pm.Normal("b_summit", 0.0, config.effect_sd)
            kind_effect = pm.Normal("kind_effect", 0.0, config.group_sd, dims="deadline_kind")
            eta = eta + b_summit * pm.Data("summit", rows.summit, dims="row")
            eta = eta + kind_effect[pm.Data("kind_index", rows.kind, dims="row")]
            if config.domains:
                domain_effect = pm.Normal("domain_effect", 0.0, config.group_sd, dims="domain")
                eta = eta + domain_effect[pm.Data("domain_index", rows.domain, dims="row")]
        if config.events:
            S = rows.S[:, : len(TYPES)]
            # every array is pm.Data, so that refits on other folds compile to the same (cached) graph
            total = pm.Data("activity_total", S.sum(axis=1), dims="row")
            type_score = pm.Normal("type_score", TYPE_SIGN, config.type_sd, dims="event_type")
            b_tone = pm.Normal("b_tone", 0.0, config.effect_sd)
            b_activity = pm.Normal("b_activity", 0.0, config.activity_sd)
            tone = pt.dot(pm.Data("S", S, dims=("row", "event_type")), type_score) / (1.0 + total)
            eta = eta + b_tone * tone + b_activity * pt.log1p(total)
        deals = pm.Data("deals_observed", y, dims="row")
        deal_days = pm.Binomial("deal_days", n=pm.Data("open_days", rows.days, dims="row"), logit_p=eta,
                                observed=deals, dims="row")
        if config.temper:
            # the observed variable stays whole (its pointwise log-likelihood is what arviz.loo reads);
            # this adds (w - 1) times it, so the posterior sees w times the stacked likelihood
            weight = pm.Data("overlap_weight", overlap_weight(episodes, config))
            pm.Potential("landmark_overlap", (weight - 1.0) * pm.logp(deal_days, deals).sum())
        idata = pm.sample(
            sampler.draws, tune=sampler.tune, chains=sampler.chains,
            cores=cores or min(sampler.chains, os.cpu_count() or 1), target_accept=sampler.target_accept,
            random_seed=sampler.seed, nuts_sampler="pymc", progressbar=progress, compute_convergence_checks=False,
            # forking a process that runs other threads can deadlock the child
            mp_ctx="forkserver" if threading.active_count() > 1 else None,
        )
    del model
    return idata, len(y), int(y.sum())


def parameter_names(config: HazardConfig) -> list[str]:
    names = ["clock"]
    if config.attributes:
        names += ["b_summit", "kind_effect"] + (["domain_effect"] if config.domains else [])
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
