"""nashpy's own equilibrium solvers on the dominance-reduced game, for those who want them.

``exact`` is ``negotiate.game.equilibria.solve_bimatrix`` (complete vertex enumeration). The others
run nashpy's algorithms on the game left after iterated elimination of strictly dominated strategies,
keep what passes the best-response check in the full game, and are cross-checked against the exact
solver: the result's ``complete`` is true only when the exact set is complete and the method found
every one of its equilibria. Each method's limits are stated in the notes:

- ``nashpy-support``: support enumeration solves the indifference equations on supports of equal size
  with exact float comparisons, so in degenerate games (payoff ties) it can miss equilibria;
- ``nashpy-vertex``: vertex enumeration of both best-response polytopes (SciPy's halfspace
  intersection) pairs every vertex of one with every vertex of the other: slow beyond 8 x 8;
- ``nashpy-lemke-howson``: Lemke-Howson from each of the m + n initial labels finds at most one
  equilibrium per label, in general not all of them, and can fail on degenerate games.

nashpy (with SciPy) is imported only when one of these runs.
"""

from __future__ import annotations

import warnings

import numpy as np

from negotiate.errors import NegotiateError
from negotiate.game.algorithms.dominance import iterated_elimination
from negotiate.game.equilibria import Equilibrium, EquilibriumSet, is_equilibrium, solve_bimatrix

METHODS = ("exact", "nashpy-support", "nashpy-vertex", "nashpy-lemke-howson")
VERTEX_COMFORT = 8  # nashpy's vertex enumeration is slow beyond 8 x 8

NAMES = {
    "nashpy-support": "nashpy support enumeration",
    "nashpy-vertex": "nashpy vertex enumeration",
    "nashpy-lemke-howson": "nashpy Lemke-Howson from every label",
}
LIMITS = {
    "nashpy-support": "support enumeration compares floats exactly and solves only supports of equal size: "
                      "in degenerate games (payoff ties) it can miss equilibria",
    "nashpy-vertex": "vertex enumeration pairs every vertex of one best-response polytope with every vertex of "
                     "the other: slow beyond 8 x 8 (minutes for a 10 x 10 game)",
    "nashpy-lemke-howson": "Lemke-Howson finds at most one equilibrium from each of the m + n initial labels, "
                           "in general not all of them, and can fail on degenerate games",
}
SAME = 1e-6  # two profiles closer than this (largest probability difference) are one equilibrium


def _same(a: Equilibrium, b: Equilibrium) -> bool:
    return bool(max(np.abs(a.row - b.row).max(), np.abs(a.col - b.col).max()) <= SAME)


def _run(method: str, Ar: np.ndarray, Br: np.ndarray) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[str]]:
    """nashpy's candidates on the reduced game, and what went wrong on the way.

    Each side's payoffs are shifted to a minimum of 1 first (the equilibria do not change): the
    best-response polytopes of vertex enumeration and Lemke-Howson assume positive payoffs.
    """
    import nashpy

    game = nashpy.Game(Ar - Ar.min() + 1.0, Br - Br.min() + 1.0)
    problems: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if method == "nashpy-support":
            found = list(game.support_enumeration())
        elif method == "nashpy-vertex":
            found = list(game.vertex_enumeration())
        else:
            found = []
            for label in range(sum(Ar.shape)):
                try:
                    found.append(game.lemke_howson(initial_dropped_label=label))
                except Exception as exc:  # nashpy fails in its own ways on degenerate games
                    problems.append(f"Lemke-Howson from label {label} failed ({type(exc).__name__})")
    problems += [f"nashpy warned: {w.message}" for w in caught]
    return [(np.asarray(x, float), np.asarray(y, float)) for x, y in found], problems


def solve_with(method: str, A: np.ndarray, B: np.ndarray) -> EquilibriumSet:
    """The equilibria of (A, B) by ``method`` (one of ``METHODS``), cross-checked against the exact solver.

    Parameters
    ----------
    method : str
        ``exact`` or a nashpy method.
    A, B : array_like, shape (m, n)
        Payoffs to the row and the column player.

    Returns
    -------
    EquilibriumSet
        As ``solve_bimatrix`` (equilibria of the full game, pure first, then by joint payoff),
        with ``cross_check`` for nashpy's methods: ``exact_equilibria``, ``exact_complete``,
        ``found`` (of the exact ones), ``missed`` and ``extra`` (found by the method, not by the exact
        solver: in a degenerate game, points of a continuum).

    Raises
    ------
    NegotiateError
        For an unknown method.
    """
    if method not in METHODS:
        raise NegotiateError(f"unknown solver method {method!r}; expected one of: {', '.join(METHODS)}")
    exact = solve_bimatrix(A, B, warn=False)
    if method == "exact":
        return exact
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    rows, cols = iterated_elimination(A, B)
    Ar, Br = A[np.ix_(rows, cols)], B[np.ix_(rows, cols)]
    m, n = Ar.shape
    notes = [f"{NAMES[method]} on the reduced {m} x {n} game; its limits: {LIMITS[method]}"]
    if method == "nashpy-vertex" and max(m, n) > VERTEX_COMFORT:
        notes.append(f"this reduced game is {m} x {n}, larger than 8 x 8: expect a long run")
    if min(m, n) == 1:
        # nashpy's vertex enumeration fails and its Lemke-Howson never returns when a side has one strategy
        notes.append("nashpy is not run when a side has a single strategy left (its vertex enumeration fails and "
                     "its Lemke-Howson does not return there): these are the exact solver's equilibria")
        pairs = [(e.row[rows], e.col[cols]) for e in exact.equilibria]
        problems: list[str] = []
    else:
        pairs, problems = _run(method, Ar, Br)
    notes += list(dict.fromkeys(problems))
    equilibria: list[Equilibrium] = []
    dropped = 0
    for x_r, y_r in pairs:
        if x_r.shape != (m,) or y_r.shape != (n,) or not (np.isfinite(x_r).all() and np.isfinite(y_r).all()):
            dropped += 1
            continue
        x = np.zeros(A.shape[0])
        y = np.zeros(A.shape[1])
        x[rows], y[cols] = x_r, y_r
        if not is_equilibrium(A, B, x, y):
            dropped += 1
            continue
        e = Equilibrium(x, y, (float(x @ A @ y), float(x @ B @ y)))
        if not any(_same(e, f) for f in equilibria):
            equilibria.append(e)
    if dropped:
        notes.append(f"dropped {dropped} result{'s' if dropped > 1 else ''} of nashpy that failed the best-response check")
    equilibria.sort(key=lambda e: (not e.is_pure(), -sum(e.payoffs)))
    found = sum(any(_same(e, f) for f in equilibria) for e in exact.equilibria)
    extra = sum(not any(_same(e, f) for f in exact.equilibria) for e in equilibria)
    missed = len(exact.equilibria) - found
    check = {"exact_equilibria": len(exact.equilibria), "exact_complete": exact.complete, "found": found,
             "missed": missed, "extra": extra}
    exact_words = "the exact solver finds" if exact.complete else "the exact solver (itself incomplete here) finds"
    notes.append(f"cross-check: {exact_words} {len(exact.equilibria)}; this method found {found} of them"
                 + (f" and missed {missed}" if missed else "")
                 + (f", and {extra} more" + (" (points of continua: the game is degenerate)" if exact.degenerate else "")
                    if extra else ""))
    return EquilibriumSet(equilibria, NAMES[method], exact.complete and missed == 0, exact.degenerate,
                          rows, cols, notes, cross_check=check)
