"""Beyond the enumeration's size limit: Lemke-Howson from every label, marked incomplete, and said so."""

import re

import numpy as np
import pytest

from negotiate.game.algorithms.lemke_howson import lemke_howson
from negotiate.game.equilibria import solve_bimatrix
from tests.oracles import as_key, gambit_equilibria


def test_fallback_notes_say_how_many_labels_were_tried_and_how_many_equilibria_found():
    rng = np.random.default_rng(0)
    A, B = rng.integers(-5, 6, (7, 7)), rng.integers(-5, 6, (7, 7))
    res = solve_bimatrix(A, B, max_bases=20, warn=False)
    assert not res.complete and res.method == "Lemke-Howson from every label"
    labels = len(res.kept_rows) + len(res.kept_cols)
    match = re.search(r"from each of the (\d+) labels, found (\d+) distinct equilibri", res.notes[0])
    assert match, res.notes
    assert int(match.group(1)) == labels
    assert int(match.group(2)) == len(res.equilibria)
    # Every one of them is a true equilibrium (Gambit's complete set), and the paths found them all.
    complete = gambit_equilibria(A, B)
    assert {as_key(e.row, e.col) for e in res.equilibria} <= complete
    Ar, Br = A[np.ix_(res.kept_rows, res.kept_cols)], B[np.ix_(res.kept_rows, res.kept_cols)]
    paths = {as_key(*p) for k in range(labels) if (p := lemke_howson(Ar, Br, k)) is not None}
    assert len(paths) == len(res.equilibria)


def test_beyond_the_label_masks_falls_back_at_once():
    # 32 + 32 labels exceed the 62-bit masks; nothing is dominated (each row is best in its column).
    rng = np.random.default_rng(1)
    A = np.eye(32) + 0.01 * rng.random((32, 32))
    B = np.eye(32) + 0.01 * rng.random((32, 32))
    res = solve_bimatrix(A, B, warn=False)
    assert not res.complete
    assert "labels exceed" in res.notes[0] and "from each of the 64 labels" in res.notes[0]
    assert res.equilibria


@pytest.mark.parametrize("max_bases", [10**9, 2])
def test_complete_flag_follows_the_method(max_bases):
    A = np.array([[3, 0], [0, 2]])
    B = np.array([[2, 0], [0, 3]])
    res = solve_bimatrix(A, B, max_bases=max_bases, warn=False)
    assert res.complete == (max_bases > 2)  # each polytope of this game has 4 bases
