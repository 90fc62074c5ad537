"""`negotiate update`: the scenario's ledger through a deal model, with a stored fit when there is one.

The headline is P(deal by the deadline) from the model alone (the path the backtest scores), or,
when the scenario gives a prior, that P combined with the strategist's prior by adding pseudo-counts:
the model's P with its posterior spread reads as a Beta with ``n_model`` pseudo-observations
(``n = m (1 - m) / v - 1`` for mean m and variance v over posterior draws), the strategist's prior as
``strength`` pseudo-observations at ``deal_probability``, and the combination is their weighted mean
``(m n_model + p0 strength) / (n_model + strength)``. Both numbers are shown side by side.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from negotiate.dates import parse_date
from negotiate.errors import NegotiateError
from negotiate.evidence.catalogue import catalogue_for
from negotiate.evidence.forecast import DealForecast, Diagnostics, PriorInfo, UpdateResult, WhatIf
from negotiate.evidence.ledger import Event, read_ledger, sorted_events
from negotiate.evidence.reference import DEFAULT_REFERENCE, load_reference
from negotiate.scenario.ledger_file import existing_ledger
from negotiate.scenario.schema import Scenario, load_scenario

from .deal import Fit, SamplerConfig, diagnostics_ok, fit_key
from .hazard import Case
from .predict import beta_interval, prior_logit_sd
from .predict import forecast as forecast_v1
from .variants import DEFAULT_MODEL, Variant, variant

# Priors from the game are kept off 0 and 1, where the log-odds are infinite.
GAME_PRIOR_CLIP = (0.02, 0.98)
# The model's pseudo-count is kept in this range: one draw, or a point fit, has no spread.
MODEL_STRENGTH_RANGE = (1.0, 1000.0)


def default_fit_dir() -> Path:
    """Where fits are kept: $NEGOTIATE_FITS, else the user's cache directory."""
    if os.environ.get("NEGOTIATE_FITS"):
        return Path(os.environ["NEGOTIATE_FITS"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "negotiate" / "fits"


@dataclass
class FitInfo:
    fit: Fit
    path: Path
    reused: bool


def fitted(reference: Path | None = None, fit_dir: Path | None = None, refit: bool = False,
           model: str = DEFAULT_MODEL, sampler: SamplerConfig | None = None, notify=None) -> FitInfo:
    """The stored fit of ``model`` on this reference class, fitting (and storing) it if needed."""
    reference = Path(reference or DEFAULT_REFERENCE)
    if not (reference / "episodes.csv").exists():
        raise NegotiateError(f"{reference}: no episodes.csv; expected a reference directory with episodes.csv and events.csv")
    chosen, sampler = variant(model), sampler or SamplerConfig()
    fit_dir = Path(fit_dir or default_fit_dir())
    if fit_dir.exists() and not fit_dir.is_dir():  # found before a fit of minutes, not after
        raise NegotiateError(f"{fit_dir}: not a directory; expected the directory where fits are stored "
                             "($NEGOTIATE_FITS or the fits option)")
    key = fit_key(reference, chosen.config_dict(), sampler)
    path = fit_dir / f"{key}.npz"
    if (path.exists() or path.is_symlink()) and not refit:
        return FitInfo(Fit.load(path, expected=chosen.draw_shapes()), path, True)
    episodes = load_reference(reference)
    if notify:
        left_out = chosen.left_out(episodes)
        notify(f"Fitting the deal model {model!r} on {len(episodes) - len(left_out)} of {len(episodes)} reference "
               f"episodes (stored for reuse as {path.name})..." if left_out else
               f"Fitting the deal model {model!r} on {len(episodes)} reference episodes (stored for reuse as {path.name})...")
        for ident, reason in left_out:
            notify(f"  left out {ident}: {reason}")
    # PyMC's progress display writes to stdout, which belongs to the result (--json): send it to stderr
    with contextlib.redirect_stdout(sys.stderr):
        result = chosen.fit(episodes, sampler, key=key, progress=bool(notify) and sys.stderr.isatty())
    return FitInfo(result, result.save(fit_dir), False)


def scenario_prior(scenario: Scenario, seed: int | None) -> dict:
    """The strategist's prior P(deal) and its weight, from the scenario or from the game; none if not given."""
    prior = scenario.prior
    if prior is None:
        return {"source": "reference", "deal_probability": None, "strength": None, "logit_sd": 0.0}
    p0 = prior.deal_probability
    info = {}
    if prior.source == "game":
        from negotiate.game.montecarlo import monte_carlo
        from negotiate.game.posture import PostureGame

        mc = monte_carlo(PostureGame(scenario), 2000, seed)
        p0 = min(max(mc["p_zopa_nonempty"], GAME_PRIOR_CLIP[0]), GAME_PRIOR_CLIP[1])
        info = {"p_zopa_nonempty": mc["p_zopa_nonempty"], "game_draws": 2000}
    assert p0 is not None  # the schema requires it for a strategist's prior
    return {"source": prior.source, "deal_probability": p0, "strength": prior.strength,
            "logit_sd": prior_logit_sd(p0, prior.strength)} | info


def combine_with_prior(p_draws: np.ndarray, p0: float, strength: float) -> tuple[float, float]:
    """The model's P pooled with a prior of ``strength`` pseudo-observations at ``p0``; and the model's pseudo-count."""
    m, v = float(p_draws.mean()), float(p_draws.var())
    n_model = m * (1 - m) / v - 1 if v > 0 else MODEL_STRENGTH_RANGE[1]
    n_model = float(np.clip(n_model, *MODEL_STRENGTH_RANGE))
    return (m * n_model + p0 * strength) / (n_model + strength), n_model


def scenario_case(scenario: Scenario, events: list[Event]) -> Case:
    setting = scenario.setting
    start = min([e.date for e in events] + [scenario.as_of])
    return Case(start, scenario.deadline, tuple(events), setting.domain, setting.deadline_kind, setting.summit_at_deadline)


def _interval(draws: np.ndarray) -> list[float]:
    return [float(q) for q in np.quantile(draws, [0.05, 0.95])]


def hazard_forecast(chosen: Variant, fit: Fit, scenario: Scenario, events: list[Event], as_of: dt.date) -> dict:
    """P(deal) from a hazard variant: now, its path after each day's events, what moved it, what would move it."""
    catalogue = catalogue_for(scenario)
    case = scenario_case(scenario, events)
    used = [e for e in events if e.date <= as_of]

    def p(c: Case, day: dt.date) -> float:
        return float(chosen.p_draws(fit, c, day, catalogue).mean())

    draws = chosen.p_draws(fit, case, as_of, catalogue)
    silent = dataclasses.replace(case, events=())
    p_prior = p(silent, min(case.start, as_of))
    path, previous = [], p_prior
    for day in sorted({e.date for e in used}):
        now = chosen.p_draws(fit, case, day, catalogue)
        group = [e for e in used if e.date == day]
        path.append({"date": day.isoformat(), "event": "; ".join(e.description for e in group),
                     "types": [e.type for e in group], "p_deal": float(now.mean()), "interval": _interval(now),
                     "change": float(now.mean()) - previous})
        previous = float(now.mean())
    p_now = float(draws.mean())
    contributions: list[dict] = []
    for k, e in enumerate(used):
        without = dataclasses.replace(case, events=tuple(x for j, x in enumerate(used) if j != k))
        contributions.append({"date": e.date.isoformat(), "actor": e.actor, "target": e.target, "type": e.type,
                              "description": e.description, "source": e.source, "logodds": None,
                              "p_change": p_now - p(without, as_of)})
    contributions.sort(key=lambda c: -abs(c["p_change"]))
    tomorrow = as_of + dt.timedelta(days=1)
    a, b = scenario.party_ids
    base_case = dataclasses.replace(case, events=tuple(used))
    p_tomorrow = p(base_case, tomorrow) if tomorrow < scenario.deadline else 0.0
    moves: list[dict] = []
    if tomorrow < scenario.deadline:
        for name in catalogue.names():
            extra = Event(tomorrow, a, b, name, "(hypothetical)", "(what-if)", 1.0)
            moved = p(dataclasses.replace(base_case, events=base_case.events + (extra,)), tomorrow)
            moves.append({"type": name, "direction": catalogue.types[name].direction, "p_deal": moved,
                          "change": moved - p_tomorrow})
        moves.sort(key=lambda m: -m["change"])
    return {"draws": draws, "p_model": p_now, "interval": _interval(draws), "p_prior_alone": p_prior, "path": path,
            "contributions": contributions, "p_tomorrow_without_events": p_tomorrow, "what_would_move": moves,
            "events_used": len(used), "events_ignored_after_as_of": len(events) - len(used)}


def what_if(chosen: Variant, fit: Fit, scenario: Scenario, events: list[Event], as_of: dt.date,
            hypothetical: list[Event]) -> WhatIf:
    """P(deal) as if ``hypothetical`` events had happened, beside P without them, both as of the last of them.

    The clock runs to that day in both, so the difference is the events' own effect.
    """
    catalogue = catalogue_for(scenario)
    day = max([as_of] + [e.date for e in hypothetical])
    case = scenario_case(scenario, [e for e in events if e.date <= as_of])
    with_them = dataclasses.replace(case, events=tuple(sorted(case.events + tuple(hypothetical), key=lambda e: e.date)))
    without = float(chosen.p_draws(fit, case, day, catalogue).mean())
    with_ = float(chosen.p_draws(fit, with_them, day, catalogue).mean())
    return {"as_of": day.isoformat(), "events": [e.to_dict() for e in hypothetical], "p_without": without,
            "p_with": with_, "change": with_ - without}


def update(scenario: Scenario, as_of: dt.date | None = None, reference: Path | None = None,
           fit_dir: Path | None = None, refit: bool = False, seed: int = 0, notify=None,
           model: str = DEFAULT_MODEL, hypothetical: list[Event] | None = None) -> UpdateResult:
    """P(deal by the deadline) for a scenario as of a date, with path, contributions, diagnostics.

    ``hypothetical`` events (never written anywhere) add a ``what_if`` entry: P as if they had
    happened, beside P without them. Returns the dict printed by ``negotiate update --json``
    (keys documented in the README).
    """
    as_of = as_of or scenario.as_of
    chosen = variant(model)
    path = existing_ledger(scenario)  # a ledger named but missing is an error, not "0 events"
    events = sorted_events(read_ledger(path, scenario)) if path else []
    info = fitted(reference, fit_dir, refit, model=model, notify=notify)
    prior = scenario_prior(scenario, seed)
    if chosen.is_hazard:
        result = hazard_forecast(chosen, info.fit, scenario, events, as_of)
        draws = result.pop("draws")
        p_model = result["p_model"]
        if prior["deal_probability"] is not None:
            p_with, n_model = combine_with_prior(draws, prior["deal_probability"], prior["strength"])
            prior["interval"] = beta_interval(prior["deal_probability"], prior["strength"])
            prior["model_strength"] = n_model
        else:
            p_with = None
            prior["interval"] = [result["p_prior_alone"]] * 2
        prior["mean"] = prior["deal_probability"] if prior["deal_probability"] is not None else result["p_prior_alone"]
    else:  # v1: the strategist's prior replaces the learned intercept, as in 0.1
        result = forecast_v1(info.fit, events, as_of, prior["deal_probability"], prior["strength"],
                          catalogue_for(scenario), seed=seed)
        prior["mean"] = result.pop("prior_mean")
        prior["interval"] = result.pop("prior_interval")
        p_with = result["p_deal"] if prior["deal_probability"] is not None else None
        p_model = p_with if p_with is None else forecast_v1(info.fit, events, as_of, None, None, catalogue_for(scenario),
                                                         seed=seed)["p_deal"]
        p_model = result["p_deal"] if p_model is None else p_model
        result |= {"p_prior_alone": prior["mean"], "p_tomorrow_without_events": None, "what_would_move": []}
    failures = diagnostics_ok(info.fit.diagnostics)
    result_out: UpdateResult = {
        "scenario": {"id": scenario.id, "question": scenario.question, "deadline": scenario.deadline.isoformat(),
                     "as_of": as_of.isoformat(), "ledger": str(path) if path else None},
        "model": model,
        "p_deal": p_with if p_with is not None else p_model,
        "p_model": p_model,
        "p_with_prior": p_with,
        "interval": result["interval"],
        "days_left": (scenario.deadline - as_of).days,
        "p_tomorrow_without_events": result["p_tomorrow_without_events"],
        "what_would_move": result["what_would_move"],
        "path": result["path"],
        "contributions": result["contributions"],
        "events_used": result["events_used"],
        "events_ignored_after_as_of": result["events_ignored_after_as_of"],
        "prior": cast(PriorInfo, prior),
        "diagnostics": cast(Diagnostics, info.fit.diagnostics | {"ok": not failures, "failures": failures}),
        "fit": {"key": info.fit.key, "reused": info.reused, "path": str(info.path), "draws": info.fit.size,
                "episodes": info.fit.meta.get("episodes"), "seconds": info.fit.meta.get("seconds")},
        "seed": seed,
    }
    if hypothetical:
        result_out["what_if"] = what_if(chosen, info.fit, scenario, events, as_of, hypothetical)
    return result_out


def forecast(scenario: Scenario | str | Path, as_of: dt.date | str | None = None, *, model: str = DEFAULT_MODEL,
             reference: Path | None = None, fit_dir: Path | None = None, refit: bool = False,
             hypothetical: list[Event] | None = None, seed: int = 0) -> DealForecast:
    """P(deal by the deadline) for a scenario, as an object for notebooks and scripts.

    The same computation as ``negotiate update`` (which also records the forecast; this does not).

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario, or the path of a scenario file.
    as_of : date or ISO date text, optional
        The day of the forecast; the scenario's ``as_of`` when omitted.
    model : str
        A deal model's name (``hazard``, ``hazard-domain``, ``hazard-clock`` or ``v1``).
    reference, fit_dir, refit, hypothetical, seed
        As in ``update``.

    Returns
    -------
    DealForecast
        ``p_deal`` and the rest of ``update``'s result; ``to_dict()``, ``to_frame()`` (the path)
        and an HTML summary in notebooks.

    Examples
    --------
    >>> import negotiate
    >>> f = negotiate.forecast("scenarios/us-china-kl-2025.yaml")  # doctest: +SKIP
    >>> round(f.p_deal, 2)  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    try:
        day = None if as_of is None else parse_date(as_of)
    except ValueError as exc:
        raise NegotiateError(f"as_of: {exc}") from None
    return DealForecast(update(scenario, day, reference=reference, fit_dir=fit_dir, refit=refit, seed=seed,
                               model=model, hypothetical=hypothetical))
