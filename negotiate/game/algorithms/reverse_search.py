"""Vertices of a polytope {z >= 0 : M z <= 1} by reverse search, in memory of 8 bytes a vertex.

Reverse search (Avis and Fukuda, "A pivoting algorithm for convex hulls and vertex enumeration of
arrangements and polyhedra", Discrete Comput. Geom. 8, 1992; Avis, "lrs: a revised implementation
of the reverse search vertex enumeration algorithm", 2000). The right-hand side is perturbed
lexicographically (the lexicographic ratio test over the rows of ``[rhs | B^-1]``), which makes
the polytope simple: each lex-positive basis is one vertex of the perturbed polytope, and every
vertex of the real one is the image of at least one of them, so degenerate polytopes lose no
vertex. Bland's rule for "minimise the sum of the variables" leads from every lex-positive basis
to the origin's basis, and so defines a spanning tree of the basis graph rooted there; the search
walks that tree down, a basis being a child of its neighbour exactly when Bland's rule pivots back.

Why reverse search rather than a depth-first search with a visited set of 64-bit basis masks:

* memory: a vertex is kept as its 64-bit label mask (8 bytes, the output), never as a tableau;
  beyond that only the stack of the tree walk, a few chunks of ``CHUNK`` dictionaries, and no
  visited set. Masks of degenerate vertices met from several bases are deduplicated at the end;
* whether a neighbour is a child is an O(d) test on the pivoted objective row, so a dictionary is
  only pivoted for the bases actually visited, each exactly once;
* a visited set would hold every basis, 8 bytes at best (sorted numpy arrays, a binary search
  per edge end) and about 70 in a Python set, on top of the vertices' masks.

The price: the tree is defined by floating-point decisions (Bland's rule, the lexicographic ratio
test), each taken once with the tolerance ``TOL``, where a visited set would be purely
combinatorial; the tests compare both walks on degenerate games and against Gambit.

The tree is walked ``CHUNK`` bases at a time (numpy over a stack of dictionaries), so there is
no Python loop per basis: about 5 microseconds a basis at 20x20, where a dense random game has
1-3 million vertices a polytope (0.1-0.2 million at 16x16).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

# Tolerance on pivots, ratios and labels, relative to payoffs scaled into [1, 2]. Payoff
# differences below about 1e-6 of a player's range are therefore not resolved reliably.
TOL = 1e-9
# Size limit of the exact enumeration: lex-positive bases (vertices, in a nondegenerate game) per
# best-response polytope. Dense random games have 1-3 million at 20x20 and about 6 million at
# 21x21, so these fit; a 22x22 one reaches the limit after about 70 s (two polytopes in parallel,
# about 5 microseconds a basis), with its masks at 80 MB a polytope. Beyond it the caller falls
# back to Lemke-Howson. Memory stays bounded at any size: the masks up to this limit, the stack.
MAX_BASES = 10_000_000
# Bases expanded together: large enough to amortise numpy's per-call overhead, small enough that
# the tableaux of the stack stay in the tens of megabytes.
CHUNK = 2048
# Label masks are 64-bit integers: one bit per variable of a polytope (m + n of them).
MAX_LABELS = 62


class TooLargeForEnumeration(Exception):
    """Raised when a polytope has more bases than ``max_bases``, or too many labels for a mask."""


class _Stopped(TooLargeForEnumeration):
    """The other polytope was too large, so this one's enumeration was abandoned."""


@dataclass(frozen=True)
class PolytopeVertices:
    """Vertices of {z >= 0 : M z <= 1}, as label masks.

    Attributes
    ----------
    labels : ndarray of int64, shape (v,)
        One mask a vertex, sorted: bit i set when z_i = 0 (i < d); bit d + j set when row j of
        ``M z <= 1`` is tight. A vertex is determined by its set of tight constraints.
    degenerate : bool
        Whether some vertex has more than d tight constraints.
    bases : int
        Number of lex-positive bases visited.
    """

    labels: np.ndarray
    degenerate: bool
    bases: int


