"""The threat (disagreement) point: explicit numbers, the status quo profile, or an equilibrium.

One function serves one game and a batch of Monte Carlo draws alike, so that both apply the same
rules and the same checks.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from negotiate.errors import GameError
from negotiate.game.posture import PostureGame

EquilibriumRule = Literal["worst", "best", "mean"]
EQUILIBRIUM_RULES = ("worst", "best", "mean")
# Rules for one game at a time: also "dynamics", the equilibrium learning dynamics settle at most
# often (negotiate.game.dynamics); too slow for batches of draws, sweeps and swings.
ThreatRule = Literal["worst", "best", "mean", "dynamics"]
THREAT_RULES = ("worst", "best", "mean", "dynamics")


def pick_threat_equilibrium(payoffs: np.ndarray, rule: EquilibriumRule) -> tuple[np.ndarray, int | None]:
    """Threat payoffs from the equilibrium payoffs (k, 2) under ``rule``.

    ``worst``: the equilibrium with the lowest joint payoff, what breakdown risks; ``best``: the
    highest; ``mean``: the average over the equilibria found (no single index).
    """
    if len(payoffs) == 0:
        raise GameError("no equilibrium was found, so the threat point is undefined; "
                        "set threat: status_quo or explicit numbers")
    if rule == "mean":
        return payoffs.mean(axis=0), None
    joint = payoffs.sum(axis=1)
    index = int(np.argmin(joint) if rule == "worst" else np.argmax(joint))
    return payoffs[index], index


def fixed_threat(game: PostureGame, A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, dict] | None:
    """Threat payoffs that need no equilibrium (explicit numbers, status quo), else None.

    ``A`` and ``B`` are one game's matrices (m, n) or a batch (draws, m, n); the payoffs returned
    are (2,) or (draws, 2) to match.
    """
    mode = game.scenario.threat
    batch = A.shape[:-2]
    if isinstance(mode, dict):
        explicit = np.array([mode[p] for p in game.parties], float)
        return np.broadcast_to(explicit, batch + (2,)).copy(), {"mode": "explicit", "rule": None, "equilibrium": None}
    if mode == "status_quo":
        cell = game.status_quo_cell()
        if cell is None:  # validation requires status_quo everywhere; keep the library honest
            raise GameError("threat is status_quo but some lever has no status_quo option")
        r, c = cell
        return np.stack([A[..., r, c], B[..., r, c]], axis=-1), {
            "mode": "status_quo", "rule": None, "equilibrium": None, "terms": game.terms(r, c)}
    return None
