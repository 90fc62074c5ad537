import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negotiate.game.algorithms.vertex_enumeration import (
    BFS_MAX_BASES,
    TooLargeForEnumeration,
    vertex_enumeration,
)
from negotiate.game.equilibria import is_equilibrium
from tests.oracles import as_key, gambit_equilibria


def keys(result):
    return {as_key(x, y) for x, y in result.equilibria}


# Both walks: breadth-first (small polytopes, the default here) and reverse search (forced by 0).
WALKS = pytest.mark.parametrize("bfs_max_bases", [BFS_MAX_BASES, 0], ids=["breadth-first", "reverse-search"])


# Textbook games with known equilibrium sets.
def test_prisoners_dilemma_has_one_equilibrium():
    A = np.array([[3, 0], [5, 1]])  # row: cooperate, defect
    res = vertex_enumeration(A, A.T)
    assert keys(res) == {as_key(np.array([0, 1.0]), np.array([0, 1.0]))}


def test_battle_of_the_sexes_mixed_is_06_04():
    A = np.array([[3, 0], [0, 2]])
    B = np.array([[2, 0], [0, 3]])
    res = vertex_enumeration(A, B)
    assert keys(res) == {
        as_key(np.array([1.0, 0]), np.array([1.0, 0])),
        as_key(np.array([0, 1.0]), np.array([0, 1.0])),
        as_key(np.array([0.6, 0.4]), np.array([0.4, 0.6])),
    }
    assert not res.degenerate


def test_matching_pennies_is_uniform():
    A = np.array([[1, -1], [-1, 1]])
    res = vertex_enumeration(A, -A)
    assert keys(res) == {as_key(np.array([0.5, 0.5]), np.array([0.5, 0.5]))}


def test_three_equilibria_game():
    A = np.array([[1, 2], [3, 0]])
    B = np.array([[0, 2], [3, 1]])
    res = vertex_enumeration(A, B)
    assert keys(res) == {
        as_key(np.array([1.0, 0]), np.array([0, 1.0])),
        as_key(np.array([0, 1.0]), np.array([1.0, 0])),
        as_key(np.array([0.5, 0.5]), np.array([0.5, 0.5])),
    }


@WALKS
def test_all_zero_game_is_degenerate_and_lists_every_extreme_equilibrium(bfs_max_bases):
    res = vertex_enumeration(np.zeros((2, 2)), np.zeros((2, 2)), bfs_max_bases=bfs_max_bases)
    assert res.degenerate
    assert len(res.equilibria) == 4  # the four pure profiles span the continuum


@WALKS
def test_size_limit_raises(bfs_max_bases):
    rng = np.random.default_rng(0)
    with pytest.raises(TooLargeForEnumeration):
        vertex_enumeration(rng.normal(size=(9, 9)), rng.normal(size=(9, 9)), max_bases=50, bfs_max_bases=bfs_max_bases)


def test_too_many_labels_for_the_masks_raises_at_once():
    with pytest.raises(TooLargeForEnumeration, match="labels"):
        vertex_enumeration(np.zeros((32, 31)), np.zeros((32, 31)))


# Independent oracle: Gambit's enummixed must agree on the complete set.
@WALKS
@pytest.mark.parametrize("seed", range(30))
def test_agrees_with_gambit_on_nondegenerate_games(seed, bfs_max_bases):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 9, size=2)
    A, B = rng.standard_normal((m, n)), rng.standard_normal((m, n))
    assert keys(vertex_enumeration(A, B, bfs_max_bases=bfs_max_bases)) == gambit_equilibria(A, B)


@WALKS
@pytest.mark.parametrize("seed", range(30))
def test_agrees_with_gambit_on_games_with_ties(seed, bfs_max_bases):
    rng = np.random.default_rng(1000 + seed)
    m, n = rng.integers(2, 9, size=2)
    A, B = rng.integers(-2, 3, (m, n)), rng.integers(-2, 3, (m, n))
    assert keys(vertex_enumeration(A, B, bfs_max_bases=bfs_max_bases)) == gambit_equilibria(A, B)


def test_agrees_with_nashpy_vertex_enumeration():
    nashpy = pytest.importorskip("nashpy")
    rng = np.random.default_rng(7)
    for _ in range(10):
        A, B = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
        expected = {as_key(x, y) for x, y in nashpy.Game(A, B).vertex_enumeration()}
        assert keys(vertex_enumeration(A, B)) == expected


# Payoffs with two decimals, as scenarios give them: the enumerator resolves payoff differences
# down to about 1e-6 of a player's payoff range, not to the last bit of a float.
cents = st.integers(-1000, 1000).map(lambda k: k / 100)
payoffs = arrays(np.float64, st.tuples(st.integers(2, 5), st.integers(2, 5)), elements=cents)


@settings(max_examples=80, deadline=None)
@given(payoffs, st.data())
def test_every_equilibrium_is_a_mutual_best_response(A, data):
    B = data.draw(arrays(np.float64, A.shape, elements=cents))
    res = vertex_enumeration(A, B)
    assert res.equilibria, "every finite game has an equilibrium"
    for x, y in res.equilibria:
        assert np.isclose(x.sum(), 1) and np.isclose(y.sum(), 1)
        assert (x >= -1e-12).all() and (y >= -1e-12).all()
        assert is_equilibrium(A, B, x, y)
    if not res.degenerate:
        assert len(res.equilibria) % 2 == 1  # nondegenerate games have an odd number
