"""Complete enumeration of the extreme Nash equilibria of a bimatrix game.

Best-response polytopes (von Stengel, "Computing equilibria for two-person games", Handbook of
Game Theory vol. 3, 2002, section 3): with payoffs shifted to be positive,

    P = {x >= 0 : B^T x <= 1}     Q = {y >= 0 : A y <= 1}

and an equilibrium is a completely labelled pair of vertices (x, y) other than (0, 0), normalised.
Every extreme equilibrium is such a pair, also in degenerate games, so enumerating all vertices of
both polytopes gives the complete set of extreme equilibria.

Two walks over the bases of a polytope, by size:

* small polytopes (up to ``BFS_MAX_BASES`` feasible bases, most games of the shipped
  scenarios and of the Monte Carlo draws) by a breadth-first search that pivots a whole layer of
  tableaux at once. It keeps every basis in memory, which is cheap at that size, and is two to
  three times faster there than the reverse search, whose chunks are then nearly empty; it is also
  the walk this package has always used, so the small games' equilibria stay the same to the last
  bit (a different pivot path changes the last digits of a float);
* larger ones by reverse search (``negotiate.game.algorithms.reverse_search``, after Avis and
  Fukuda's lrs), whose memory does not grow with the number of vertices, the two polytopes in two
  threads; its equilibria are recomputed from their labels by a small linear solve.

Both polytopes are enumerated, rather than one polytope with the matching point of the other
solved for each vertex (the lrsnash approach, which would halve the work): that cannot tell
whether the other polytope is degenerate, and ``degenerate`` is part of the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negotiate.game.algorithms.reverse_search import (
    MAX_BASES,
    MAX_LABELS,
    TOL,
    TooLargeForEnumeration,
    both_polytope_vertices,
    polytope_vertices,
)

__all__ = [
    "BFS_MAX_BASES",
    "MAX_BASES",
    "EnumerationResult",
    "TooLargeForEnumeration",
    "bfs_polytope_vertices",
    "vertex_enumeration",
]

# Polytopes with up to this many feasible bases are walked breadth-first; beyond, by reverse
# search. The breadth-first walk holds a layer of tableaux at once: at this size a few MB.
BFS_MAX_BASES = 2_000


@dataclass(frozen=True)
class BFSVertices:
    """Vertices of {z >= 0 : M z <= 1} found breadth-first.

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


def bfs_polytope_vertices(M: np.ndarray, max_bases: int = BFS_MAX_BASES) -> BFSVertices:
    """Every vertex of ``{z >= 0 : M z <= 1}``, with its point, for a small polytope.

    Breadth-first over the feasible bases: simplex pivots from the origin, all entering columns
    and all tied leaving rows of a whole layer of bases at once (numpy over a stack of tableaux),
    so that there is no Python loop per basis. The graph of feasible bases of a polytope is
    connected, so the search reaches every vertex, degenerate ones through every basis that
    represents them. Every basis is kept in memory: for small polytopes only.

    Parameters
    ----------
    M : ndarray, shape (k, d)
        Constraint matrix with positive entries (so the polytope is bounded).
    max_bases : int
        Stop with ``TooLargeForEnumeration`` beyond this many feasible bases.

    Returns
    -------
    BFSVertices
    """
    k, d = M.shape
    n_vars = d + k
    if n_vars > MAX_LABELS:
        raise TooLargeForEnumeration(f"{n_vars} labels exceed the {MAX_LABELS}-bit label masks")
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


def _with_labels(M: np.ndarray, points: np.ndarray, bases: int) -> BFSVertices:
    k, d = M.shape
    tight_var = points <= TOL
    tight_row = M @ points.T >= 1.0 - 1e-9
    bits = np.left_shift(np.int64(1), np.arange(d + k, dtype=np.int64))
    labels = (np.concatenate([tight_var, tight_row.T], axis=1) * bits).sum(axis=1)
    n_labels = tight_var.sum(axis=1) + tight_row.sum(axis=0)
    return BFSVertices(points, labels.astype(np.int64), bool((n_labels > d).any()), bases)


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


