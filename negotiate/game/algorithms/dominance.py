"""Iterated elimination of strictly dominated pure strategies.

Only domination by another pure strategy is tested: it needs no linear program (so no scipy on the
fast path) and never removes a strategy that some Nash equilibrium uses, so the equilibria of the
reduced game are exactly those of the full game.

Strict dominance is transitive, so every dominated row is beaten by an undominated one: each row is
compared with the undominated rows found so far (few, in games that reduce) rather than with every
row. Memory stays at a bounded number of booleans whatever the game's size.
"""

from __future__ import annotations

import numpy as np

# Largest boolean comparison array built at once (elements): bounds memory at ~16 MB.
CHUNK_ELEMENTS = 1 << 24


def strictly_dominated(payoffs: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Rows of ``payoffs`` strictly dominated by another row.

    Parameters
    ----------
    payoffs : ndarray, shape (k, l)
        Payoff to the player choosing the row, against every opposing strategy (column).
    tol : float
        Margin: row j beats row i when it pays more than ``tol`` above it against every column.

    Returns
    -------
    ndarray of bool, shape (k,)
        True for a row that some other row beats against every column by more than ``tol``.

    Notes
    -----
    Rows are visited by decreasing total (a row's dominators have larger totals, so they usually
    come first) and each is compared with the current maximal rows, those no visited row beats;
    a new maximal row removes the maximal rows it beats. O(k u l) time for u maximal rows and
    O(k l / chunk) memory, against O(k^2 l) for all pairs.
    """
    P = np.asarray(payoffs, dtype=float)
    k, l = P.shape
    if k == 0 or l == 0:
        return np.zeros(k, dtype=bool)  # no column to lose on: nothing is beaten
    order = np.argsort(-P.sum(axis=1), kind="stable")
    maximal = np.empty(0, dtype=np.intp)  # the rows no visited row beats
    top = np.empty((8, l))  # their payoffs in top[:len(maximal)], grown by doubling
    beaten = np.ones(k, dtype=bool)
    block = max(1, CHUNK_ELEMENTS // (l * 8))
    for start in range(0, k, block):
        rows = order[start:start + block]
        candidates = P[rows] + tol
        # rows beaten by a current maximal row, a few maximal rows at a time
        hit = np.zeros(len(rows), dtype=bool)
        step = max(1, CHUNK_ELEMENTS // (len(rows) * l))
        for s in range(0, len(maximal), step):
            hit |= (top[s:min(s + step, len(maximal)), None, :] > candidates[None, :, :]).all(axis=2).any(axis=0)
        for i in rows[~hit].tolist():  # maybe maximal: check against rows made maximal in this block
            u = len(maximal)
            if u and (top[:u] > P[i] + tol).all(axis=1).any():
                continue
            beaten[i] = False
            if u:  # the rows this one beats are no longer maximal (rare: dominators come first)
                lost = (P[i] > top[:u] + tol).all(axis=1)
                if lost.any():
                    beaten[maximal[lost]] = True
                    maximal, top[: u - int(lost.sum())] = maximal[~lost], top[:u][~lost]
                    u = len(maximal)
            if u == len(top):
                top = np.concatenate([top, np.empty_like(top)])
            top[u] = P[i]
            maximal = np.append(maximal, i)
    return beaten


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
    Bt = B.T  # the column player's view, without a copy
    while True:
        full = len(rows) == A.shape[0] and len(cols) == A.shape[1]
        drop_r = strictly_dominated(A if full else A[np.ix_(rows, cols)])
        drop_c = strictly_dominated(Bt if full else Bt[np.ix_(cols, rows)])
        if not drop_r.any() and not drop_c.any():
            return rows, cols
        rows, cols = rows[~drop_r], cols[~drop_c]