def polytope_vertices(
    M: np.ndarray, max_bases: int = MAX_BASES, stop: threading.Event | None = None
) -> PolytopeVertices:
    """Every vertex of ``{z >= 0 : M z <= 1}`` for a strictly positive matrix ``M``, by reverse search.

    Parameters
    ----------
    M : ndarray, shape (k, d)
        Constraint matrix with positive entries (so the polytope is bounded).
    max_bases : int
        Stop with ``TooLargeForEnumeration`` beyond this many lex-positive bases.
    stop : threading.Event, optional
        Abandon the enumeration (``TooLargeForEnumeration`` too) once this is set.

    Returns
    -------
    PolytopeVertices
    """
    k, d = M.shape
    if d + k > MAX_LABELS:
        raise TooLargeForEnumeration(f"{d + k} labels exceed the {MAX_LABELS}-bit label masks")
    # Dictionary of a basis, stored by columns: T[c, i] is the coefficient of nonbasic variable c
    # in row i, where row i reads x_basis[i] + sum_c T[c, i] x_nonbasic[c] = T[d, i]. T[c, k] is
    # the reduced cost of column c for "minimise sum(z)", whose unique optimum is the origin (the
    # root of the tree).
    # Columns are contiguous because the ratio test reads one column per candidate pivot.
    root = np.zeros((1, d + 1, k + 1))
    root[0, :d, :k] = M.T
    root[0, d, :k] = 1.0
    root[0, :d, k] = 1.0
    # Variables are numbered z_0..z_{d-1}, then the slacks of the k rows; int8 keeps index
    # arrays small (at most MAX_LABELS variables).
    stack: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [
        (root, np.arange(d, d + k, dtype=np.int8)[None, :], np.arange(d, dtype=np.int8)[None, :])
    ]
    # A nondegenerate vertex has one basis, so its mask is met once; a degenerate one is met once
    # for each of its lex-positive bases, so those masks are kept apart and deduplicated.
    masks: list[np.ndarray] = []
    degenerate_masks: list[np.ndarray] = []
    bases = 0
    while stack:
        T, basis, nonbasic = _pop_chunk(stack)
        bases += len(T)
        if bases > max_bases:
            raise TooLargeForEnumeration(f"more than {max_bases} bases in a best-response polytope")
        if stop is not None and stop.is_set():
            raise _Stopped("abandoned: the other best-response polytope is too large")
        labels = _labels(T[:, d, :k], basis, nonbasic)
        extra = _popcount(labels) > d
        if extra.any():
            degenerate_masks.append(labels[extra])
            labels = labels[~extra]
        masks.append(labels)
        new_T, new_basis, new_nonbasic = _children(T, basis, nonbasic)
        for start in range(0, len(new_T), CHUNK):
            part = slice(start, start + CHUNK)
            stack.append((new_T[part], new_basis[part], new_nonbasic[part]))
    all_masks = np.concatenate(masks + [np.unique(np.concatenate(degenerate_masks))] if degenerate_masks else masks)
    del masks
    all_masks.sort()  # in place: this array is the largest the enumeration holds
    return PolytopeVertices(all_masks, bool(degenerate_masks), bases)


