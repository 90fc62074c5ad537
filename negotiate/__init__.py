"""negotiate: scenario, game solution, P(deal), evidence updating and scoring.

The public API, for notebooks and scripts (everything is imported on first use, so ``import negotiate``
costs nothing)::

    import negotiate
    scenario = negotiate.load_scenario("scenarios/us-china-kl-2025.yaml")
    analysis = negotiate.analyse(scenario)          # equilibria, zone of agreement, predicted terms
    analysis.to_frame()                             # every agreement, with gains and flags
    draws = negotiate.monte_carlo(negotiate.PostureGame(scenario), draws=2000, seed=7)
    f = negotiate.forecast(scenario)                # P(deal by the deadline); f.to_frame() is its path
    negotiate.plot_path(f.to_dict())                # figures take ax=None and return the figure

Rooms, from the top layer down (a layer may import only the layers below it; an import-linter
contract in pyproject.toml enforces this):

- ``cli``       the `negotiate` command (click); nothing else imports click.
- ``models``    the deal models (PyMC); nothing below imports PyMC.
- ``report``    renders results: the text of ``solve``, charts, the HTML/Markdown/JSON report.
- ``record``    the track record of forecasts (SQLite) and their scores.
- ``game``      the posture game, equilibria and their algorithms, bargaining, Monte Carlo.
- ``evidence``  the event catalogue, ledgers, importers, the reference class, forecast result types.
- ``scenario``  the scenario file: schema, loading, cross-checks, the starter template.
- shared helpers: ``errors``, ``fileio`` (locks, atomic writes), ``yamlsource``, ``versions``, ``dates``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_EXPORTS = {
    "load_scenario": "negotiate.scenario.schema",
    "Scenario": "negotiate.scenario.schema",
    "PostureGame": "negotiate.game.posture",
    "analyse": "negotiate.game.analysis",
    "Analysis": "negotiate.game.analysis",
    "monte_carlo": "negotiate.game.montecarlo",
    "sensitivity": "negotiate.game.sensitivity",
    "sweep": "negotiate.game.sweep",
    "read_ledger": "negotiate.evidence.ledger",
    "Event": "negotiate.evidence.ledger",
    "DealForecast": "negotiate.evidence.forecast",
    "forecast": "negotiate.models.update",
    "update": "negotiate.models.update",
    "backtest": "negotiate.models.backtest",
    "TrackRecord": "negotiate.record.track",
    "record_forecast": "negotiate.record.track",
    "score_track_record": "negotiate.record.scoring",
    "brier": "negotiate.record.scoring",
    "plot_path": "negotiate.report.plots",
    "plot_payoffs": "negotiate.report.plots",
    "plot_frontier": "negotiate.report.plots",
    "plot_reliability": "negotiate.report.plots",
    "tornado_chart": "negotiate.report.whatif_plots",
    "sweep_figure": "negotiate.report.whatif_plots",
    "NegotiateError": "negotiate.errors",
}

__all__ = [
    "__version__",
    "load_scenario",
    "Scenario",
    "PostureGame",
    "analyse",
    "Analysis",
    "monte_carlo",
    "sensitivity",
    "sweep",
    "read_ledger",
    "Event",
    "DealForecast",
    "forecast",
    "update",
    "backtest",
    "TrackRecord",
    "record_forecast",
    "score_track_record",
    "brier",
    "plot_path",
    "plot_payoffs",
    "plot_frontier",
    "plot_reliability",
    "tornado_chart",
    "sweep_figure",
    "NegotiateError",
]

if TYPE_CHECKING:
    from negotiate.errors import NegotiateError
    from negotiate.evidence.forecast import DealForecast
    from negotiate.evidence.ledger import Event, read_ledger
    from negotiate.game.analysis import Analysis, analyse
    from negotiate.game.montecarlo import monte_carlo
    from negotiate.game.posture import PostureGame
    from negotiate.game.sensitivity import sensitivity
    from negotiate.game.sweep import sweep
    from negotiate.models.backtest import backtest
    from negotiate.models.update import forecast, update
    from negotiate.record.scoring import brier, score_track_record
    from negotiate.record.track import TrackRecord, record_forecast
    from negotiate.report.plots import plot_frontier, plot_path, plot_payoffs, plot_reliability
    from negotiate.report.whatif_plots import sweep_figure, tornado_chart
    from negotiate.scenario.schema import Scenario, load_scenario

    __version__: str


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from negotiate.versions import package_versions

        return package_versions("negotiate")["negotiate"]
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'negotiate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
