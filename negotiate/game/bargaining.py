"""Cooperative bargaining over a finite set of agreements and their lotteries (the convex hull).

Pure functions over utility pairs: Pareto frontier, convex hull, the (asymmetric) Nash bargaining
solution, Kalai-Smorodinsky, Rubinstein's alternating-offers shares and the critical discount
factor of a grim-trigger deal. Points are rows of an array of shape (k, 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Relative tolerance of geometric tests (collinearity, ties on the frontier): payoffs are exact
# sums of scenario numbers, so only rounding separates equal values.
GEOMETRY_TOL = 1e-12


@dataclass(frozen=True)
class HullPoint:
    """A point of the convex hull as a lottery over (at most two) of the given agreements."""

    payoffs: np.ndarray
    lottery: list[tuple[int, float]]  # (index into the points, probability)


def _maximal(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mask of the points (x, y) that no other point weakly dominates with one strict improvement.

    A sweep instead of all pairwise comparisons: sorted by ``x``, a point survives when it has the
    largest ``y`` of its ``x`` and that ``y`` beats every point of strictly larger ``x``.
    O(n log n) time, O(n) memory.
    """
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    top = np.maximum.reduceat(ys, starts)  # highest y of each x
    after = np.r_[np.maximum.accumulate(top[::-1])[::-1][1:], -np.inf]  # highest y at a larger x
    keep = np.zeros(n, dtype=bool)
    keep[order] = (ys == top[group]) & (top[group] > after[group])
    return keep


def pareto_front(points: np.ndarray) -> np.ndarray:
    """Indices of the points no other point weakly dominates with one strict improvement.

    Returned in order of increasing first coordinate (ties: decreasing second, then index). Equal
    points are all kept. O(n log n) time and O(n) memory in the number of points.
    """
    p = np.asarray(points, float).reshape(-1, 2)
    idx = np.flatnonzero(_maximal(p[:, 0], p[:, 1]))
    return idx[np.lexsort((-p[idx, 1], p[idx, 0]))]


def _distinct(p: np.ndarray) -> np.ndarray:
    """One index per distinct point (to 12 decimals), the lowest, in lexicographic order of the points."""
    key = np.round(p, 12)  # points closer than this are one point
    order = np.lexsort((key[:, 1], key[:, 0]))
    k = key[order]
    return order[np.r_[True, (k[1:] != k[:-1]).any(axis=1)]] if len(order) else order


def hull_candidates(points: np.ndarray) -> np.ndarray:
    """Indices of the only points that can be vertices of the convex hull, in increasing order.

    A vertex of the hull is the unique maximiser of some direction, and a direction with both
    components nonzero makes it Pareto-optimal for one of the four orientations of the axes; so the
    four Pareto frontiers (one sweep each) hold every vertex. Of points equal to 12 decimals, only
    the lowest index is kept, as ``convex_hull`` does. The hull-based functions (Nash and
    Kalai-Smorodinsky bargaining, the ideal point, ``hull_frontier``) give the same answers on
    ``points[hull_candidates(points)]`` as on ``points``, with indices into the candidates.
    O(n log n) time, O(n) memory.
    """
    p = np.asarray(points, float).reshape(-1, 2)
    rep = np.sort(_distinct(p))
    x, y = p[rep, 0], p[rep, 1]
    keep = _maximal(x, y) | _maximal(x, -y) | _maximal(-x, y) | _maximal(-x, -y)
    return rep[keep]


def convex_hull(points: np.ndarray) -> np.ndarray:
    """Indices of the hull's vertices, counter-clockwise (Andrew's monotone chain).

    A single point gives one index; collinear points give the two ends. The chain only visits
    ``hull_candidates``, usually a few dozen points however many agreements there are.
    """
    p = np.asarray(points, float).reshape(-1, 2)
    candidates = hull_candidates(p)
    sub = p[candidates]
    unique = [int(candidates[i]) for i in _distinct(sub)]
    if len(unique) <= 2:
        return np.array(unique, dtype=np.intp)

    def turns_left(o: int, a: int, b: int) -> bool:
        oa, ob = p[a] - p[o], p[b] - p[o]
        cross = oa[0] * ob[1] - oa[1] * ob[0]
        # relative to the lengths, so that thin but genuine corners are kept
        return cross > GEOMETRY_TOL * np.hypot(*oa) * np.hypot(*ob)

    def chain(seq: list[int]) -> list[int]:
        out: list[int] = []
        for i in seq:
            while len(out) >= 2 and not turns_left(out[-2], out[-1], i):
                out.pop()
            out.append(i)
        return out

    lower, upper = chain(unique), chain(unique[::-1])
    hull = lower[:-1] + upper[:-1]
    return np.array(hull if len(hull) >= 2 else unique[:1], dtype=np.intp)


