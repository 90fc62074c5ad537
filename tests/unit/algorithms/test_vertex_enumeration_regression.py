"""The reverse search finds exactly what the breadth-first search finds, and what Gambit finds.

The breadth-first walk (``bfs_polytope_vertices``, the enumerator this package used alone before
the reverse search; still used for small polytopes) is a second, independently written walk over
the same polytopes. Degenerate games (integer payoffs in small ranges) are where the two could
differ, so most cases are those. ``bfs_max_bases=0`` forces the reverse search.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negotiate.game.algorithms.reverse_search import polytope_vertices
from negotiate.game.algorithms.vertex_enumeration import _positive, bfs_polytope_vertices, vertex_enumeration
from tests.oracles import as_key, gambit_equilibria

BFS_ONLY = 10**9
REVERSE_SEARCH_ONLY = 0


def reverse_search(A, B):
    return vertex_enumeration(A, B, bfs_max_bases=REVERSE_SEARCH_ONLY)


def keys(equilibria):
    return {as_key(x, y) for x, y in equilibria}


def same_sets(found, expected, tol=1e-7):
    """Equal sets of (x, y) within ``tol``: no rounding to keys (45/128 rounds either way)."""
    flat = [np.concatenate(p) for p in found]
    other = [np.concatenate(p) for p in expected]
    return len(flat) == len(other) and all(
        any(np.allclose(a, b, atol=tol, rtol=0) for b in other) for a in flat
    ) and all(any(np.allclose(a, b, atol=tol, rtol=0) for b in flat) for a in other)


def assert_same_as_bfs(A, B):
    new, old = reverse_search(A, B), vertex_enumeration(A, B, bfs_max_bases=BFS_ONLY)
    assert same_sets(new.equilibria, old.equilibria)  # also no duplicates: the counts agree
    assert new.degenerate == old.degenerate


def assert_same_vertices(M):
    new, old = polytope_vertices(M), bfs_polytope_vertices(M, BFS_ONLY)
    assert set(new.labels.tolist()) == set(old.labels.tolist())
    assert len(new.labels) == len(old.labels)
    assert new.degenerate == old.degenerate


@pytest.mark.parametrize("seed", range(40))
def test_dense_random_games(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 12, size=2)
    assert_same_as_bfs(rng.standard_normal((m, n)), rng.standard_normal((m, n)))


@pytest.mark.parametrize("seed", range(80))
def test_games_with_ties(seed):
    rng = np.random.default_rng(5000 + seed)
    m, n = rng.integers(2, 9, size=2)
    low, high = [(0, 1), (-1, 1), (-2, 2), (0, 3)][seed % 4]
    A, B = rng.integers(low, high + 1, (m, n)), rng.integers(low, high + 1, (m, n))
    assert_same_as_bfs(A, B)


@pytest.mark.parametrize("seed", range(30))
def test_vertices_of_degenerate_polytopes(seed):
    rng = np.random.default_rng(9000 + seed)
    k, d = rng.integers(2, 9, size=2)
    M = _positive(rng.integers(0, 3, (k, d)), rng.integers(0, 3, (k, d)))[0]
    assert_same_vertices(M)


@pytest.mark.parametrize(
    "A, B",
    [
        (np.zeros((3, 3)), np.zeros((3, 3))),  # every profile an equilibrium
        (np.ones((2, 4)), np.arange(8.0).reshape(2, 4)),  # the row player indifferent
        (np.array([[1, 1], [1, 1], [0, 2]]), np.array([[1, 0], [1, 0], [0, 1]])),  # repeated rows
        (np.eye(4), np.eye(4)),  # coordination: a continuum of mixtures of pure equilibria
        (np.array([[0, 1, -1], [-1, 0, 1], [1, -1, 0]]), -np.array([[0, 1, -1], [-1, 0, 1], [1, -1, 0]])),
        (np.kron(np.eye(2), np.ones((2, 2))), np.kron(np.eye(2), np.ones((2, 2)))),  # block ties
    ],
)
def test_structured_degenerate_games(A, B):
    assert_same_as_bfs(np.asarray(A, float), np.asarray(B, float))


small_ints = arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(-1, 1))


@settings(max_examples=60, deadline=None)
@given(small_ints, st.data())
def test_games_with_ties_property(A, data):
    B = data.draw(arrays(np.int64, A.shape, elements=st.integers(-1, 1)))
    assert_same_as_bfs(A, B)


@pytest.mark.slow
@pytest.mark.parametrize("size, seed", [(15, 0), (16, 2)])
def test_dense_large_games_match_bfs(size, seed):
    # The breadth-first reference needs about 2 GB here.
    rng = np.random.default_rng(seed)
    assert_same_as_bfs(rng.standard_normal((size, size)), rng.standard_normal((size, size)))


def gambit_float_equilibria(A, B):
    """Gambit's enummixed in floating point: exact rationals take minutes from 12x12 on."""
    import pygambit as gbt

    game = gbt.Game.from_arrays(A.tolist(), B.tolist())
    result = gbt.nash.enummixed_solve(game, rational=False)
    out = set()
    for eq in result.equilibria:
        x, y = ([float(eq[s]) for s in p.strategies] for p in game.players)
        out.add(as_key(np.array(x), np.array(y)))
    return out


def test_dense_12x12_agrees_with_gambit():
    # Both walks (the default takes the reverse search here).
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((12, 12)), rng.standard_normal((12, 12))
    expected = gambit_float_equilibria(A, B)
    assert keys(reverse_search(A, B).equilibria) == expected
    assert keys(vertex_enumeration(A, B, bfs_max_bases=BFS_ONLY).equilibria) == expected


@pytest.mark.slow
@pytest.mark.parametrize("size, seed", [(13, 0)])
def test_dense_large_games_agree_with_gambit(size, seed):
    # Gambit needs about 40 s at 13x13 (150 s at 14x14: too long for the suite; checked by hand once).
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    assert keys(reverse_search(A, B).equilibria) == gambit_float_equilibria(A, B)


@pytest.mark.parametrize("seed", range(4))
def test_degenerate_8x8_agrees_with_exact_gambit(seed):
    rng = np.random.default_rng(700 + seed)
    A, B = rng.integers(-2, 3, (8, 8)), rng.integers(-2, 3, (8, 8))
    assert keys(reverse_search(A, B).equilibria) == gambit_equilibria(A, B)
