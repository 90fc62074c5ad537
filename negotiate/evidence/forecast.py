"""Typed results of a forecast: what ``models`` returns for ``update`` and ``report`` and ``record`` read.

They are plain dicts at run time (``--json`` prints them as they are); the TypedDicts name their
keys for the type checker and for readers. The keys are documented in the README ("update --json").
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class ScenarioInfo(TypedDict):
    id: str
    question: str
    deadline: str
    as_of: str
    ledger: str | None


class PathPoint(TypedDict):
    """P(deal) after one day's events."""

    date: str
    event: str
    types: list[str]
    p_deal: float
    interval: list[float]
    change: float


class Contribution(TypedDict):
    """One event and how far it moves P(deal) now (P with it minus P without it)."""

    date: str
    actor: str
    target: str
    type: str
    description: str
    source: str
    logodds: float
    p_change: float


class PriorInfo(TypedDict):
    source: str  # "reference", "strategist" or "game"
    deal_probability: float | None
    strength: float | None
    logit_sd: float
    mean: float
    interval: list[float]
    p_zopa_nonempty: NotRequired[float]
    game_draws: NotRequired[int]


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
    p_deal: float
    interval: list[float]
    path: list[PathPoint]
    contributions: list[Contribution]
    events_used: int
    events_ignored_after_as_of: int
    prior: PriorInfo
    diagnostics: Diagnostics
    fit: FitSummary
    seed: int
    record: NotRequired[RecordInfo | None]
