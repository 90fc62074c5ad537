"""Iterated elimination of strictly dominated pure strategies.

Only domination by another pure strategy is tested: it needs no linear program (so no scipy on the
fast path) and never removes a strategy that some Nash equilibrium uses, so the equilibria of the
reduced game are exactly those of the full game.
"""

from __future__ import annotations

import numpy as np


def strictly_dominated(payoffs: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Rows of ``payoffs`` strictly dominated by another row.

    Parameters
    ----------
    payoffs : ndarray, shape (k, l)
        Payoff to the player choosing the row, against every opposing strategy (column).

    Returns
    -------
    ndarray of bool, shape (k,)
        True for a row that some other row beats against every column by more than ``tol``.
    """
    beats = (payoffs[None, :, :] > payoffs[:, None, :] + tol).all(axis=2)  # beats[i, j]: j > i
    return beats.any(axis=1)


def iterated_elimination(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the strategies that survive iterated strict dominance.

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Payoffs to the row and the column player.

    Returns
    -------
    rows, cols : ndarray of int
        Surviving row and column strategies, in their original order.
    """
    rows = np.arange(A.shape[0])
    cols = np.arange(A.shape[1])
    while True:
        drop_r = strictly_dominated(A[np.ix_(rows, cols)])
        drop_c = strictly_dominated(B[np.ix_(rows, cols)].T)
        if not drop_r.any() and not drop_c.any():
            return rows, cols
        rows, cols = rows[~drop_r], cols[~drop_c]
