"""The deal-model variants, by name: what `--model NAME` selects, fits and predicts.

- ``v1``: log-odds = intercept + decayed typed event effects (0.1's model; no clock).
- ``hazard-clock``: the discrete-time hazard with the clock only (days left to the deadline).
- ``hazard``: the clock plus the setting (summit at the deadline, deadline kind) and the tone and
  activity of recent events. The default: it won the leave-one-cluster-out backtest
  (docs/forecast.md, "How good is P(deal)").
- ``hazard-domain``: ``hazard`` plus an effect of each domain, without the tempering of
  overlapping landmarks (the default of this round's first half); kept to show what the domain
  effects cost out of sample.

Each variant fits a ``negotiate.models.deal.Fit`` on reference episodes and gives, per posterior draw,
P(deal by the deadline) of a case as of a date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from negotiate.errors import NegotiateError
from negotiate.evidence.catalogue import Catalogue

from .deal import Fit, ModelConfig, SamplerConfig, _package_versions, diagnostics, flat_draws, point_fit
from .deal import fit as fit_v1
from .hazard import Case, HazardConfig, fit_hazard, p_deal_by_deadline, parameter_names, point_draws
from .predict import EffectDraws, sigmoid


@dataclass(frozen=True)
class Variant:
    """One named model: its configuration, how to fit it and how to predict from a fit."""

    name: str
    config: Any  # ModelConfig (v1) or HazardConfig
    summary: str

    def config_dict(self) -> dict:
        return {"name": self.name, "config": dataclasses.asdict(self.config)}

    def fit(self, episodes, sampler: SamplerConfig, key: str = "unkeyed", progress: bool = False,
            cores: int | None = None) -> Fit:
        """Sample the posterior on reference ``episodes``."""
        if isinstance(self.config, ModelConfig):
            result = fit_v1(episodes, self.config, sampler, key=key, progress=progress, cores=cores)
            result.meta["name"] = self.name
            return result
        start = time.perf_counter()
        idata, rows, deals = fit_hazard(episodes, self.config, sampler, progress=progress, cores=cores)
        seconds = time.perf_counter() - start
        names = parameter_names(self.config)
        draws, stats = flat_draws(idata, names)
        return Fit(draws, diagnostics(idata, names), key,
                   {"seconds": seconds, "episodes": len(episodes) - len(self.left_out(episodes)), "rows": rows, "deals": deals,
                    "name": self.name, "model": self.config_dict(), "sampler": dataclasses.asdict(sampler),
                    "versions": _package_versions(), "chains": sampler.chains}, stats)

    def left_out(self, episodes) -> list[tuple[str, str]]:
        """The episodes a fit cannot use, each with the reason: no forecast day between its start and the
        day its outcome was known (v1 forecasts at fixed horizons before the deadline, the hazard models
        at landmarks; both stop on the day of a deal and the hazard models also at the deadline)."""
        v1 = isinstance(self.config, ModelConfig)
        days = self.config.horizons if v1 else self.config.landmarks
        out = []
        for ep in episodes:
            last = ep.resolved_on if v1 or ep.outcome == 1 else ep.deadline
            if not any(ep.start <= ep.deadline - dt.timedelta(days=d) < last for d in days):
                out.append((ep.id, f"its record runs {ep.start} to {last}, which holds none of the forecast days "
                                   f"({', '.join(map(str, sorted(days, reverse=True)))} days before its deadline {ep.deadline})"))
        return out

    def p_draws(self, fit: Fit, case: Case, as_of: dt.date, catalogue: Catalogue | None = None) -> np.ndarray:
        """P(deal by the deadline | no deal by ``as_of``), one value per posterior draw."""
        if isinstance(self.config, ModelConfig):
            effects = EffectDraws(fit, catalogue or Catalogue(), np.random.default_rng(0))
            eta = fit.draws["alpha"] + sum((effects.contribution(e, as_of) for e in case.events if e.date <= as_of),
                                           np.zeros(fit.size))
            return sigmoid(eta) if as_of < case.deadline else np.zeros(fit.size)
        return p_deal_by_deadline(fit.draws, self.config, case, as_of, catalogue)

    def draw_shapes(self) -> dict[str, tuple[int, ...]]:
        """The parameters a fit of this variant must hold, each with the shape of one draw."""
        if isinstance(self.config, ModelConfig):
            draws = point_fit({}, 14.0).draws
            names: tuple[str, ...] = ("alpha", "beta", "mu", "tau", "half_life")
        else:
            draws, names = point_draws(self.config, 0.0), tuple(parameter_names(self.config))
        return {name: draws[name].shape[1:] for name in names}

    @property
    def is_hazard(self) -> bool:
        return isinstance(self.config, HazardConfig)


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("v1", ModelConfig(), "0.1's model: intercept plus decayed event effects, no clock"),
        Variant("hazard-clock", HazardConfig(name="hazard-clock", events=False, attributes=False),
                "daily hazard of a deal by days left to the deadline"),
        Variant("hazard", HazardConfig(), "daily hazard: clock, setting, tone and activity of recent events"),
        Variant("hazard-domain", HazardConfig(name="hazard-domain", domains=True, temper=False),
                "hazard plus an effect of each domain"),
    )
}
DEFAULT_MODEL = "hazard"


def variant(name: str) -> Variant:
    """The variant called ``name``."""
    try:
        return VARIANTS[name]
    except KeyError:
        raise NegotiateError(f"unknown model {name!r}; expected one of: {', '.join(VARIANTS)}") from None
