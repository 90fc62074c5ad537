"""Robustness of the bargaining outcome to payoff uncertainty: Monte Carlo over payoff draws.

All draws are handled as arrays: payoff matrices (draws, m, n), dominance, equilibria of the reduced
games (batched support enumeration), threat points, zone of agreement and the Nash agreement of
each draw. Only draws whose reduced game is degenerate or large go through the exact solver one by
one (counted in the result as ``solved_individually``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from negotiate.errors import NegotiateError
from negotiate.game.algorithms.batched import (
    MAX_SIDE,
    iterated_elimination_batched,
    support_enumeration_batched,
)
from negotiate.game.bargaining import nash_choice
from negotiate.game.equilibria import solve_bimatrix
from negotiate.game.posture import PostureGame, sample_payoffs
from negotiate.game.threat import EquilibriumRule, fixed_threat, pick_threat_equilibrium

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
TOP_AGREEMENTS = 5
# Memory for the draws handled at once: payoff matrices, dominance and Nash products take about
# BYTES_PER_CELL_DRAW bytes per agreement and draw, so chunks hold CHUNK_BYTES / (agreements x that).
CHUNK_BYTES = 256 * 2**20
BYTES_PER_CELL_DRAW = 120
# Seconds per agreement and draw, measured on 2 cores (for the estimate shown before long runs).
SECONDS_PER_CELL_DRAW = 1.3e-7


def draws_per_chunk(game: PostureGame) -> int:
    """How many draws are solved at once so that their arrays stay within CHUNK_BYTES."""
    m, n = game.shape
    return max(1, CHUNK_BYTES // (m * n * BYTES_PER_CELL_DRAW))


def estimated_seconds(game: PostureGame, draws: int) -> float:
    """Rough time of ``monte_carlo`` (grows with agreements x draws)."""
    m, n = game.shape
    return m * n * draws * SECONDS_PER_CELL_DRAW


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


def _chunk_outcomes(game: PostureGame, values: np.ndarray, rule: EquilibriumRule):
    """Nash agreement, whether there is a deal, gains and exact solves for one chunk of draws."""
    A, B = game.payoffs(values)
    draws = len(values)
    fixed = fixed_threat(game, A, B)
    if fixed is not None:
        threats, individually = fixed[0], 0
    else:
        threats, individually = equilibrium_threats(A, B, rule)
    points = np.stack([A.reshape(draws, -1), B.reshape(draws, -1)], axis=2)  # (draws, cells, 2)
    del A, B
    powers = tuple(game.scenario.parties[p].power for p in game.parties)
    has_deal, chosen = nash_choice(points, threats, powers)
    gains = points[np.arange(draws), chosen] - threats
    return chosen, has_deal, gains, individually


def monte_carlo(
    game: PostureGame, draws: int, seed: int | None, rule: EquilibriumRule = "worst",
    chunk: int | None = None, progress: Callable[[int, int], None] | None = None,
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
    chunk : int, optional
        Draws solved at once (default ``draws_per_chunk``); the numbers do not depend on it.
    progress : callable, optional
        Called as ``progress(done, draws)`` after each chunk.

    Returns
    -------
    dict
        ``draws``, ``seed``, ``p_zopa_nonempty``, ``agreements`` (most frequent predicted
        agreements with ``frequency``), ``gains`` (quantiles of each party's gain over the threat
        point at the predicted agreement, over draws with a deal), ``solved_individually``.

    Notes
    -----
    Every parameter draw is made first, all at once (draws x parameters numbers, small), so the
    random stream is the same whatever the chunk size; only the game-sized work goes by chunks.
    """
    if draws < 1:
        raise NegotiateError(f"draws must be 1 or more, got {draws}")
    rng = np.random.default_rng(seed)
    values = sample_payoffs(game.params, draws, rng)
    n = game.shape[1]
    mode = game.scenario.threat
    step = chunk or draws_per_chunk(game)
    parts = []
    for start in range(0, draws, step):
        parts.append(_chunk_outcomes(game, values[start:start + step], rule))
        if progress is not None:
            progress(min(start + step, draws), draws)
    chosen = np.concatenate([p[0] for p in parts])
    has_deal = np.concatenate([p[1] for p in parts])
    gains = np.concatenate([p[2] for p in parts])
    individually = sum(p[3] for p in parts)

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