def hull_frontier(points: np.ndarray) -> np.ndarray:
    """Hull vertices on the Pareto frontier of the hull, by increasing first coordinate."""
    hull = convex_hull(points)
    front = pareto_front(np.asarray(points, float)[hull])
    return hull[front]


def _edges(points: np.ndarray) -> list[tuple[int, int]]:
    hull = [int(i) for i in convex_hull(points)]
    if len(hull) == 1:
        return [(hull[0], hull[0])]
    return [(hull[i], hull[(i + 1) % len(hull)]) for i in range(len(hull))]


def _on_edge(points: np.ndarray, i: int, j: int, t: float) -> HullPoint:
    u = (1 - t) * points[i] + t * points[j]
    if i == j or t <= GEOMETRY_TOL:
        return HullPoint(u, [(i, 1.0)])
    if t >= 1 - GEOMETRY_TOL:
        return HullPoint(u, [(j, 1.0)])
    return HullPoint(u, [(i, 1 - t), (j, t)])


def _weights(power: tuple[float, float]) -> np.ndarray:
    w = np.asarray(power, float)
    return w / w.sum()


def nash_product(u: np.ndarray, threat: np.ndarray, power=(1.0, 1.0)) -> np.ndarray:
    """Weighted log Nash product sum_i a_i log(u_i - d_i); -inf outside the zone of agreement."""
    u = np.asarray(u, float)
    gain = u - np.asarray(threat, float)
    a = _weights(power)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (a * np.log(np.where(gain > 0, gain, 1.0))).sum(axis=-1)
    return np.where((gain > 0).all(axis=-1), value, -np.inf)


