"""The outcome of many variants of one posture game at once: what sweeps and Sobol' indices need.

A variant is a vector of payoff parameter values (and, optionally, each party's power and patience
and an explicit threat point). Payoff matrices, dominance, equilibria and threat points are computed
for all variants together as in the Monte Carlo (``negotiate.game.montecarlo``); then the predicted
agreement (the Nash agreement over pure agreements), the zone of agreement, each side's gain and the
critical discount factor of the predicted deal, with the same rules as ``negotiate.game.analysis.analyse``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negotiate.game.montecarlo import equilibrium_threats
from negotiate.game.posture import PostureGame
from negotiate.game.threat import EquilibriumRule, fixed_threat

# As in analyse: an agreement is in the zone when it beats the threat point by more than this.
ZOPA_TOL = 1e-12


@dataclass
class BatchOutcome:
    """Outcomes of ``N`` variants; arrays indexed by variant, parties in the game's order.

    Attributes
    ----------
    deal : ndarray of bool, (N,)
        Some agreement beats the threat point for both.
    cell : ndarray of int, (N,)
        The predicted agreement as ``row * n + col`` (-1 without a deal).
    threat : ndarray, (N, 2)
    payoffs : ndarray, (N, 2)
        Of the predicted outcome: the deal, or the threat point without one.
    gains : ndarray, (N, 2)
        ``payoffs - threat``: 0 without a deal.
    zopa_size : ndarray of int, (N,)
    critical : ndarray, (N, 2)
        Each side's critical discount factor of the predicted deal (nan without a deal or when no
        discount factor sustains it).
    critical_value : ndarray, (N,)
        The larger of the two (nan when either is).
    self_enforcing : ndarray of bool, (N,)
        Both sides' patience at least their critical discount factor.
    solved_individually : int
        Variants whose reduced game went through the exact solver.
    """

    deal: np.ndarray
    cell: np.ndarray
    threat: np.ndarray
    payoffs: np.ndarray
    gains: np.ndarray
    zopa_size: np.ndarray
    critical: np.ndarray
    critical_value: np.ndarray
    self_enforcing: np.ndarray
    solved_individually: int


def batch_outcomes(
    game: PostureGame,
    values: np.ndarray,
    powers: np.ndarray | None = None,
    patience: np.ndarray | None = None,
    threats: np.ndarray | None = None,
    rule: EquilibriumRule = "worst",
) -> BatchOutcome:
    """Outcomes of many variants of ``game``.

    Parameters
    ----------
    game : PostureGame
    values : ndarray, shape (N, len(game.params))
        Payoff parameter values of each variant.
    powers, patience : ndarray, shape (N, 2), optional
        Each party's bargaining power and patience per variant (the scenario's by default).
    threats : ndarray, shape (N, 2), optional
        Explicit threat points per variant; only for scenarios whose ``threat`` gives numbers.
    rule : {"worst", "best", "mean"}
        Threat point among several equilibria.

    Returns
    -------
    BatchOutcome
    """
    values = np.atleast_2d(np.asarray(values, float))
    N = len(values)
    scenario = game.scenario
    if powers is None:
        powers = np.tile([scenario.parties[p].power for p in game.parties], (N, 1))
    if patience is None:
        patience = np.tile([scenario.parties[p].patience for p in game.parties], (N, 1))
    A, B = game.payoffs(values)
    m, n = game.shape
    individually = 0
    fixed = fixed_threat(game, A, B)
    if fixed is not None:
        threat = fixed[0] if threats is None or fixed[1]["mode"] != "explicit" else np.asarray(threats, float)
        punishment, individually = equilibrium_threats(A, B, "worst")
    else:
        threat, individually = equilibrium_threats(A, B, rule)
        punishment = threat

    points = np.stack([A.reshape(N, -1), B.reshape(N, -1)], axis=2)  # (N, cells, 2)
    gain = points - threat[:, None, :]
    weights = powers / powers.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_product = (weights[:, None, :] * np.log(np.where(gain > 0, gain, 1.0))).sum(axis=2)
    log_product = np.where((gain > 0).all(axis=2), log_product, -np.inf)
    deal = np.isfinite(log_product).any(axis=1)
    chosen = log_product.argmax(axis=1)
    zopa_size = (points > threat[:, None, :] + ZOPA_TOL).all(axis=2).sum(axis=1)

    rows, cols = np.divmod(chosen, n)
    idx = np.arange(N)
    deal_pay = points[idx, chosen]
    payoffs = np.where(deal[:, None], deal_pay, threat)
    deviation = np.stack([A[idx, :, cols].max(axis=1), B[idx, rows, :].max(axis=1)], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        crit = (deviation - deal_pay) / (deviation - punishment)
    crit = np.where(deviation <= deal_pay + 1e-12, 0.0, np.where(punishment >= deal_pay - 1e-12, np.nan, crit))
    crit[~deal] = np.nan
    holds = ~np.isnan(crit) & (patience >= crit)
    return BatchOutcome(
        deal=deal,
        cell=np.where(deal, chosen, -1),
        threat=threat,
        payoffs=payoffs,
        gains=payoffs - threat,
        zopa_size=zopa_size,
        critical=crit,
        critical_value=np.where(np.isnan(crit).any(axis=1), np.nan, np.nanmax(np.where(np.isnan(crit), 0, crit), axis=1)),
        self_enforcing=deal & holds.all(axis=1),
        solved_individually=individually,
    )
