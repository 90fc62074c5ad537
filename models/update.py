"""`negotiate update`: the scenario's ledger through the deal model, with a stored fit when there is one."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from negotiate.errors import NegotiateError
from negotiate.evidence.catalogue import catalogue_for
from negotiate.evidence.ledger import read_ledger, sorted_events
from negotiate.evidence.reference import DEFAULT_REFERENCE, load_reference
from negotiate.scenario.schema import Scenario

from .deal import Fit, ModelConfig, SamplerConfig, diagnostics_ok, fit, fit_key
from .predict import forecast, prior_logit_sd

# Priors from the game are kept off 0 and 1, where the log-odds are infinite.
GAME_PRIOR_CLIP = (0.02, 0.98)


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
           model: ModelConfig | None = None, sampler: SamplerConfig | None = None, notify=None) -> FitInfo:
    """The stored fit for this reference class and configuration, fitting (and storing) it if needed."""
    reference = Path(reference or DEFAULT_REFERENCE)
    if not (reference / "episodes.csv").exists():
        raise NegotiateError(f"{reference}: no episodes.csv; expected a reference directory with episodes.csv and events.csv")
    model, sampler = model or ModelConfig(), sampler or SamplerConfig()
    fit_dir = Path(fit_dir or default_fit_dir())
    key = fit_key(reference, model, sampler)
    path = fit_dir / f"{key}.npz"
    if path.exists() and not refit:
        return FitInfo(Fit.load(path), path, True)
    episodes = load_reference(reference)
    if notify:
        notify(f"Fitting the deal model on {len(episodes)} reference episodes (stored for reuse as {path.name})...")
    result = fit(episodes, model, sampler, key=key, progress=bool(notify) and os.isatty(2))
    return FitInfo(result, result.save(fit_dir), False)


def scenario_prior(scenario: Scenario, seed: int | None) -> dict:
    """The prior P(deal) and its spread: the strategist's, the game's, or the reference base rate."""
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
    return {"source": prior.source, "deal_probability": p0, "strength": prior.strength,
            "logit_sd": prior_logit_sd(p0, prior.strength)} | info


def update(scenario: Scenario, as_of: dt.date | None = None, reference: Path | None = None,
           fit_dir: Path | None = None, refit: bool = False, seed: int = 0, notify=None) -> dict:
    """P(deal by the deadline) for a scenario as of a date, with path, contributions, diagnostics.

    Returns the dict printed by ``negotiate update --json`` (keys documented in the README).
    """
    as_of = as_of or scenario.as_of
    path = scenario.evidence_path()
    events = sorted_events(read_ledger(path, scenario)) if path else []
    info = fitted(reference, fit_dir, refit, notify=notify)
    prior = scenario_prior(scenario, seed)
    result = forecast(info.fit, events, as_of, prior["deal_probability"], prior["strength"],
                      catalogue_for(scenario), seed=seed)
    prior["mean"] = result.pop("prior_mean")
    prior["interval"] = result.pop("prior_interval")
    failures = diagnostics_ok(info.fit.diagnostics)
    return {
        "scenario": {"id": scenario.id, "question": scenario.question, "deadline": scenario.deadline.isoformat(),
                     "as_of": as_of.isoformat(), "ledger": str(path) if path else None},
        "p_deal": result["p_deal"],
        "interval": result["interval"],
        "path": result["path"],
        "contributions": result["contributions"],
        "events_used": result["events_used"],
        "events_ignored_after_as_of": result["events_ignored_after_as_of"],
        "prior": prior,
        "diagnostics": info.fit.diagnostics | {"ok": not failures, "failures": failures},
        "fit": {"key": info.fit.key, "reused": info.reused, "path": str(info.path), "draws": info.fit.size,
                "episodes": info.fit.meta.get("episodes"), "seconds": info.fit.meta.get("seconds")},
        "seed": seed,
    }
