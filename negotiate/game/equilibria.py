"""Solve a bimatrix game: dominance first, then complete enumeration or Lemke-Howson beyond it.

Why our own enumerator rather than nashpy's: nashpy's support enumeration misses equilibria (exact
float comparisons), its vertex enumeration needs seconds from 8x8 on, and importing nashpy costs
about 0.8 s (scipy.optimize, scipy.spatial, networkx), which alone breaks the one-second budget of
``negotiate solve``. nashpy stays the reference the tests compare against.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from negotiate.errors import GameError
from negotiate.game.algorithms.dominance import iterated_elimination
from negotiate.game.algorithms.lemke_howson import lemke_howson
from negotiate.game.algorithms.vertex_enumeration import (
    MAX_BASES,
    TooLargeForEnumeration,
    vertex_enumeration,
)

# Equilibria whose best-response gap exceeds this (in payoff units, relative to the payoff range)
# are dropped as numerical failures rather than reported.
BEST_RESPONSE_TOL = 1e-7


class DegenerateGameWarning(UserWarning):
    """The game has payoff ties: equilibria may form continua, reported by their extreme points."""


@dataclass(frozen=True)
class Equilibrium:
    """A mixed-strategy Nash equilibrium of the full game."""

    row: np.ndarray
    col: np.ndarray
    payoffs: tuple[float, float]

    def is_pure(self) -> bool:
        return bool(np.isclose(self.row.max(), 1.0) and np.isclose(self.col.max(), 1.0))


@dataclass(frozen=True)
class EquilibriumSet:
    """Every equilibrium found, with how it was found and whether the set is complete."""

    equilibria: list[Equilibrium]
    method: str
    complete: bool
    degenerate: bool
    kept_rows: np.ndarray
    kept_cols: np.ndarray
    notes: list[str] = field(default_factory=list)
    cross_check: dict | None = None  # nashpy's methods against the exact solver (negotiate.game.methods)


def best_response_gaps(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """What the row and the column player gain by deviating from (x, y); (0, 0) at an equilibrium."""
    return float((A @ y).max() - x @ A @ y), float((x @ B).max() - x @ B @ y)


def is_equilibrium(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> bool:
    """Whether (x, y) are mutual best responses, within a tolerance scaled to each player's payoffs."""
    gap_a, gap_b = best_response_gaps(A, B, x, y)
    scale_a = float(np.abs(A).max()) or 1.0
    scale_b = float(np.abs(B).max()) or 1.0
    return gap_a <= BEST_RESPONSE_TOL * scale_a and gap_b <= BEST_RESPONSE_TOL * scale_b


def _dedupe(pairs: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[np.ndarray, np.ndarray]]:
    seen, out = set(), []
    for x, y in pairs:
        key = (tuple(np.round(x, 8)), tuple(np.round(y, 8)))
        if key not in seen:
            seen.add(key)
            out.append((x, y))
    return out


def solve_bimatrix(
    A: np.ndarray, B: np.ndarray, max_bases: int = MAX_BASES, warn: bool = True
) -> EquilibriumSet:
    """All Nash equilibria of (A, B), or as many as Lemke-Howson finds when the game is too large.

    Parameters
    ----------
    A, B : array_like, shape (m, n)
        Payoffs to the row and the column player; finite numbers.
    max_bases : int
        Size limit of the exact enumeration: lex-positive bases (vertices, unless the game is
        degenerate) per best-response polytope; see
        ``negotiate.game.algorithms.vertex_enumeration.MAX_BASES``. Beyond it, Lemke-Howson
        from every label, and the set is marked incomplete.
    warn : bool
        Emit a ``DegenerateGameWarning`` for degenerate games.

    Returns
    -------
    EquilibriumSet
        Equilibria sorted pure first, then by joint payoff (highest first).

    Raises
    ------
    GameError
        On shapes that differ, empty games or non-finite payoffs.
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or A.shape != B.shape or A.size == 0:
        raise GameError(f"payoff matrices must be two non-empty matrices of one shape, got {A.shape} and {B.shape}")
    if not (np.isfinite(A).all() and np.isfinite(B).all()):
        raise GameError("payoff matrices contain a non-finite number (nan or inf)")
    rows, cols = iterated_elimination(A, B)
    Ar, Br = A[np.ix_(rows, cols)], B[np.ix_(rows, cols)]
    notes = []
    fallback = None
    try:
        found = vertex_enumeration(Ar, Br, max_bases=max_bases)
        pairs, degenerate = found.equilibria, found.degenerate
        method, complete = "vertex enumeration (best-response polytopes)", True
    except TooLargeForEnumeration as exc:
        m, n = Ar.shape
        paths = [lemke_howson(Ar, Br, k) for k in range(m + n)]
        pairs = [p for p in paths if p is not None]
        degenerate = _looks_degenerate(Ar, Br)
        method, complete = "Lemke-Howson from every label", False
        fallback = (str(exc), m + n, len(paths) - len(pairs))
    equilibria = []
    for x_r, y_r in _dedupe(pairs):
        x = np.zeros(A.shape[0])
        y = np.zeros(A.shape[1])
        x[rows], y[cols] = x_r, y_r
        if not is_equilibrium(A, B, x, y):
            notes.append("dropped a candidate that failed the best-response check (numerical error)")
            complete = False
            continue
        equilibria.append(Equilibrium(x, y, (float(x @ A @ y), float(x @ B @ y))))
    equilibria.sort(key=lambda e: (not e.is_pure(), -sum(e.payoffs)))
    if fallback is not None:
        reason, labels, gave_up = fallback
        capped = f" ({gave_up} of the paths stopped at the pivot cap)" if gave_up else ""
        found_text = f"{len(equilibria)} distinct equilibri{'um' if len(equilibria) == 1 else 'a'}"
        notes.insert(0, (
            f"reduced game too large for exact enumeration ({reason}): Lemke-Howson, run from each of "
            f"the {labels} labels, found {found_text}{capped}; the set may be incomplete"
        ))
    if degenerate:
        notes.append(
            "the game is degenerate (payoff ties): equilibria can form continua; every extreme "
            "equilibrium is listed, and mixtures between equilibria that share a best-response "
            "component are equilibria too"
        )
        if warn:
            warnings.warn(notes[-1], DegenerateGameWarning, stacklevel=2)
    return EquilibriumSet(equilibria, method, complete, degenerate, rows, cols, notes)


def _looks_degenerate(A: np.ndarray, B: np.ndarray) -> bool:
    """Cheap sufficient test for degeneracy (a pure strategy with two pure best responses)."""
    best_r = (A.max(axis=0, keepdims=True) == A).sum(axis=0)
    best_c = (B.max(axis=1, keepdims=True) == B).sum(axis=1)
    return bool((best_r > 1).any() or (best_c > 1).any())
