"""Lemke-Howson complementary pivoting with a lexicographic ratio test and a pivot cap.

Used beyond the size limit of vertex enumeration: one equilibrium per dropped label, so the set
found from every label is never claimed complete. The lexicographic rule keeps degenerate games
from cycling (von Stengel 2002, section 3.5); the pivot cap guards against pathological paths,
and the caller verifies whatever comes back.
"""

from __future__ import annotations

import numpy as np

from negotiate.game.algorithms.vertex_enumeration import _positive

TOL = 1e-12


def _tableau(M: np.ndarray) -> np.ndarray:
    k, d = M.shape
    return np.hstack([M, np.eye(k), np.ones((k, 1))])


def _lex_min_row(tab: np.ndarray, col: int, k: int, d: int) -> int | None:
    """Row leaving when ``col`` enters: minimum ratio, ties broken lexicographically."""
    column = tab[:, col]
    rows = np.nonzero(column > TOL)[0]
    if len(rows) == 0:
        return None
    # Compare (rhs, inverse-basis columns) / pivot entry lexicographically.
    keys = np.hstack([tab[rows, -1:], tab[rows, d : d + k]]) / column[rows, None]
    for c in range(keys.shape[1]):  # ties within tolerance go on to the next key
        keep = keys[:, c] <= keys[:, c].min() + 1e-9
        rows, keys = rows[keep], keys[keep]
        if len(rows) == 1:
            break
    return int(rows[0])


def lemke_howson(
    A: np.ndarray, B: np.ndarray, dropped_label: int, max_pivots: int | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """One Nash equilibrium reached by dropping ``dropped_label``.

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Payoffs to the row and the column player.
    dropped_label : int
        0..m-1 for a row strategy, m..m+n-1 for a column strategy.
    max_pivots : int, optional
        Give up after this many pivots (default ``50 * (m + n)``).

    Returns
    -------
    (x, y) or None
        Mixed strategies, or None when the path exceeded ``max_pivots``.
    """
    m, n = A.shape
    A1, B1 = _positive(np.asarray(A, float), np.asarray(B, float))
    # Tableau P (x-space): columns x_i (label i), slack r_j (label m + j).
    # Tableau Q (y-space): columns y_j (label m + j), slack s_i (label i).
    tabs = {"P": _tableau(B1.T), "Q": _tableau(A1)}
    dims = {"P": (n, m), "Q": (m, n)}
    basis = {"P": list(range(m, m + n)), "Q": list(range(n, n + m))}

    def label_of(which: str, var: int) -> int:
        if which == "P":
            return var  # x_i is label i, slack r_j (var m + j) is label m + j
        return m + var if var < n else var - n  # y_j is label m + j, slack s_i is label i

    def var_of(which: str, label: int) -> int:
        if which == "P":
            return label
        return label - m if label >= m else n + label

    which = "P" if dropped_label < m else "Q"
    entering = var_of(which, dropped_label)
    for _ in range(max_pivots or 50 * (m + n)):
        tab = tabs[which]
        k, d = dims[which]
        row = _lex_min_row(tab, entering, k, d)
        if row is None:
            return None
        leaving = basis[which][row]
        tab[row] /= tab[row, entering]
        for r in range(k):
            if r != row and tab[r, entering] != 0.0:
                tab[r] -= tab[r, entering] * tab[row]
        basis[which][row] = entering
        left_label = label_of(which, leaving)
        if left_label == dropped_label:
            break
        which = "Q" if which == "P" else "P"
        entering = var_of(which, left_label)
    else:
        return None
    x = np.zeros(m)
    y = np.zeros(n)
    for r, var in enumerate(basis["P"]):
        if var < m:
            x[var] = tabs["P"][r, -1]
    for r, var in enumerate(basis["Q"]):
        if var < n:
            y[var] = tabs["Q"][r, -1]
    if x.sum() <= 0 or y.sum() <= 0:
        return None
    return x / x.sum(), y / y.sum()
