"""The breadth-first vertex enumeration this package used before the reverse search (frozen copy).

Kept only as a regression reference for tests: the new enumerator must find the same set of
equilibria on random and degenerate games. It keeps every basis in memory, so use small games.
"""
# ruff: noqa
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Tolerance on pivots, ratios and labels, relative to payoffs scaled into [1, 2]. Payoff
# differences below about 1e-6 of a player's range are therefore not resolved reliably.
TOL = 1e-9
# Above this many feasible bases in one polytope the caller should fall back to Lemke-Howson.
MAX_BASES = 400_000


class TooLargeForEnumeration(Exception):
    """Raised when a polytope has more feasible bases than ``max_bases``."""


@dataclass(frozen=True)
class PolytopeVertices:
    """Vertices of {z >= 0 : M z <= 1}.

    Attributes
    ----------
    points : ndarray, shape (v, d)
        The vertices, the origin included.
    labels : ndarray of int64, shape (v,)
        Bit i set when z_i = 0 (i < d); bit d + j set when row j of ``M z <= 1`` is tight.
    degenerate : bool
        Whether some vertex has more than d tight constraints.
    bases : int
        Number of feasible bases visited.
    """

    points: np.ndarray
    labels: np.ndarray
    degenerate: bool
    bases: int


def polytope_vertices(M: np.ndarray, max_bases: int = MAX_BASES) -> PolytopeVertices:
    """Every vertex of ``{z >= 0 : M z <= 1}`` for a strictly positive matrix ``M``.

    Parameters
    ----------
    M : ndarray, shape (k, d)
        Constraint matrix with positive entries (so the polytope is bounded).
    max_bases : int
        Stop with ``TooLargeForEnumeration`` beyond this many feasible bases.

    Returns
    -------
    PolytopeVertices
    """
    k, d = M.shape
    n_vars = d + k
    if n_vars > 62:
        raise TooLargeForEnumeration(f"{n_vars} labels exceed the 62-bit label masks")
    tableau = np.zeros((1, k, n_vars + 1))
    tableau[0, :, :d] = M
    tableau[0, :, d:n_vars] = np.eye(k)
    tableau[0, :, -1] = 1.0
    basis = np.arange(d, n_vars)[None, :]
    bit = np.left_shift(np.int64(1), np.arange(n_vars, dtype=np.int64))

    visited = {int(bit[basis[0]].sum())}
    all_rhs = [tableau[:, :, -1]]
    all_basis = [basis]
    while len(tableau):
        cols = tableau[:, :, :-1]
        rhs = tableau[:, :, -1]
        positive = cols > TOL
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(positive, rhs[:, :, None] / np.where(positive, cols, 1.0), np.inf)
        best = ratio.min(axis=1)
        nonbasic = np.ones((len(tableau), n_vars), dtype=bool)
        np.put_along_axis(nonbasic, basis, False, axis=1)
        enter_ok = nonbasic & np.isfinite(best)
        ties = positive & (ratio <= best[:, None, :] + TOL * (1.0 + np.abs(best[:, None, :])))
        ties &= enter_ok[:, None, :]
        f, r, e = np.nonzero(ties)
        if len(f) == 0:
            break
        masks = bit[basis].sum(axis=1)
        new_masks = masks[f] - bit[basis[f, r]] + bit[e]
        new_masks, first = np.unique(new_masks, return_index=True)
        fresh = np.fromiter((int(m) not in visited for m in new_masks), bool, len(new_masks))
        first = first[fresh]
        visited.update(int(m) for m in new_masks[fresh])
        if len(visited) > max_bases:
            raise TooLargeForEnumeration(f"more than {max_bases} feasible bases")
        f, r, e = f[first], r[first], e[first]
        g = np.arange(len(f))
        old = tableau[f]
        pivot_row = old[g, r, :] / old[g, r, e][:, None]
        tableau = old - old[g, :, e][:, :, None] * pivot_row[:, None, :]
        tableau[g, r, :] = pivot_row
        basis = basis[f].copy()
        basis[g, r] = e
        all_rhs.append(tableau[:, :, -1])
        all_basis.append(basis)

    rhs = np.concatenate(all_rhs)
    basis = np.concatenate(all_basis)
    values = np.zeros((len(rhs), n_vars))
    np.put_along_axis(values, basis, rhs, axis=1)
    points = np.clip(values[:, :d], 0.0, None)
    points = _unique_rows(points)
    return _with_labels(M, points, bases=len(rhs))


