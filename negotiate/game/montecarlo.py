"""Robustness of the bargaining outcome to payoff uncertainty: Monte Carlo over payoff draws.

All draws are handled as arrays: payoff matrices (draws, m, n), dominance, equilibria of the reduced
games (batched support enumeration), threat points, zone of agreement and the Nash agreement of
each draw. Only draws whose reduced game is degenerate or large go through the exact solver one by
one (counted in the result as ``solved_individually``).
"""

from __future__ import annotations

import numpy as np

from negotiate.errors import NegotiateError
from negotiate.game.algorithms.batched import (
    MAX_SIDE,
    iterated_elimination_batched,
    support_enumeration_batched,
)
from negotiate.game.bargaining import nash_product
from negotiate.game.equilibria import solve_bimatrix
from negotiate.game.posture import PostureGame, sample_payoffs
from negotiate.game.threat import EquilibriumRule, fixed_threat, pick_threat_equilibrium

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
TOP_AGREEMENTS = 5


def equilibrium_threats(A: np.ndarray, B: np.ndarray, rule: EquilibriumRule) -> tuple[np.ndarray, int]:
    """Threat payoffs (draws, 2) from each draw's equilibria, and how many needed the exact solver.

    Dominance and support enumeration run over all draws at once; draws whose reduced game is
    large or shows degeneracy are solved exactly one by one.
    """
    draws = A.shape[0]
    rows, cols = iterated_elimination_batched(A, B)
    threats = np.empty((draws, 2))
    pattern = np.concatenate([rows, cols], axis=1)
    keys, group = np.unique(pattern, axis=0, return_inverse=True)
    one_by_one: list[int] = []
    for g, key in enumerate(keys):
        members = np.nonzero(group.ravel() == g)[0]
        r, c = np.nonzero(key[: rows.shape[1]])[0], np.nonzero(key[rows.shape[1]:])[0]
        Ar, Br = A[members][:, r][:, :, c], B[members][:, r][:, :, c]
        if max(len(r), len(c)) > MAX_SIDE:
            one_by_one.extend(members.tolist())
            continue
        found, exact = support_enumeration_batched(Ar, Br)
        one_by_one.extend(members[exact].tolist())
        for k, eqs in enumerate(found):
            if eqs:
                pays = np.array([[x @ Ar[k] @ y, x @ Br[k] @ y] for x, y in eqs])
                threats[members[k]], _ = pick_threat_equilibrium(pays, rule)
    for d in one_by_one:
        eq = solve_bimatrix(A[d], B[d], warn=False).equilibria
        threats[d], _ = pick_threat_equilibrium(np.array([e.payoffs for e in eq]).reshape(-1, 2), rule)
    return threats, len(one_by_one)


def monte_carlo(
    game: PostureGame, draws: int, seed: int | None, rule: EquilibriumRule = "worst"
) -> dict:
    """Distribution of the bargaining outcome over ``draws`` payoff draws.

    Parameters
    ----------
    game : PostureGame
    draws : int
        Number of payoff draws (1 or more).
    seed : int or None
        Seed of numpy's default generator; the same seed gives the same numbers.
    rule : {"worst", "best", "mean"}
        Threat point rule among several equilibria.

    Returns
    -------
    dict
        ``draws``, ``seed``, ``p_zopa_nonempty``, ``agreements`` (most frequent predicted
        agreements with ``frequency``), ``gains`` (quantiles of each party's gain over the threat
        point at the predicted agreement, over draws with a deal), ``solved_individually``.
    """
    if draws < 1:
        raise NegotiateError(f"draws must be 1 or more, got {draws}")
    rng = np.random.default_rng(seed)
    values = sample_payoffs(game.params, draws, rng)
    A, B = game.payoffs(values)
    m, n = game.shape
    scenario = game.scenario
    mode = scenario.threat
    individually = 0
    fixed = fixed_threat(game, A, B)
    if fixed is not None:
        threats = fixed[0]
    else:
        threats, individually = equilibrium_threats(A, B, rule)

    points = np.stack([A.reshape(draws, -1), B.reshape(draws, -1)], axis=2)  # (draws, cells, 2)
    powers = tuple(scenario.parties[p].power for p in game.parties)
    product = nash_product(points, threats[:, None, :], powers)  # (draws, cells)
    has_deal = np.isfinite(product).any(axis=1)
    chosen = product.argmax(axis=1)
    gains = points[np.arange(draws), chosen] - threats

    cells, counts = np.unique(chosen[has_deal], return_counts=True)
    order = np.argsort(-counts, kind="stable")
    agreements = []
    for k in order[:TOP_AGREEMENTS]:
        row, col = divmod(int(cells[k]), n)
        agreements.append({
            "terms": game.terms(row, col),
            "words": game.terms_in_words(row, col),
            "frequency": float(counts[k] / draws),
        })
    gain_quantiles = {}
    for j, party in enumerate(game.parties):
        g = gains[has_deal, j]
        gain_quantiles[party] = (
            {f"q{int(q * 100):02d}": float(v) for q, v in zip(QUANTILES, np.quantile(g, QUANTILES))}
            if len(g) else None
        )
    return {
        "draws": draws,
        "seed": seed,
        "threat_rule": rule if mode == "equilibrium" else None,
        "p_zopa_nonempty": float(has_deal.mean()),
        "agreements": agreements,
        "distinct_agreements": int(len(cells)),
        "gains": gain_quantiles,
        "solved_individually": individually,
    }
