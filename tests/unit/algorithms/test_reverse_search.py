"""Reverse search over a best-response polytope: bounded memory, counts from theory, the size limit."""

import tracemalloc

import numpy as np
import pytest

from negotiate.game.algorithms.reverse_search import (
    TooLargeForEnumeration,
    both_polytope_vertices,
    polytope_vertices,
)


def test_cube_has_two_to_the_d_vertices():
    # {z >= 0 : z_i <= 1} is the unit cube: 2^d vertices, each with exactly d labels.
    for d in range(1, 8):
        res = polytope_vertices(np.eye(d) + 0.0)
        assert len(res.labels) == 2**d and not res.degenerate


def test_simplex_has_d_plus_one_vertices():
    res = polytope_vertices(np.ones((1, 6)))
    assert len(res.labels) == 7 and not res.degenerate


def test_degenerate_vertex_is_listed_once():
    # Four planes through the apex (0.4, 0.4, 0.4) of a pyramid: a degenerate vertex, which the
    # lexicographic perturbation splits into several bases.
    M = np.array([[1, 1, 0.5], [1, 0.5, 1], [0.5, 1, 1], [5 / 6, 5 / 6, 5 / 6]])
    res = polytope_vertices(M)
    assert res.degenerate
    assert len(set(res.labels.tolist())) == len(res.labels)
    assert res.bases > len(res.labels)
    apex = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6)  # no zero coordinate, all four rows tight
    assert apex in res.labels.tolist()


@pytest.mark.parametrize("seed", range(10))
def test_vertex_count_agrees_with_scipy_halfspace_intersection(seed):
    spatial = pytest.importorskip("scipy.spatial")
    rng = np.random.default_rng(seed)
    k, d = rng.integers(3, 7), rng.integers(2, 5)
    M = 1.0 + rng.random((k, d))
    # Halfspaces as [normal | offset] with normal . z + offset <= 0: M z - 1 <= 0 and -z <= 0.
    halfspaces = np.vstack([np.hstack([M, -np.ones((k, 1))]), np.hstack([-np.eye(d), np.zeros((d, 1))])])
    interior = np.full(d, 0.5 / M.sum(axis=1).max())
    points = spatial.HalfspaceIntersection(halfspaces, interior).intersections
    expected = len(np.unique(np.round(points, 9), axis=0))
    assert len(polytope_vertices(M).labels) == expected


def test_memory_does_not_grow_with_the_number_of_vertices():
    rng = np.random.default_rng(1)
    M = 1.0 + rng.random((16, 16))
    tracemalloc.start()
    try:
        res = polytope_vertices(M)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(res.labels) > 20_000
    # The masks (8 bytes a vertex, a few copies when deduplicated) and a few chunks of dictionaries.
    assert peak < 40 * len(res.labels) + 40_000_000


def test_the_polytope_that_is_too_large_is_the_one_reported():
    rng = np.random.default_rng(2)
    small, large = 1.0 + rng.random((2, 2)), 1.0 + rng.random((12, 12))
    with pytest.raises(TooLargeForEnumeration, match="more than 100 bases"):
        both_polytope_vertices(small, large, max_bases=100)
    with pytest.raises(TooLargeForEnumeration, match="more than 100 bases"):
        both_polytope_vertices(large, small, max_bases=100)