def _pop_chunk(stack: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Take the top of the stack, topped up with the entries below it to about ``CHUNK`` bases."""
    parts = [stack.pop()]
    size = len(parts[0][0])
    while stack and size + len(stack[-1][0]) <= CHUNK:
        parts.append(stack.pop())
        size += len(parts[-1][0])
    if len(parts) == 1:
        return parts[0]
    T, basis, nonbasic = (np.concatenate(a) for a in zip(*parts))
    return T, basis, nonbasic


def _labels(rhs: np.ndarray, basis: np.ndarray, nonbasic: np.ndarray) -> np.ndarray:
    """Label masks of the vertices of a chunk of bases: nonbasic variables and basic zeros."""
    one = np.int64(1)
    zero_basic = np.where(rhs <= TOL, np.left_shift(one, basis.astype(np.int64)), 0)
    return np.left_shift(one, nonbasic.astype(np.int64)).sum(axis=1) + zero_basic.sum(axis=1)


def _children(
    T: np.ndarray, basis: np.ndarray, nonbasic: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The children of a chunk of bases in the reverse-search tree, pivoted.

    A neighbour w of v (entering column c, leaving row r) is a child of v when Bland's rule at w,
    for minimising sum(z), pivots back to v: the smallest variable with a negative reduced cost in
    w is the one that left v. Only columns whose reduced cost in v is positive can qualify (the
    step back must decrease the objective).
    """
    d, k = T.shape[1] - 1, T.shape[2] - 1
    obj = T[:, :d, k]
    v, c = np.nonzero(obj > 0.0)
    col = T[v, c, :k]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = T[v, d, :k] / col
    ratio[col <= TOL] = np.inf
    r = ratio.argmin(axis=1)
    g = np.arange(len(v))
    best = ratio[g, r]
    bounded = np.isfinite(best)
    if not bounded.all():  # only by round-off: the polytope is bounded
        v, c, r, col, ratio, best = (a[bounded] for a in (v, c, r, col, ratio, best))
        g = np.arange(len(v))
    ties = ratio <= (best + TOL * (1.0 + best))[:, None]
    tied = np.nonzero(np.count_nonzero(ties, axis=1) > 1)[0]
    if len(tied):
        r[tied] = _lex_min_rows(T, basis, nonbasic, v[tied], c[tied], col[tied], ties[tied])
    pivot = col[g, r]
    leaving = basis[v, r]
    # Reduced costs at w: the objective row pivoted on (r, c); column c now stands for `leaving`.
    step = obj[v, c] / pivot
    obj_w = obj[v] - step[:, None] * T[v, :d, r]
    var_w = nonbasic[v]
    # Bland at w picks `leaving` iff its own reduced cost -step is negative and no smaller
    # variable (column c excluded: it holds `leaving`) has a negative one.
    smaller = (obj_w < -TOL) & (var_w < leaving[:, None])
    smaller[g, c] = False
    child = np.nonzero((step > TOL) & ~smaller.any(axis=1))[0]
    v, c, r, pivot, leaving = v[child], c[child], r[child], pivot[child], leaving[child]
    g = np.arange(len(v))
    row = T[v, :, r] / pivot[:, None]  # row r of the dictionary, divided by the pivot
    row[g, c] = 1.0 / pivot
    column = T[v, c, :]  # column c, the objective included
    new = T[v] - row[:, :, None] * column[:, None, :]
    new[g, c, :] = -column / pivot[:, None]
    new[g, :, r] = row
    new_basis = basis[v]
    new_nonbasic = nonbasic[v]
    new_basis[g, r] = nonbasic[v, c]
    new_nonbasic[g, c] = leaving
    return new, new_basis, new_nonbasic


def _lex_min_rows(
    T: np.ndarray,
    basis: np.ndarray,
    nonbasic: np.ndarray,
    v: np.ndarray,
    c: np.ndarray,
    col: np.ndarray,
    ties: np.ndarray,
) -> np.ndarray:
    """Break ratio ties by the lexicographic rule: rows of B^-1 / pivot entry, column by column.

    B^-1 is the slack columns of the full tableau: column j is the dictionary column of slack j
    when it is nonbasic, the unit vector of its row when it is basic. B^-1 is regular, so the
    rows of ``[rhs | B^-1]`` are distinct and the lex-minimum row is unique.
    """
    t = len(v)
    d, k = T.shape[1] - 1, T.shape[2] - 1
    inverse = np.zeros((t, k, k))  # inverse[g, :, j]: column j of B^-1
    nb = nonbasic[v].astype(np.int64)
    gi, pos = np.nonzero(nb >= d)
    inverse[gi, :, nb[gi, pos] - d] = T[v[gi], pos, :k]
    bs = basis[v].astype(np.int64)
    gi, row = np.nonzero(bs >= d)
    inverse[gi, row, bs[gi, row] - d] = 1.0
    safe = np.where(ties, col, 1.0)
    for j in range(k):
        key = np.where(ties, inverse[:, :, j] / safe, np.inf)
        low = key.min(axis=1)
        ties &= key <= (low + TOL * (1.0 + np.abs(low)))[:, None]
        if (np.count_nonzero(ties, axis=1) == 1).all():
            break
    return ties.argmax(axis=1)


def both_polytope_vertices(
    MP: np.ndarray, MQ: np.ndarray, max_bases: int
) -> tuple[PolytopeVertices, PolytopeVertices]:
    """``polytope_vertices`` of two polytopes, in two threads; when one is too large, both stop.

    numpy releases the GIL inside its array operations, so the two walks overlap on two cores.
    """
    stop = threading.Event()

    def run(M: np.ndarray) -> PolytopeVertices:
        try:
            return polytope_vertices(M, max_bases, stop)
        except TooLargeForEnumeration:
            stop.set()
            raise

    with ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(run, MP), pool.submit(run, MQ)]
        errors = [e for job in jobs if isinstance(e := job.exception(), BaseException)]
    # Report the polytope that was too large, not the one abandoned because of it.
    errors.sort(key=lambda e: isinstance(e, _Stopped))
    if errors:
        raise errors[0]
    return jobs[0].result(), jobs[1].result()


def _popcount(a: np.ndarray) -> np.ndarray:
    return np.bitwise_count(a.astype(np.uint64)).astype(np.int64)
