"""The O(n log n) bargaining layer gives the same answers as the quadratic one it replaced.

The oracle is the previous implementation, kept short here: Pareto frontier by all pairwise
comparisons, convex hull by Andrew's monotone chain over every point. Point sets are small grids
(ties, duplicates, collinear runs), scenario-like two-decimal payoffs, and sums of lever terms as
posture games produce them.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negotiate.game import bargaining as b


# ------------------------------------------------------------------ the oracle (previous code)
def old_pareto_front(points):
    p = np.asarray(points, float)
    ge = (p[None, :, :] >= p[:, None, :]).all(axis=2)
    gt = (p[None, :, :] > p[:, None, :]).any(axis=2)
    idx = np.nonzero(~(ge & gt).any(axis=1))[0]
    return idx[np.lexsort((-p[idx, 1], p[idx, 0]))]


def old_convex_hull(points):
    p = np.asarray(points, float)
    key = np.round(p, 12)
    unique: list[int] = []
    for i in np.lexsort((key[:, 1], key[:, 0])):
        if not unique or (key[i] != key[unique[-1]]).any():
            unique.append(int(i))
    if len(unique) <= 2:
        return np.array(unique)

    def turns_left(o, a, c):
        oa, oc = p[a] - p[o], p[c] - p[o]
        return oa[0] * oc[1] - oa[1] * oc[0] > b.GEOMETRY_TOL * np.hypot(*oa) * np.hypot(*oc)

    def chain(seq):
        out: list[int] = []
        for i in seq:
            while len(out) >= 2 and not turns_left(out[-2], out[-1], i):
                out.pop()
            out.append(i)
        return out

    hull = chain(unique)[:-1] + chain(unique[::-1])[:-1]
    return np.array(hull if len(hull) >= 2 else unique[:1])


# ------------------------------------------------------------------ point sets
grid = arrays(np.float64, st.tuples(st.integers(1, 40), st.just(2)),
              elements=st.integers(-3, 3).map(lambda k: k / 2))  # many ties, duplicates, collinear runs
decimals = arrays(np.float64, st.tuples(st.integers(1, 60), st.just(2)),
                  elements=st.integers(-500, 500).map(lambda k: k / 100))
point_sets = st.one_of(grid, decimals)
threats = st.tuples(st.integers(-4, 2), st.integers(-4, 2)).map(lambda t: np.array(t, float) / 2)
powers = st.sampled_from([(1.0, 1.0), (3.0, 1.0), (1.0, 2.5)])


def lever_sums(rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    """Agreement payoffs the way posture games make them: row terms + column terms + an interaction."""
    A = np.round(rng.normal(size=m), 2)[:, None] + np.round(rng.normal(size=n), 2)[None, :]
    B = np.round(rng.normal(size=m), 2)[:, None] + np.round(rng.normal(size=n), 2)[None, :]
    A[: m // 3, : n // 2] += 0.75
    return np.c_[A.ravel(), B.ravel()]


def same_hull_point(new, old):
    if old is None or new is None:
        return new is None and old is None
    return np.array_equal(new.payoffs, old.payoffs) and new.lottery == old.lottery


def restricted(point, keep):
    """A hull point of points[keep] with its lottery over the indices of the full point set."""
    return None if point is None else b.HullPoint(point.payoffs, [(int(keep[i]), q) for i, q in point.lottery])


def check_everything(points, threat, power):
    assert np.array_equal(b.pareto_front(points), old_pareto_front(points))
    assert np.array_equal(b.convex_hull(points), old_convex_hull(points))
    keep = b.hull_candidates(points)
    assert np.array_equal(keep, np.sort(keep))
    with mock.patch.object(b, "convex_hull", old_convex_hull):  # the old answers, over every point
        old = (b.nash_bargaining(points, threat, power), b.kalai_smorodinsky(points, threat),
               b.ideal_point(points, threat), b.hull_frontier(points))
    sub = points[keep]  # what analyse() does: the hull problems on the candidates only
    new = (restricted(b.nash_bargaining(sub, threat, power), keep), restricted(b.kalai_smorodinsky(sub, threat), keep),
           b.ideal_point(sub, threat), keep[b.hull_frontier(sub)])
    assert same_hull_point(new[0], old[0])
    assert same_hull_point(new[1], old[1])
    assert (new[2] is None and old[2] is None) or np.array_equal(new[2], old[2])
    assert np.array_equal(new[3], old[3])


@settings(max_examples=400, deadline=None)
@given(point_sets, threats, powers)
def test_same_answers_as_the_quadratic_implementation(points, threat, power):
    check_everything(points, threat, power)


@pytest.mark.parametrize("seed", range(6))
def test_same_answers_on_posture_game_payoffs(seed):
    rng = np.random.default_rng(seed)
    points = lever_sums(rng, 40, 45)
    threat = np.quantile(points, 0.6, axis=0)
    check_everything(points, threat, (1.0, 1.0 + seed))


def test_empty_and_single_point():
    assert b.pareto_front(np.empty((0, 2))).tolist() == old_pareto_front(np.empty((0, 2))).tolist() == []
    one = np.array([[1.0, 2.0]])
    assert b.pareto_front(one).tolist() == [0] and b.convex_hull(one).tolist() == [0]


def test_pareto_front_is_linear_in_memory():
    # 200,000 points: the pairwise version needed 2 x 40e9 booleans
    rng = np.random.default_rng(1)
    points = rng.normal(size=(200_000, 2))
    front = b.pareto_front(points)
    # theory: a point is on the frontier iff no point has both coordinates at least as large
    x, y = points[front].T
    assert (np.diff(x) > 0).all() and (np.diff(y) < 0).all()
    assert not ((points[:, None, :] > points[front][None, :, :]).all(axis=2)).any()


@pytest.mark.parametrize("seed", range(5))
def test_nash_choice_is_the_argmax_of_the_nash_product(seed):
    rng = np.random.default_rng(seed)
    points = np.round(rng.normal(size=(30, 200, 2)), 1 + seed % 2)  # rounding makes ties
    threats = np.round(rng.normal(0.8, 0.5, size=(30, 2)), 1)
    power = (1.0, 1.0 + seed)
    product = b.nash_product(points, threats[:, None, :], power)
    has_deal, chosen = b.nash_choice(points, threats, power)
    assert np.array_equal(has_deal, np.isfinite(product).any(axis=1))
    assert np.array_equal(chosen, product.argmax(axis=1))
