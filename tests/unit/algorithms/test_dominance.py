import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negotiate.game.algorithms.batched import iterated_elimination_batched
from negotiate.game.algorithms.dominance import iterated_elimination, strictly_dominated
from negotiate.game.algorithms.vertex_enumeration import vertex_enumeration


def test_prisoners_dilemma_reduces_to_defection():
    A = np.array([[3, 0], [5, 1]])
    rows, cols = iterated_elimination(A, A.T)
    assert rows.tolist() == [1] and cols.tolist() == [1]


def test_weak_dominance_is_kept():
    assert strictly_dominated(np.array([[1, 1], [1, 2]])).tolist() == [False, False]


def test_iterated_rounds():
    # Column R is dominated for the column player; then row D is dominated for the row player.
    A = np.array([[2, 0], [1, 3]])
    B = np.array([[2, 1], [2, 1]])
    rows, cols = iterated_elimination(A, B)
    assert rows.tolist() == [0] and cols.tolist() == [0]


games = arrays(np.int64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.integers(-3, 3))


@settings(max_examples=80, deadline=None)
@given(games, st.data())
def test_elimination_keeps_every_equilibrium(A, data):
    B = data.draw(arrays(np.int64, A.shape, elements=st.integers(-3, 3)))
    rows, cols = iterated_elimination(A, B)
    for x, y in vertex_enumeration(A, B).equilibria:
        assert set(np.nonzero(x > 1e-9)[0]) <= set(rows.tolist())
        assert set(np.nonzero(y > 1e-9)[0]) <= set(cols.tolist())


@settings(max_examples=40, deadline=None)
@given(games, st.data())
def test_batched_elimination_matches_one_game_at_a_time(A, data):
    B = data.draw(arrays(np.int64, A.shape, elements=st.integers(-3, 3)))
    rows, cols = iterated_elimination(A, B)
    brows, bcols = iterated_elimination_batched(A[None].astype(float), B[None].astype(float))
    assert np.nonzero(brows[0])[0].tolist() == rows.tolist()
    assert np.nonzero(bcols[0])[0].tolist() == cols.tolist()
