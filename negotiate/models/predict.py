"""P(deal) for a scenario from stored posterior draws: numpy only, no PyMC import."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass

import numpy as np

from negotiate.evidence.catalogue import Catalogue
from negotiate.evidence.ledger import Event

from .deal import DIRECTIONS, TYPES, Fit


def trigamma(x: float) -> float:
    """psi'(x) for x > 0: recurrence up to 10, then the asymptotic series (error below 1e-12)."""
    acc = 0.0
    while x < 10.0:
        acc += 1.0 / (x * x)
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    return acc + inv + inv2 / 2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 / 30)))


def prior_logit_sd(p0: float, strength: float) -> float:
    """Sd of logit(p) when p ~ Beta(p0 * strength, (1 - p0) * strength): the prior's spread."""
    return math.sqrt(trigamma(p0 * strength) + trigamma((1 - p0) * strength))


def beta_interval(p0: float, strength: float, draws: int = 20_000) -> list[float]:
    """5% and 95% quantiles of Beta(p0 * strength, (1 - p0) * strength), by seeded simulation (no scipy)."""
    sample = np.random.default_rng(0).beta(p0 * strength, (1 - p0) * strength, draws)
    return [float(q) for q in np.quantile(sample, [0.05, 0.95])]


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))  # stable for large |x|


@dataclass
class Prediction:
    p: float
    interval: tuple[float, float]
    draws: np.ndarray


class EffectDraws:
    """Per-draw event effects for every type a scenario may use (custom types from the hierarchy)."""

    def __init__(self, fit: Fit, catalogue: Catalogue, rng: np.random.Generator):
        self.fit = fit
        self.beta = {name: fit.draws["beta"][:, k] for k, name in enumerate(TYPES)}
        for name, t in catalogue.types.items():
            if name not in self.beta:  # a scenario's own type: an unseen member of its direction
                d = DIRECTIONS.index(t.direction)
                self.beta[name] = fit.draws["mu"][:, d] + fit.draws["tau"] * rng.standard_normal(fit.size)
        self.half_life = fit.draws["half_life"]

    def contribution(self, event: Event, as_of: dt.date) -> np.ndarray:
        """Log-odds contribution of one event at ``as_of``, one value per draw (0 before it happens)."""
        age = (as_of - event.date).days
        if age < 0:
            return np.zeros(self.fit.size)
        return event.weight * self.beta[event.type] * np.exp2(-age / self.half_life)


def base_logodds(fit: Fit, p0: float | None, strength: float | None, rng: np.random.Generator) -> np.ndarray:
    """Per-draw starting log-odds.

    With ``p0`` and a ``strength``, ``logit(p)`` for p ~ Beta(p0 * strength, (1 - p0) * strength):
    the strategist's P(deal) on average, as uncertain as ``strength`` pseudo-observations make it
    (its log-odds spread is ``prior_logit_sd``). Without ``strength``, ``logit(p0)`` exactly;
    without ``p0``, the reference class's intercept.
    """
    n = fit.size
    if p0 is None:
        return fit.draws["alpha"].copy()
    if not strength:
        return np.full(n, logit(p0))
    p = np.clip(rng.beta(p0 * strength, (1 - p0) * strength, n), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def summarise_draws(p_draws: np.ndarray) -> Prediction:
    lo, hi = np.quantile(p_draws, [0.05, 0.95])
    return Prediction(float(p_draws.mean()), (float(lo), float(hi)), p_draws)


def forecast(fit: Fit, events: list[Event], as_of: dt.date, p0: float | None, strength: float | None,
             catalogue: Catalogue, seed: int = 0) -> dict:
    """P(deal) as of ``as_of``, its path after each event, and each event's contribution.

    Parameters
    ----------
    fit : Fit
        Posterior draws (or a ``negotiate.models.deal.point_fit``).
    events : list of Event
        The ledger in date order; events after ``as_of`` are ignored.
    as_of : date
    p0 : float or None
        The strategist's prior P(deal); None uses the reference intercept.
    strength : float or None
        Weight of the prior in pseudo-observations (None: a point prior at ``p0``).
    catalogue : Catalogue
        Types the ledger may use.
    seed : int
        Seed for the prior's spread and custom types: same seed, same numbers.
    """
    rng = np.random.default_rng(seed)
    effects = EffectDraws(fit, catalogue, rng)
    base = base_logodds(fit, p0, strength, rng)
    used = [e for e in events if e.date <= as_of]
    prior = summarise_draws(sigmoid(base))

    # One point per day, after all of that day's events. Decay is exponential, so the running sum
    # of contributions carries from one day to the next by one factor: linear, not quadratic, in
    # the number of events.
    path = []
    previous = prior.p
    running = np.zeros(fit.size)
    last_day = None
    for day, same_day in itertools.groupby(used, key=lambda x: x.date):
        group = list(same_day)
        if last_day is not None:
            running = running * np.exp2(-(day - last_day).days / effects.half_life)
        running = running + sum((effects.contribution(x, day) for x in group), np.zeros(fit.size))
        last_day = day
        now = summarise_draws(sigmoid(base + running))
        path.append({"date": day.isoformat(), "event": "; ".join(x.description for x in group),
                     "types": [x.type for x in group], "p_deal": now.p, "interval": list(now.interval),
                     "change": now.p - previous})
        previous = now.p

    parts = [effects.contribution(e, as_of) for e in used]
    eta = base + sum(parts, np.zeros(fit.size))
    final = summarise_draws(sigmoid(eta))
    contributions: list[dict] = []
    for e, part in zip(used, parts):
        without = float(sigmoid(eta - part).mean())
        contributions.append({"date": e.date.isoformat(), "actor": e.actor, "target": e.target, "type": e.type,
                              "description": e.description, "source": e.source, "logodds": float(part.mean()),
                              "p_change": final.p - without})
    contributions.sort(key=lambda c: -abs(c["p_change"]))
    return {"p_deal": final.p, "interval": list(final.interval), "prior_mean": prior.p,
            "prior_interval": list(prior.interval), "path": path, "contributions": contributions,
            "events_used": len(used), "events_ignored_after_as_of": len(events) - len(used)}