def nash_choice(points: np.ndarray, threat: np.ndarray, power=(1.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """For a batch of agreement sets, whether any beats the threat point and which maximises the Nash product.

    The same choice as ``nash_product(points, threat[:, None, :], power).argmax(axis=1)``, with the
    logarithms taken only inside the zone of agreement (usually a small part of the agreements).

    Parameters
    ----------
    points : ndarray, shape (draws, k, 2)
    threat : ndarray, shape (draws, 2)

    Returns
    -------
    has_deal : ndarray of bool, shape (draws,)
    chosen : ndarray of int, shape (draws,)
        Index of the best agreement (0 where there is no deal, as argmax of all -inf gives).
    """
    gain = points - np.asarray(threat, float)[:, None, :]
    inside = (gain > 0).all(axis=-1)
    a = _weights(power)
    value = np.full(inside.shape, -np.inf)
    g = gain[inside]
    value[inside] = a[0] * np.log(g[:, 0]) + a[1] * np.log(g[:, 1])  # as nash_product's sum of two terms
    return inside.any(axis=1), value.argmax(axis=1)


def nash_bargaining_pure(points: np.ndarray, threat, power=(1.0, 1.0)) -> int | None:
    """Index of the agreement maximising the (asymmetric) Nash product; None if none beats the threat."""
    values = nash_product(points, threat, power)
    if not np.isfinite(values).any():
        return None
    return int(np.argmax(values))


def nash_bargaining(points: np.ndarray, threat, power=(1.0, 1.0)) -> HullPoint | None:
    """The (asymmetric) Nash bargaining solution over the convex hull of ``points``.

    Maximises prod_i (u_i - d_i)^(a_i) with a = power / sum(power), over lotteries between the
    agreements. The maximiser lies on the hull boundary; on each edge the log product is concave
    in the mixing weight and its stationary point has a closed form.

    Parameters
    ----------
    points : ndarray, shape (k, 2)
        Utility pairs of the agreements.
    threat : array_like, shape (2,)
        The disagreement point d.
    power : pair of float
        Bargaining powers; equal powers give the symmetric solution.

    Returns
    -------
    HullPoint or None
        None when no lottery gives both parties strictly more than the threat point.
    """
    p = np.asarray(points, float)
    d = np.asarray(threat, float)
    a = _weights(power)
    best, best_value = None, -np.inf
    for i, j in _edges(p):
        du = p[j] - p[i]
        candidates = [0.0, 1.0]
        denom = du[0] * du[1]
        if abs(denom) > GEOMETRY_TOL:
            # d/dt [a1 log(u1 - d1) + a2 log(u2 - d2)] = 0, linear in t.
            t = -(a[0] * du[0] * (p[i, 1] - d[1]) + a[1] * du[1] * (p[i, 0] - d[0])) / denom
            if 0.0 < t < 1.0:
                candidates.append(float(t))
        for t in candidates:
            u = (1 - t) * p[i] + t * p[j]
            value = float(nash_product(u, d, power))
            if value > best_value + 1e-15:
                best, best_value = _on_edge(p, i, j, t), value
    return best


def ideal_point(points: np.ndarray, threat) -> np.ndarray | None:
    """Each party's best payoff over the lotteries that give both at least the threat point."""
    p = np.asarray(points, float)
    d = np.asarray(threat, float)
    best = np.full(2, -np.inf)
    for i, j in _edges(p):
        du = p[j] - p[i]
        lo, hi = 0.0, 1.0
        for k in range(2):  # keep t with p_i + t du >= d on both coordinates
            if abs(du[k]) <= GEOMETRY_TOL:
                if p[i, k] < d[k] - 1e-12:
                    lo, hi = 1.0, 0.0
            elif du[k] > 0:
                lo = max(lo, (d[k] - p[i, k]) / du[k])
            else:
                hi = min(hi, (d[k] - p[i, k]) / du[k])
        if lo <= hi + 1e-15:
            for t in (lo, hi):
                best = np.maximum(best, p[i] + t * du)
    return best if np.isfinite(best).all() else None


def kalai_smorodinsky(points: np.ndarray, threat) -> HullPoint | None:
    """Kalai-Smorodinsky solution over the convex hull of ``points``.

    The point of the hull that maximises min_i (u_i - d_i) / (I_i - d_i), I the ideal point: where
    the line from the threat point to the ideal point leaves the feasible set. Among ties, the
    one with the larger total gain.

    Returns
    -------
    HullPoint or None
        None when some party cannot gain over the threat point.
    """
    p = np.asarray(points, float)
    d = np.asarray(threat, float)
    ideal = ideal_point(p, d)
    if ideal is None or (ideal - d <= GEOMETRY_TOL).any():
        return None
    scale = ideal - d
    best, best_key = None, (-np.inf, -np.inf)
    for i, j in _edges(p):
        gi, gj = (p[i] - d) / scale, (p[j] - d) / scale
        candidates = [0.0, 1.0]
        slope = (gj - gi)[0] - (gj - gi)[1]
        if abs(slope) > GEOMETRY_TOL:
            t = -((gi[0] - gi[1]) / slope)
            if 0.0 < t < 1.0:
                candidates.append(float(t))
        for t in candidates:
            g = (1 - t) * gi + t * gj
            key = (round(float(g.min()), 12), float(g.sum()))
            if key > best_key:
                best, best_key = _on_edge(p, i, j, t), key
    return best if best_key[0] > 0 else None


def rubinstein_shares(delta_first: float, delta_second: float) -> tuple[float, float]:
    """Subgame-perfect shares of a unit surplus in Rubinstein's alternating-offers game.

    Parameters
    ----------
    delta_first, delta_second : float
        Per-round discount factors in (0, 1) of the party proposing first and of the other.

    Returns
    -------
    (share_first, share_second) : tuple of float
        ``(1 - d2) / (1 - d1 d2)`` and the rest (Rubinstein 1982).
    """
    for delta in (delta_first, delta_second):
        if not 0.0 < delta < 1.0:
            raise ValueError(f"discount factors must lie in (0, 1), got {delta}")
    first = (1 - delta_second) / (1 - delta_first * delta_second)
    return first, 1 - first


def critical_discount(deal: float, deviation: float, punishment: float) -> float | None:
    """Smallest discount factor at which a party keeps a deal enforced by grim trigger.

    Keeping the deal forever is worth ``deal / (1 - delta)``; deviating once is worth ``deviation``
    now and ``punishment`` (the threat equilibrium) forever after. The deal holds when
    ``delta >= (deviation - deal) / (deviation - punishment)``.

    Returns
    -------
    float or None
        0 when deviating gains nothing; None when the punishment is no worse than the deal, so no
        discount factor sustains it.
    """
    if deviation <= deal + 1e-12:
        return 0.0
    if punishment >= deal - 1e-12:
        return None
    return (deviation - deal) / (deviation - punishment)
