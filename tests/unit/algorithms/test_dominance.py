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


# ---------------------------------------------------------------- against the all-pairs version
def old_strictly_dominated(payoffs, tol=1e-12):
    return (payoffs[None, :, :] > payoffs[:, None, :] + tol).all(axis=2).any(axis=1)


def old_iterated_elimination(A, B):
    rows, cols = np.arange(A.shape[0]), np.arange(A.shape[1])
    while True:
        drop_r = old_strictly_dominated(A[np.ix_(rows, cols)])
        drop_c = old_strictly_dominated(B[np.ix_(rows, cols)].T)
        if not drop_r.any() and not drop_c.any():
            return rows, cols
        rows, cols = rows[~drop_r], cols[~drop_c]


tied = arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 8)),
              elements=st.integers(-2, 2).map(float))  # many ties and equal rows
additive = st.tuples(st.lists(st.integers(-3, 3), min_size=1, max_size=25),
                     st.lists(st.integers(-3, 3), min_size=1, max_size=25)).map(
    lambda t: np.add.outer(np.array(t[0], float), np.array(t[1], float) / 2))  # posture-game-like


@settings(max_examples=300, deadline=None)
@given(st.one_of(tied, additive), st.sampled_from([1e-12, 0.0, 0.5]), st.sampled_from([1 << 24, 7, 1]))
def test_strictly_dominated_matches_all_pairs(P, tol, chunk):
    from negotiate.game.algorithms import dominance

    saved, dominance.CHUNK_ELEMENTS = dominance.CHUNK_ELEMENTS, chunk  # tiny chunks exercise the blocks
    try:
        assert strictly_dominated(P, tol).tolist() == old_strictly_dominated(P, tol).tolist()
    finally:
        dominance.CHUNK_ELEMENTS = saved


@settings(max_examples=150, deadline=None)
@given(st.one_of(tied, additive), st.data())
def test_iterated_elimination_matches_all_pairs(A, data):
    B = data.draw(st.one_of(arrays(np.float64, A.shape, elements=st.integers(-2, 2).map(float)), st.just(-A)))
    rows, cols = iterated_elimination(A, B)
    old_rows, old_cols = old_iterated_elimination(A, B)
    assert rows.tolist() == old_rows.tolist() and cols.tolist() == old_cols.tolist()


def test_memory_stays_bounded_on_the_largest_game():
    # 4096 strategies a side (the schema's cap): all pairs would build 4096^3 booleans (64 GiB)
    import tracemalloc

    rng = np.random.default_rng(3)
    levers = ((np.arange(4096)[:, None] >> np.arange(12)) & 1).astype(float)  # 12 two-option levers
    own_a, other_a, other_b, own_b = rng.normal(size=(4, 12))
    A = np.add.outer(levers @ own_a, levers @ other_a)
    B = np.add.outer(levers @ other_b, levers @ own_b)
    tracemalloc.start()
    rows, cols = iterated_elimination(A, B)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # theory: with additive payoffs each side's one survivor takes every lever's better option
    bits = 1 << np.arange(12)
    assert rows.tolist() == [int(bits[own_a > 0].sum())] and cols.tolist() == [int(bits[own_b > 0].sum())]
    assert peak < 200 * 2**20
