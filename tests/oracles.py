"""Independent oracles: Gambit's enummixed (exact rational arithmetic) for equilibrium sets."""

from __future__ import annotations

import numpy as np


def gambit_equilibria(A: np.ndarray, B: np.ndarray) -> set[tuple]:
    """Extreme equilibria of (A, B) from Gambit's enummixed, as rounded (x, y) tuples."""
    from fractions import Fraction

    import pygambit as gbt

    A = np.asarray(A)
    B = np.asarray(B)
    # Integer payoffs go in exactly; floats as exact fractions of their binary values.
    to_exact = (lambda v: int(v)) if np.issubdtype(A.dtype, np.integer) else (lambda v: Fraction(float(v)))
    game = gbt.Game.from_arrays(
        [[to_exact(v) for v in row] for row in A], [[to_exact(v) for v in row] for row in B]
    )
    result = gbt.nash.enummixed_solve(game, rational=True)
    players = list(game.players)
    out = set()
    for eq in result.equilibria:
        x, y = ([float(eq[s]) for s in p.strategies] for p in players)
        out.add(as_key(np.array(x), np.array(y)))
    return out


def as_key(x: np.ndarray, y: np.ndarray, digits: int = 6) -> tuple:
    return tuple(np.round(x, digits) + 0.0), tuple(np.round(y, digits) + 0.0)
