import numpy as np
import pytest

from negotiate.game.algorithms.lemke_howson import lemke_howson
from negotiate.game.algorithms.vertex_enumeration import vertex_enumeration
from negotiate.game.equilibria import is_equilibrium
from tests.oracles import as_key


@pytest.mark.parametrize("seed", range(25))
def test_every_label_reaches_an_equilibrium_of_the_complete_set(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 8, size=2)
    A, B = rng.standard_normal((m, n)), rng.standard_normal((m, n))
    complete = {as_key(x, y) for x, y in vertex_enumeration(A, B).equilibria}
    for label in range(m + n):
        x, y = lemke_howson(A, B, label)
        assert as_key(x, y) in complete


@pytest.mark.parametrize("seed", range(25))
def test_degenerate_integer_games_do_not_cycle(seed):
    rng = np.random.default_rng(500 + seed)
    m, n = rng.integers(2, 9, size=2)
    A, B = rng.integers(-3, 4, (m, n)).astype(float), rng.integers(-3, 4, (m, n)).astype(float)
    for label in range(m + n):
        found = lemke_howson(A, B, label)
        assert found is not None
        assert is_equilibrium(A, B, *found)


def test_large_game_beyond_enumeration():
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((40, 40)), rng.standard_normal((40, 40))
    found = [lemke_howson(A, B, k) for k in range(80)]
    assert all(f is not None and is_equilibrium(A, B, *f) for f in found)
