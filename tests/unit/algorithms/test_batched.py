import numpy as np
import pytest

from negotiate.game.algorithms.batched import support_enumeration_batched
from tests.oracles import as_key, gambit_equilibria


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (3, 4), (5, 4)])
def test_batched_support_enumeration_agrees_with_gambit(shape):
    rng = np.random.default_rng(sum(shape))
    A = rng.standard_normal((12,) + shape)
    B = rng.standard_normal((12,) + shape)
    found, exact = support_enumeration_batched(A, B)
    assert not exact.any()  # continuous payoffs: nondegenerate almost surely
    for d in range(12):
        assert {as_key(x, y) for x, y in found[d]} == gambit_equilibria(A[d], B[d])


def test_ties_are_sent_to_the_exact_solver():
    A = np.array([[[1.0, 1.0], [0.0, 2.0]]])
    B = np.array([[[1.0, 1.0], [2.0, 0.0]]])  # the column player ties in row 0
    found, exact = support_enumeration_batched(A, B)
    assert exact.tolist() == [True] and found == [[]]


def old_iterated_elimination_batched(A, B, tol):
    """The previous version, all pairs at once ((draws, m, m, n) booleans): the oracle."""
    N, m, n = A.shape
    rows, cols = np.ones((N, m), dtype=bool), np.ones((N, n), dtype=bool)
    while True:
        beats_r = (A[:, None, :, :] > A[:, :, None, :] + tol) | ~cols[:, None, None, :]
        dom_r = (beats_r.all(axis=3) & rows[:, None, :]).any(axis=2) & rows
        beats_c = (B[:, :, None, :] > B[:, :, :, None] + tol) | ~rows[:, :, None, None]
        dom_c = (beats_c.all(axis=1) & cols[:, None, :]).any(axis=2) & cols
        if not dom_r.any() and not dom_c.any():
            return rows, cols
        rows &= ~dom_r
        cols &= ~dom_c


@pytest.mark.parametrize("seed", range(40))
def test_batched_elimination_matches_all_pairs(seed):
    from negotiate.game.algorithms.batched import TIE_TOL, iterated_elimination_batched

    rng = np.random.default_rng(seed)
    N, m, n = rng.integers(1, 12), rng.integers(1, 10), rng.integers(1, 10)
    if seed % 2:  # small integers: ties everywhere
        A, B = rng.integers(-2, 3, (2, N, m, n)).astype(float)
    else:  # additive lever terms plus interactions, as posture games are
        A, B = (rng.normal(size=(2, N, m, 1)) + rng.normal(size=(2, N, 1, n))
                + 0.4 * rng.integers(0, 2, (2, N, m, n)))
    rows, cols = iterated_elimination_batched(A, B)
    old_rows, old_cols = old_iterated_elimination_batched(A, B, TIE_TOL)
    assert np.array_equal(rows, old_rows) and np.array_equal(cols, old_cols)
