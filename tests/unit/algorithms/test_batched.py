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