def _unique_rows(points: np.ndarray) -> np.ndarray:
    keys = np.round(points, 9)
    _, idx = np.unique(keys, axis=0, return_index=True)
    return points[np.sort(idx)]


def _with_labels(M: np.ndarray, points: np.ndarray, bases: int) -> PolytopeVertices:
    k, d = M.shape
    tight_var = points <= TOL
    tight_row = M @ points.T >= 1.0 - 1e-9
    bits = np.left_shift(np.int64(1), np.arange(d + k, dtype=np.int64))
    labels = (np.concatenate([tight_var, tight_row.T], axis=1) * bits).sum(axis=1)
    n_labels = tight_var.sum(axis=1) + tight_row.sum(axis=0)
    return PolytopeVertices(points, labels.astype(np.int64), bool((n_labels > d).any()), bases)


def _positive(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rescale each player's payoffs into [1, 2]: positive entries, same equilibria.

    Each player separately, so that a player whose payoffs differ only slightly keeps those
    differences well above the label tolerance.
    """

    def scale(M: np.ndarray) -> np.ndarray:
        span = M.max() - M.min()
        return 1.0 + (M - M.min()) / (span if span > 0 else 1.0)

    return scale(A), scale(B)


def _popcount(a: np.ndarray) -> np.ndarray:
    return np.bitwise_count(a.astype(np.uint64)).astype(np.int64)


def _completely_labelled_pairs(
    P: PolytopeVertices, Q: PolytopeVertices, q_labels: np.ndarray, m: int, n: int
) -> list[tuple[int, int]]:
    """Index pairs (x in P, y in Q) whose labels cover all m + n, neither the origin.

    A vertex with exactly its dimension in labels can only pair with the vertex carrying the
    complementary set, found by sorted lookup; only vertices with extra labels (degenerate) need
    the superset test against every vertex of the other polytope.
    """
    full = np.int64((1 << (m + n)) - 1)
    x_ok = np.nonzero(P.points.sum(axis=1) > TOL)[0]
    y_ok = np.nonzero(Q.points.sum(axis=1) > TOL)[0]
    px, qy = P.labels[x_ok], q_labels[y_ok]
    need = full & ~px
    order = np.argsort(qy, kind="stable")
    pos = np.minimum(np.searchsorted(qy, need, sorter=order), len(qy) - 1)
    hit = qy[order[pos]] == need
    found = set(zip(x_ok[hit].tolist(), y_ok[order[pos[hit]]].tolist()))
    extra_x = x_ok[_popcount(px) > m]
    extra_y = y_ok[_popcount(qy) > n]
    for xs, ys in ((extra_x, y_ok), (x_ok, extra_y)):
        if len(xs) and len(ys):
            i, j = np.nonzero((P.labels[xs][:, None] | q_labels[ys][None, :]) == full)
            found.update(zip(xs[i].tolist(), ys[j].tolist()))
    return sorted(found)


@dataclass(frozen=True)
class EnumerationResult:
    """Extreme equilibria found by vertex enumeration, and whether the game is degenerate."""

    equilibria: list[tuple[np.ndarray, np.ndarray]]
    degenerate: bool


def vertex_enumeration(
    A: np.ndarray, B: np.ndarray, max_bases: int = MAX_BASES
) -> EnumerationResult:
    """All extreme Nash equilibria of the bimatrix game (A, B).

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Payoffs to the row and the column player.
    max_bases : int
        Size limit passed to :func:`polytope_vertices`.

    Returns
    -------
    EnumerationResult
        ``equilibria`` as (x, y) probability vectors, in a deterministic order.

    Raises
    ------
    TooLargeForEnumeration
        When a polytope is too large to enumerate.
    """
    m, n = A.shape
    A1, B1 = _positive(np.asarray(A, float), np.asarray(B, float))
    P = polytope_vertices(B1.T, max_bases)  # x-space: labels i<m (x_i=0), m+j (col j best)
    Q = polytope_vertices(A1, max_bases)  # y-space: labels j<n (y_j=0), n+i (row i best)
    # Put Q's labels on the common scale: row i -> i, column j -> m + j.
    q_bits = Q.labels
    y_zero = q_bits & ((1 << n) - 1)
    row_best = q_bits >> n
    q_labels = row_best | (y_zero << m)
    pairs = _completely_labelled_pairs(P, Q, q_labels, m, n)
    equilibria = []
    for i, j in pairs:
        x = P.points[i] / P.points[i].sum()
        y = Q.points[j] / Q.points[j].sum()
        equilibria.append((x, y))
    return EnumerationResult(equilibria, P.degenerate or Q.degenerate)
