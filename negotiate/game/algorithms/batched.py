"""Equilibria of many games of one shape at once, for Monte Carlo over payoff draws.

Two vectorised steps over a stack of games (draws, m, n):

1. iterated elimination of strictly dominated pure strategies, with a mask of surviving
   strategies per draw;
2. support enumeration over equal-sized supports on each group of draws sharing the same reduced
   game, one batched linear solve per support pair for all the draws of the group.

Support enumeration over equal-sized supports is complete only for nondegenerate games, so a draw
is flagged for the exact solver whenever degeneracy shows: tied pure payoffs, a singular
indifference system, an equilibrium with more best responses than its support, or an even number of
equilibria (a nondegenerate game has an odd number; Shapley 1974).
"""

from __future__ import annotations

import itertools

import numpy as np

# Absolute tolerance for ties and best responses in batched solving: looser than the geometric one
# because support enumeration solves linear systems, whose errors reach 1e-12 on ordinary games.
TIE_TOL = 1e-9
# Reduced games larger than this per side go to the exact solver draw by draw.
MAX_SIDE = 6


# Dominators tried first in each round: the strategies with the highest totals over the surviving
# opposing strategies, where a dominator must be.
CANDIDATES = 4


def _dominated_batched(P: np.ndarray, alive: np.ndarray, against: np.ndarray) -> np.ndarray:
    """Strategies (rows of ``P``) that a surviving row beats by more than TIE_TOL on every surviving column.

    Parameters
    ----------
    P : ndarray, shape (draws, k, l)
        Payoff to the player choosing the row.
    alive, against : ndarray of bool, shapes (draws, k) and (draws, l)
        Surviving rows and columns.

    Notes
    -----
    First each row is compared with the CANDIDATES highest-total survivors; the rows these do not
    beat are then compared with each other only. That is exact: strict dominance is transitive, so a
    dominated row is beaten by some undominated row, and an undominated row is never beaten by a
    candidate. Memory is O(draws k l) instead of O(draws k^2 l).
    """
    N, k, l = P.shape
    draws = np.arange(N)[:, None]
    # dead columns count as won by every dominator: +inf above, -inf below
    over = np.where(against[:, None, :], P, np.inf)
    under = np.where(against[:, None, :], P + TIE_TOL, -np.inf)
    total = np.where(alive, np.where(against[:, None, :], P, 0.0).sum(axis=2), -np.inf)
    K = min(CANDIDATES, k)
    cand = np.argpartition(-total, K - 1, axis=1)[:, :K]
    cand_alive = alive[draws, cand]
    beats = (over[draws, cand][:, :, None, :] > under[:, None, :, :]).all(axis=3)  # (N, K, k)
    dominated = (beats & cand_alive[:, :, None]).any(axis=1) & alive
    left = alive & ~dominated
    L = int(left.sum(axis=1).max(initial=0))
    if L:
        idx = np.argsort(~left, axis=1, kind="stable")[:, :L]  # the rows left, first
        valid = left[draws, idx]
        step = max(1, (1 << 24) // (L * L * l))  # draws at a time: bounded memory
        for start in range(0, N, step):
            d = slice(start, start + step)
            rows = idx[d]
            sub = draws[d]
            beats = (over[sub, rows][:, :, None, :] > under[sub, rows][:, None, :, :]).all(axis=3)  # (n, L, L)
            hit = (beats & valid[d][:, :, None]).any(axis=1) & valid[d]
            dominated[sub.repeat(L, axis=1)[hit], rows[hit]] = True
    return dominated


def iterated_elimination_batched(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Surviving strategies after iterated strict dominance, for every draw.

    Parameters
    ----------
    A, B : ndarray, shape (draws, m, n)

    Returns
    -------
    rows, cols : ndarray of bool, shapes (draws, m) and (draws, n)
    """
    N, m, n = A.shape
    rows = np.ones((N, m), dtype=bool)
    cols = np.ones((N, n), dtype=bool)
    Bt = np.swapaxes(B, 1, 2)
    while True:
        dom_r = _dominated_batched(A, rows, cols)
        dom_c = _dominated_batched(Bt, cols, rows)
        if not dom_r.any() and not dom_c.any():
            return rows, cols
        rows &= ~dom_r
        cols &= ~dom_c


def _has_pure_ties(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Draws where some column of A or row of B has two equal entries (a degenerate game)."""
    sa = np.sort(A, axis=1)
    sb = np.sort(B, axis=2)
    tie_a = (np.diff(sa, axis=1) <= TIE_TOL).any(axis=(1, 2))
    tie_b = (np.diff(sb, axis=2) <= TIE_TOL).any(axis=(1, 2))
    return tie_a | tie_b


def _indifference(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve M z = v 1, sum z = 1 for every draw; M has shape (draws, k, k).

    Returns z (draws, k), v (draws,), and a mask of draws whose system is singular.
    """
    N, k, _ = M.shape
    system = np.zeros((N, k + 1, k + 1))
    system[:, :k, :k] = M
    system[:, :k, k] = -1.0
    system[:, k, :k] = 1.0
    rhs = np.zeros((N, k + 1))
    rhs[:, k] = 1.0
    singular = np.abs(np.linalg.det(system)) < 1e-12
    system[singular] = np.eye(k + 1)
    sol = np.linalg.solve(system, rhs[:, :, None])[:, :, 0]
    return sol[:, :k], sol[:, k], singular


def support_enumeration_batched(A: np.ndarray, B: np.ndarray):
    """Equilibria of every nondegenerate game in the stack, and the draws that need an exact solver.

    Parameters
    ----------
    A, B : ndarray, shape (draws, m, n)

    Returns
    -------
    equilibria : list of list of (x, y)
        Per draw (empty for flagged draws).
    exact : ndarray of bool, shape (draws,)
        Draws whose game is, or may be, degenerate.
    """
    N, m, n = A.shape
    exact = _has_pure_ties(A, B)
    found: list[list] = [[] for _ in range(N)]
    draws = np.arange(N)
    for k in range(1, min(m, n) + 1):
        for S in itertools.combinations(range(m), k):
            for T in itertools.combinations(range(n), k):
                S_, T_ = list(S), list(T)
                y, v, sing_y = _indifference(A[:, S_][:, :, T_])
                x, u, sing_x = _indifference(np.swapaxes(B[:, S_][:, :, T_], 1, 2))
                exact |= sing_x | sing_y
                ok = ~(sing_x | sing_y) & (x > TIE_TOL).all(axis=1) & (y > TIE_TOL).all(axis=1)
                if not ok.any():
                    continue
                X = np.zeros((N, m))
                Y = np.zeros((N, n))
                X[:, S_], Y[:, T_] = x, y
                row_pay = np.einsum("dij,dj->di", A, Y)
                col_pay = np.einsum("di,dij->dj", X, B)
                ok &= (row_pay <= v[:, None] + TIE_TOL).all(axis=1) & (col_pay <= u[:, None] + TIE_TOL).all(axis=1)
                # more pure best responses than the support: degenerate
                extra = ((row_pay >= v[:, None] - TIE_TOL).sum(axis=1) > k) | ((col_pay >= u[:, None] - TIE_TOL).sum(axis=1) > k)
                exact |= ok & extra
                for d in draws[ok]:
                    found[d].append((X[d], Y[d]))
    counts = np.array([len(f) for f in found])
    exact |= counts % 2 == 0
    return [f if not e else [] for f, e in zip(found, exact)], exact
