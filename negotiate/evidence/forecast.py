"""Typed results of a forecast: what ``models`` returns for ``update`` and ``report`` and ``record`` read.

They are plain dicts at run time (``--json`` prints them as they are); the TypedDicts name their
keys for the type checker and for readers. The keys are documented in the README ("update --json").
"""

from __future__ import annotations

import copy
import html
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

if TYPE_CHECKING:
    import pandas as pd


class ScenarioInfo(TypedDict):
    id: str
    question: str
    deadline: str
    as_of: str
    ledger: str | None


class PathPoint(TypedDict):
    """The model's P(deal) after one day's events; ``interval`` is its 5-95% spread over parameter draws."""

    date: str
    event: str
    types: list[str]
    p_deal: float
    interval: list[float]
    change: float


class Contribution(TypedDict):
    """One event and how far it moves the model's P(deal) now (P with it minus P without it)."""

    date: str
    actor: str
    target: str
    type: str
    description: str
    source: str
    logodds: float | None  # v1: the event's share of the log-odds; None for the hazard models
    p_change: float


class PriorInfo(TypedDict):
    source: str  # "reference", "strategist" or "game"
    deal_probability: float | None
    strength: float | None  # the prior's weight in pseudo-observations
    logit_sd: float
    mean: float
    interval: list[float]
    model_strength: NotRequired[float]  # the model's pseudo-count when pooled with a prior (hazard models)
    p_zopa_nonempty: NotRequired[float]
    game_draws: NotRequired[int]


class WhatWouldMove(TypedDict):
    """The model's P(deal) tomorrow with one more event of ``type``, and its change against no news."""

    type: str
    direction: str  # "cooperative" or "conflictual"
    p_deal: float
    change: float


class WhatIf(TypedDict):
    """``update --event``: the model's P(deal) as if hypothetical events had happened, beside P without them."""

    as_of: str  # the day both are computed for: the later of the as-of date and the last hypothetical event
    events: list[dict]  # the hypothetical events (date, actor, target, type, description, source, weight)
    p_without: float
    p_with: float
    change: float


class Diagnostics(TypedDict):
    max_rhat: float
    min_ess_bulk: float
    divergences: int
    ok: bool
    failures: list[str]


class FitSummary(TypedDict):
    key: str
    reused: bool
    path: str
    draws: int
    episodes: int | None
    seconds: float | None


class PreviousForecast(TypedDict):
    p_deal: float
    made_at: str
    as_of: str


class RecordInfo(TypedDict):
    """Where a forecast was recorded in the track record, and the one before it."""

    id: int
    db: str
    previous: PreviousForecast | None


class UpdateResult(TypedDict):
    """``negotiate update --json``."""

    scenario: ScenarioInfo
    model: str  # the variant's name
    p_deal: float  # the headline: p_with_prior when given, else p_model
    p_model: float  # from the model alone (the path the backtest scores)
    p_with_prior: float | None  # pooled with the strategist's prior by pseudo-counts; None without a prior
    interval: list[float]  # 5-95% of the model's P over posterior parameter draws
    days_left: int
    p_tomorrow_without_events: float | None  # the model's P tomorrow with no news; None for v1
    what_would_move: list[WhatWouldMove]  # largest rise first; [] for v1
    path: list[PathPoint]
    contributions: list[Contribution]
    events_used: int
    events_ignored_after_as_of: int
    prior: PriorInfo
    diagnostics: Diagnostics
    fit: FitSummary
    seed: int
    # only with hypothetical events (update --event/--events)
    what_if: NotRequired[WhatIf]
    record: NotRequired[RecordInfo | None]


class DealForecast:
    """A forecast of P(deal by the deadline) for notebooks and scripts (what ``negotiate.forecast`` returns).

    Attributes mirror the keys of ``update --json`` that people read first; ``to_dict`` gives all of
    them, ``to_frame`` the path of P(deal) over the ledger's days, and a notebook shows a summary.
    """

    def __init__(self, result: UpdateResult):
        self._result = result

    @property
    def p_deal(self) -> float:
        """The headline P(deal): pooled with the scenario's prior when it has one, else the model's."""
        return self._result["p_deal"]

    @property
    def p_model(self) -> float:
        """P(deal) from the model alone (the number the backtest scores)."""
        return self._result["p_model"]

    @property
    def interval(self) -> tuple[float, float]:
        """5-95% of the model's P(deal) over posterior parameter draws (parameter uncertainty only)."""
        low, high = self._result["interval"]
        return low, high

    @property
    def model(self) -> str:
        return self._result["model"]

    @property
    def days_left(self) -> int:
        return self._result["days_left"]

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the result, keys as documented for ``update --json``."""
        return copy.deepcopy(dict(self._result))

    def to_frame(self) -> pd.DataFrame:
        """The path of the model's P(deal): one row a day with events (date, events, p_deal, low, high, change)."""
        import pandas as pd

        rows = [{"date": pd.Timestamp(p["date"]), "event": p["event"], "types": ", ".join(p["types"]),
                 "p_deal": p["p_deal"], "low": p["interval"][0], "high": p["interval"][1], "change": p["change"]}
                for p in self._result["path"]]
        return pd.DataFrame(rows, columns=["date", "event", "types", "p_deal", "low", "high", "change"])

    def __repr__(self) -> str:
        s = self._result["scenario"]
        return (f"<DealForecast {s['id']}: P(deal by {s['deadline']}) = {self.p_deal:.1%} "
                f"as of {s['as_of']}, model {self.model}>")

    def _repr_html_(self) -> str:
        r, s = self._result, self._result["scenario"]
        e = html.escape
        rows = [("P(deal)", f"{r['p_deal']:.1%}"),
                ("model alone", f"{r['p_model']:.1%} (5–95%: {r['interval'][0]:.1%}–{r['interval'][1]:.1%})")]
        if r["p_with_prior"] is not None:
            rows.append(("with the scenario's prior", f"{r['p_with_prior']:.1%}"))
        rows += [("days left", str(r["days_left"])), ("events used", str(r["events_used"])), ("model", r["model"])]
        body = "".join(f"<tr><th style='text-align:left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
        return (f"<div><strong>{e(s['question'])}</strong><br>as of {e(s['as_of'])}, deadline {e(s['deadline'])}"
                f"<table>{body}</table></div>")