def _completely_labelled_pairs(px: np.ndarray, qy: np.ndarray, m: int, n: int) -> list[tuple[int, int]]:
    """Label-mask pairs (x in P, y in Q) covering all m + n labels, x not the origin.

    ``px`` on P's scale, the common one (row i is label i, column j label m + j); ``qy`` on Q's
    own scale (bit j: y_j = 0, bit n + i: row i a best response), sorted. A vertex with exactly its
    dimension in labels can only pair with the vertex carrying the complementary set, found by
    sorted lookup; only vertices with extra labels (degenerate) need the superset test against
    every vertex of the other polytope. Both run over blocks of ``px``, so that the temporaries stay
    small next to the masks. The origin of Q never pairs with a vertex of P other than its origin.
    """
    rows = np.int64((1 << m) - 1)
    full_q = np.int64((1 << (m + n)) - 1)
    extra_y = qy[_popcount(qy) > n]
    found: set[tuple[int, int]] = set()
    block = 1 << 20
    for start in range(0, len(px), block):
        part = px[start : start + block]
        part = part[(part & rows) != rows]  # x = 0 has every row label
        need = _from_common(~part, m, n) & full_q  # the labels y must have, on Q's scale
        pos = np.minimum(np.searchsorted(qy, need), len(qy) - 1)
        hit = qy[pos] == need
        found.update(zip(part[hit].tolist(), qy[pos[hit]].tolist()))
        part_q = _from_common(part, m, n)
        extra_x = _popcount(part) > m
        for xs, xq, ys in ((part[extra_x], part_q[extra_x], qy), (part, part_q, extra_y)):
            step = max(1, 4_000_000 // max(1, len(ys)))
            for s in range(0, len(xs), step):
                i, j = np.nonzero((xq[s : s + step, None] | ys[None, :]) == full_q)
                found.update(zip(xs[s : s + step][i].tolist(), ys[j].tolist()))
    return sorted(found)


def _point(M: np.ndarray, label: int) -> np.ndarray:
    """The vertex of {z >= 0 : M z <= 1} with the given label mask (own scale), normalised."""
    k, d = M.shape
    bits = (label >> np.arange(d + k)) & 1 == 1
    support, tight = ~bits[:d], bits[d:]
    z = np.zeros(d)
    z[support] = np.linalg.lstsq(M[np.ix_(tight, support)], np.ones(int(tight.sum())), rcond=None)[0]
    return z / z.sum()


def _from_common(labels: np.ndarray, m: int, n: int) -> np.ndarray:
    """Labels on the common scale (row i -> i, column j -> m + j) on Q's (column j -> j, row i -> n + i)."""
    return ((labels >> m) & ((1 << n) - 1)) | ((labels & ((1 << m) - 1)) << n)


@dataclass(frozen=True)
class EnumerationResult:
    """Extreme equilibria found by vertex enumeration, and whether the game is degenerate."""

    equilibria: list[tuple[np.ndarray, np.ndarray]]
    degenerate: bool


def vertex_enumeration(
    A: np.ndarray, B: np.ndarray, max_bases: int = MAX_BASES, bfs_max_bases: int = BFS_MAX_BASES
) -> EnumerationResult:
    """All extreme Nash equilibria of the bimatrix game (A, B).

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Payoffs to the row and the column player.
    max_bases : int
        Size limit of the enumeration: lex-positive bases per polytope (see
        ``MAX_BASES``).
    bfs_max_bases : int
        Polytopes with up to this many feasible bases are walked breadth-first (0: never).

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
    if m + n > MAX_LABELS:
        raise TooLargeForEnumeration(f"{m + n} labels exceed the {MAX_LABELS}-bit label masks")
    A1, B1 = _positive(np.asarray(A, float), np.asarray(B, float))
    # x-space P: labels i < m (x_i = 0), m + j (column j a best response); y-space Q: labels j < n
    # (y_j = 0), n + i (row i a best response).
    try:
        limit = min(bfs_max_bases, max_bases)
        small = bfs_polytope_vertices(B1.T, limit), bfs_polytope_vertices(A1, limit)
    except TooLargeForEnumeration:
        small = None
    if small is not None:
        P, Q = small
        # Order of the breadth-first walk, as this package has always listed them.
        index_x = {int(lab): i for i, lab in enumerate(P.labels)}
        index_y = {int(lab): j for j, lab in enumerate(Q.labels)}
        matched = _completely_labelled_pairs(P.labels, np.sort(Q.labels), m, n)
        pairs = sorted((index_x[px], index_y[qy]) for px, qy in matched)
        equilibria = [(P.points[i] / P.points[i].sum(), Q.points[j] / Q.points[j].sum()) for i, j in pairs]
        return EnumerationResult(equilibria, P.degenerate or Q.degenerate)
    if m * n < 64:  # not worth a thread
        PR, QR = polytope_vertices(B1.T, max_bases), polytope_vertices(A1, max_bases)
    else:
        PR, QR = both_polytope_vertices(B1.T, A1, max_bases)
    equilibria = [(_point(B1.T, px), _point(A1, qy)) for px, qy in _completely_labelled_pairs(PR.labels, QR.labels, m, n)]
    return EnumerationResult(equilibria, PR.degenerate or QR.degenerate)
