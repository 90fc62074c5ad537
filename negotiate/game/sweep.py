"""Outcomes over a grid of one or two numbers of the scenario: what ``negotiate sweep`` computes.

A grid ``PATH=LO:HI:N`` gives N evenly spaced values (rounded to 12 significant digits, so that
0.3:0.7:41 passes through 0.5 exactly) of one number: a payoff (the number, or one field of its
distribution), a party's patience or power, or a number of an explicit threat point. Every grid
point's outcome (predicted agreement, size of the zone of agreement, critical discount factor,
self-enforcement, each side's gain) is computed with the rules of ``solve``, batched
(``negotiate.game.batch``).

Grids are checked like ``--set``: at every corner of the grid the scenario is validated with the
grid's values, and every constraint of the schema (a range, low <= mode <= high, sd >= 0) is linear
in each number, so a grid valid at its corners is valid everywhere.

Large sweeps run as Dask tasks of ``chunk`` points each: on an embedded local cluster of ``jobs``
worker processes, or on a running scheduler. Small ones run in this process.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from negotiate.daskclient import dask_client
from negotiate.errors import NegotiateError, Problem
from negotiate.game.batch import batch_outcomes
from negotiate.game.posture import PostureGame
from negotiate.game.threat import EquilibriumRule
from negotiate.scenario.overrides import (
    REQUEST_NAMES,
    Override,
    OverrideError,
    OverrideProblem,
    OverrideSyntaxError,
    load_what_if,
    parse_override,
    scenario_with_overrides,
)
from negotiate.scenario.schema import Normal, Scenario, Triangular, Uniform
from negotiate.yamlsource import read_yaml

MAX_POINTS = 1_000_000
CHUNK = 10_000  # points per Dask task; a sweep of at most this many runs in this process
# Working memory of one batched evaluation (dominance compares strategies pairwise for every point).
BATCH_BYTES = 200_000_000
# How much a distribution's point value (its mean) moves per unit change of each field.
FIELD_WEIGHTS: dict[type, dict[str, float]] = {
    Normal: {"mean": 1.0, "sd": 0.0},
    Uniform: {"low": 0.5, "high": 0.5},
    Triangular: {"low": 1 / 3, "mode": 1 / 3, "high": 1 / 3},
}


@dataclass(frozen=True)
class Grid:
    """``count`` evenly spaced values of the number at ``path``, from ``low`` to ``high``."""

    label: str
    path: tuple[str, ...]
    low: float
    high: float
    count: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def values(self) -> np.ndarray:
        raw = np.linspace(self.low, self.high, self.count)
        return np.array([float(f"{x:.12g}") for x in raw])


def parse_grid(text: str, name: str = REQUEST_NAMES["grid"]) -> Grid:
    """Parse ``PATH=LO:HI:N`` (N of 2 or more, LO below HI).

    Raises
    ------
    OverrideSyntaxError
        For anything else.
    """
    expected = f"{text!r}: expected PATH=LO:HI:N with LO < HI and N >= 2, e.g. parties.US.patience=0.5:0.99:50"
    path, sep, spec = text.partition("=")
    parts = spec.split(":")
    path = path.strip()
    if not sep or not path or any(not p for p in path.split(".")) or len(parts) != 3:
        raise OverrideSyntaxError(expected)
    try:
        low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise OverrideSyntaxError(expected) from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high or count < 2:
        raise OverrideSyntaxError(expected)
    return Grid(f"{name} {text}", tuple(path.split(".")), low, high, count)


# ---------------------------------------------------------------- where a grid's number enters the game


@dataclass(frozen=True)
class Slot:
    """How a number enters the batched evaluation."""

    kind: str  # "payoff", "patience", "power" or "threat"
    index: int  # payoff parameter, or party
    weight: float | None = None  # payoffs: None replaces the value, else shifts it by weight * (x - old)
    old: float = 0.0


def slot_of(game: PostureGame, grid: Grid) -> Slot:
    """Where ``grid``'s number enters the game.

    Raises
    ------
    OverrideError
        When the path names a number that does not enter the game (the prior, for instance).
    """
    dotted, parties = grid.dotted, game.parties
    for k, party in enumerate(parties):
        if dotted == f"parties.{party}.patience":
            return Slot("patience", k)
        if dotted == f"parties.{party}.power":
            return Slot("power", k)
        if dotted == f"threat.{party}" and isinstance(game.scenario.threat, dict):
            return Slot("threat", k)
    for k, param in enumerate(game.params):
        if dotted == param.path:
            return Slot("payoff", k)
        head, _, field = dotted.rpartition(".")
        weights = FIELD_WEIGHTS.get(type(param.dist), {})
        if head == param.path and field in weights:
            return Slot("payoff", k, weights[field], float(getattr(param.dist, field)))
    raise OverrideError(str(game.scenario.source_path or "scenario"), [OverrideProblem(grid.label, Problem(
        grid.path, "does not enter the game; expected a payoff (or a field of its distribution), "
                   "a party's patience or power, or a number of an explicit threat"), False)])


def check_grids(file: str, base: Iterable[Override], grids: list[Grid]) -> None:
    """Validate the scenario at every corner of the grids (with the ``--set`` overrides ``base``).

    Raises
    ------
    OverrideError
        The problems at the first corner that has any, each named by its ``--grid`` (or ``--set``).
    """
    doc = read_yaml(file)
    base = list(base)
    for corner in itertools.product(*[(g.values()[0], g.values()[-1]) for g in grids]):
        overrides = base + [Override(g.label, g.path, float(v)) for g, v in zip(grids, corner)]
        scenario_with_overrides(doc, overrides)


# ---------------------------------------------------------------- evaluation


def evaluate_points(
    scenario: Scenario,
    fixed: dict[str, str],
    rule: EquilibriumRule,
    values: np.ndarray,
    powers: np.ndarray,
    patience: np.ndarray,
    threats: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Outcomes of a block of grid points (one Dask task), in batches that fit in memory."""
    game = PostureGame(scenario, fixed)
    m, n = game.shape
    step = max(1, BATCH_BYTES // (m * m * n + m * n * n + 1))
    parts = []
    for start in range(0, len(values), step):
        sl = slice(start, start + step)
        out = batch_outcomes(game, values[sl], powers[sl], patience[sl], None if threats is None else threats[sl], rule)
        parts.append({"cell": out.cell, "zopa_size": out.zopa_size, "critical": out.critical_value,
                      "self_enforcing": out.self_enforcing, "gains": out.gains, "deal": out.deal})
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def sweep(
    game: PostureGame,
    grids: list[Grid],
    rule: EquilibriumRule = "worst",
    overrides: dict[str, float] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    chunk: int = CHUNK,
) -> dict[str, Any]:
    """The outcome at every point of one or two grids.

    Parameters
    ----------
    game : PostureGame
        The scenario's game (with its ``--set`` overrides and fixed levers); the grids must have
        been checked with ``check_grids``.
    grids : list of Grid
        One or two.
    rule : {"worst", "best", "mean"}
        Threat point among several equilibria.
    overrides : dict, optional
        The ``--set`` overrides (path -> number), reported as ``set``.
    jobs : int
        Worker processes of the embedded Dask cluster when the sweep has more than ``chunk`` points.
    scheduler : str, optional
        Address of a running Dask scheduler, used when the sweep has more than ``chunk`` points.
    chunk : int
        Points per Dask task; a sweep of at most this many points (or with ``jobs`` 1 and no
        scheduler) runs in this process.

    Returns
    -------
    dict
        ``scenario``, ``parties``, ``rule``, ``fix``, ``set``, ``grids`` (``path``, ``values``),
        ``points`` (first grid outer: ``values``, ``agreement`` (index into ``agreements`` or null),
        ``zopa_size``, ``critical_discount``, ``self_enforcing``, ``gains``), ``agreements``
        (``terms``, ``words``, ``points``; in order of first appearance) and ``execution``
        (``mode``, ``tasks``, ``chunk``, ``seconds``).
    """
    if not 1 <= len(grids) <= 2:
        raise NegotiateError(f"expected one or two grids, got {len(grids)}")
    if len({g.dotted for g in grids}) < len(grids):
        raise NegotiateError(f"{grids[0].dotted} is swept twice; expected two different numbers")
    if chunk < 1:
        raise NegotiateError(f"chunk must be 1 or more, got {chunk}")
    total = math.prod(g.count for g in grids)
    if total > MAX_POINTS:
        raise NegotiateError(f"{total} grid points; expected at most {MAX_POINTS} (use fewer values)")
    started = time.perf_counter()
    scenario, parties = game.scenario, game.parties
    axes = [g.values() for g in grids]
    mesh = np.array(list(itertools.product(*axes)), float).reshape(total, len(grids))
    values = np.tile(game.point_values(), (total, 1))
    powers = np.tile([scenario.parties[p].power for p in parties], (total, 1)).astype(float)
    patience = np.tile([scenario.parties[p].patience for p in parties], (total, 1)).astype(float)
    threat = scenario.threat
    threats = np.tile([threat[p] for p in parties], (total, 1)).astype(float) if isinstance(threat, dict) else None
    for j, g in enumerate(grids):
        s = slot_of(game, g)
        x = mesh[:, j]
        if s.kind == "payoff":
            values[:, s.index] = x if s.weight is None else values[:, s.index] + s.weight * (x - s.old)
        elif s.kind == "patience":
            patience[:, s.index] = x
        elif s.kind == "power":
            powers[:, s.index] = x
        else:
            assert threats is not None
            threats[:, s.index] = x

    blocks = [slice(a, min(a + chunk, total)) for a in range(0, total, chunk)]
    args = (scenario, dict(game.fixed), rule)
    if len(blocks) == 1 or (jobs <= 1 and not scheduler):
        mode = "in-process"
        results = [evaluate_points(*args, values[b], powers[b], patience[b], None if threats is None else threats[b]) for b in blocks]
    else:
        client, cluster = dask_client(scheduler, jobs, timeout="10s")
        mode = f"dask: scheduler {scheduler}" if scheduler else f"dask: local cluster of {jobs} processes"
        try:
            futures = [client.submit(evaluate_points, *args, values[b], powers[b], patience[b],
                                     None if threats is None else threats[b], pure=False) for b in blocks]
            results = client.gather(futures)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    out = {key: np.concatenate([r[key] for r in results]) for key in results[0]}

    n = game.shape[1]
    agreement_of: dict[int, int] = {}
    agreements: list[dict[str, Any]] = []
    points = []
    for i in range(total):
        cell = int(out["cell"][i])
        index = None
        if cell >= 0:
            if cell not in agreement_of:
                agreement_of[cell] = len(agreements)
                r, c = divmod(cell, n)
                agreements.append({"terms": game.terms(r, c), "words": game.terms_in_words(r, c), "points": 0})
            index = agreement_of[cell]
            agreements[index]["points"] += 1
        crit = float(out["critical"][i])
        points.append({
            "values": {g.dotted: float(mesh[i, j]) for j, g in enumerate(grids)},
            "agreement": index,
            "zopa_size": int(out["zopa_size"][i]),
            "critical_discount": None if math.isnan(crit) else crit,
            "self_enforcing": bool(out["self_enforcing"][i]),
            "gains": {p: float(out["gains"][i, k]) for k, p in enumerate(parties)},
        })
    return {
        "scenario": {"id": scenario.id, "title": scenario.title, "file": str(scenario.source_path) if scenario.source_path else None},
        "parties": list(parties),
        "rule": rule,
        "fix": dict(game.fixed),
        "set": dict(overrides or {}),
        "grids": [{"path": g.dotted, "values": [float(v) for v in a]} for g, a in zip(grids, axes)],
        "points": points,
        "agreements": agreements,
        "execution": {"mode": mode, "tasks": len(blocks), "chunk": chunk, "seconds": round(time.perf_counter() - started, 3)},
    }


def load_sweep(
    path: str | Path, grid_texts: Iterable[str], sets: Iterable[str] = (), fixes: Iterable[str] = (),
    names: dict[str, str] | None = None,
) -> tuple[PostureGame, list[Grid], dict[str, float]]:
    """The game to sweep and the checked grids: ``--set`` and ``--fix`` applied, every grid corner validated.

    Returns
    -------
    game : PostureGame
    grids : list of Grid
    values : dict
        The ``--set`` overrides, path -> number.
    """
    names = names or REQUEST_NAMES
    grids = [parse_grid(t, names["grid"]) for t in grid_texts]
    scenario, fixed, values = load_what_if(path, sets, fixes, names)
    check_grids(str(path), [parse_override(t, f"{names['set']} {t}") for t in sets], grids)
    game = PostureGame(scenario, fixed)
    for g in grids:
        slot_of(game, g)
    return game, grids, values

