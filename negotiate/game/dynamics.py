"""Which equilibrium play drifts to: nashpy's learning dynamics on the dominance-reduced game.

When a game has several equilibria, the analysis lists them all; which one holds without a deal is
a separate question. Learning dynamics give an answer that depends on where play starts: from each
start, two dynamics of nashpy run on the game left after iterated elimination of strictly dominated
strategies (dominated strategies die out under both dynamics anyway):

- **fictitious play** (Brown 1951): each round, each side plays a best response to the empirical
  frequency of the other side's past play; the start is the initial belief, worth ``prior_weight``
  rounds. The run settles where the frequencies of the strategies actually played settle.
- **asymmetric replicator dynamics** (Taylor and Jonker 1978): each side's population shifts toward
  the strategies that do better than its average, from the start as the initial mixture. If an
  interior trajectory converges, its limit is a Nash equilibrium.

Two starts, each ``restarts`` times with a random point near it: ``(1 - perturbation) * start +
perturbation * D`` with ``D`` uniform on each side's simplex (a flat Dirichlet), seeded.

- **status quo**: each party's status-quo posture (its ``status_quo`` options). A posture removed as
  strictly dominated is replaced by the kept posture that changes the fewest levers (ties: the one
  paying its owner most against the other side's status quo, then file order).
- **uniform**: every kept strategy equally likely.

A run settles at a listed equilibrium when its end point is within ``tolerance`` of it (largest
difference of any probability); at "another equilibrium" when it ends at a profile with no
profitable deviation that is not listed (in a degenerate game, a point of a continuum); else it has
not settled (it cycles, or is still moving). The threat-point rule ``dynamics`` uses the equilibrium
that runs from the status quo settle at most often (from uniform play when some lever names no
status quo); ties go to the lower joint payoff, as the ``worst`` rule would.

nashpy integrates the replicator equations with ``scipy.integrate.odeint`` in the full space, where
the simplex is not attracting when payoffs are negative: the total drifts away exponentially (at the
rate of the mean payoff). Each side's payoffs are therefore shifted to be at least 1 and both divided
by the larger payoff range, which leaves the trajectories on the simplex unchanged (adding a constant
to one side's payoffs does not change its replicator equation there; a common factor rescales time).

nashpy (with SciPy) is imported only when these functions run.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from negotiate.errors import GameError, NegotiateError
from negotiate.game.equilibria import EquilibriumSet
from negotiate.game.posture import PostureGame

DYNAMICS = ("fictitious_play", "replicator")
STARTS = ("status_quo", "uniform")


@dataclass(frozen=True)
class DynamicsSettings:
    """How the learning dynamics run (defaults documented in the README).

    Attributes
    ----------
    restarts : int
        Runs of each dynamics from each start, each from a random point near it.
    seed : int
        Seed of the random start points and of fictitious play's tie-breaking.
    perturbation : float
        Weight of the random point in each start, in [0, 1).
    iterations : int
        Rounds of fictitious play.
    prior_weight : float
        What the start counts for in fictitious play's beliefs, in rounds of play.
    time : float
        Length of a replicator run, in time units of the normalised payoffs (payoff range 1).
    tolerance : float
        Largest difference of any probability between a run's end point and the equilibrium it
        settles at; also the largest gain from deviating (relative to the payoff range) at an end
        point counted as another equilibrium.
    """

    restarts: int = 10
    seed: int = 0
    perturbation: float = 0.2
    iterations: int = 500
    prior_weight: float = 1.0
    time: float = 1000.0
    tolerance: float = 0.05

    def check(self) -> None:
        """Raise ``NegotiateError`` for settings out of range."""
        if self.restarts < 1:
            raise NegotiateError(f"restarts must be 1 or more, got {self.restarts}")
        if not 0 <= self.perturbation < 1:
            raise NegotiateError(f"perturbation must be in [0, 1), got {self.perturbation}")
        if self.iterations < 1 or self.prior_weight <= 0 or self.time <= 0 or not 0 < self.tolerance < 1:
            raise NegotiateError("iterations must be 1 or more, prior_weight and time positive, tolerance in (0, 1)")


# ---------------------------------------------------------------- the two dynamics (pure functions)


def fictitious_play(A: np.ndarray, B: np.ndarray, x0: np.ndarray, y0: np.ndarray, iterations: int = 500,
                    prior_weight: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies of play after ``iterations`` rounds of nashpy's fictitious play.

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Payoffs to the row and the column player.
    x0, y0 : ndarray
        Initial beliefs about each side's play (mixed strategies), worth ``prior_weight`` rounds.
    iterations : int
    prior_weight : float
    seed : int
        Seeds the ties between best responses (nashpy draws them from NumPy's global generator,
        whose state is restored afterwards).

    Returns
    -------
    x, y : ndarray
        How often each side played each strategy (the initial beliefs left out).
    """
    import nashpy

    game = nashpy.Game(np.asarray(A, float), np.asarray(B, float))
    start = [prior_weight * np.asarray(x0, float), prior_weight * np.asarray(y0, float)]
    state = np.random.get_state()
    np.random.seed(seed % 2**32)
    try:
        *_, counts = game.fictitious_play(iterations=iterations, play_counts=start)
    finally:
        np.random.set_state(state)
    return (counts[0] - start[0]) / iterations, (counts[1] - start[1]) / iterations


def normalised(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each side's payoffs shifted to a minimum of 1, both divided by the larger payoff range.

    The replicator dynamics on the simplex are unchanged (up to the speed of time); off it, nashpy's
    integration no longer drifts away (see the module's docstring).
    """
    A, B = np.asarray(A, float), np.asarray(B, float)
    scale = max(float(np.ptp(A)), float(np.ptp(B))) or 1.0
    return (A - A.min()) / scale + 1.0, (B - B.min()) / scale + 1.0


def replicator(A: np.ndarray, B: np.ndarray, x0: np.ndarray, y0: np.ndarray,
               time: float = 1000.0) -> tuple[np.ndarray, np.ndarray]:
    """End point of nashpy's asymmetric replicator dynamics from (x0, y0), on normalised payoffs.

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Payoffs to the row and the column player (normalised here, see ``normalised``).
    x0, y0 : ndarray
        Initial mixtures; a strategy at 0 stays at 0, so a start should be interior.
    time : float
        Length of the run in time units of the normalised payoffs.

    Returns
    -------
    x, y : ndarray
        The mixtures at the end, clipped to [0, 1] and renormalised (integration error).
    """
    import nashpy

    An, Bn = normalised(A, B)
    game = nashpy.Game(An, Bn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # odeint's "excess work" near slow rest points; the end is checked
        xs, ys = game.asymmetric_replicator_dynamics(x0=np.asarray(x0, float), y0=np.asarray(y0, float),
                                                     timepoints=np.linspace(0.0, time, 20))
    return _on_simplex(xs[-1]), _on_simplex(ys[-1])


def _on_simplex(v: np.ndarray) -> np.ndarray:
    v = np.clip(np.nan_to_num(np.asarray(v, float), nan=0.0), 0.0, None)
    total = v.sum()
    return v / total if total > 0 else np.full(len(v), 1.0 / len(v))


# ---------------------------------------------------------------- starts and classification


def status_quo_start(game: PostureGame, rows: np.ndarray, cols: np.ndarray, A: np.ndarray,
                     B: np.ndarray) -> tuple[tuple[int, int] | None, dict[str, Any] | None]:
    """Each party's status-quo posture among the kept strategies (positions in ``rows`` / ``cols``).

    Returns
    -------
    positions : (int, int) or None
        None when some lever names no status quo.
    info : dict or None
        Per party: ``strategy`` (the start), ``status_quo`` (its posture as written),
        ``levers_changed`` (0 unless the status quo was removed as strictly dominated).
    """
    cell = game.status_quo_cell()
    if cell is None:
        return None, None
    # what each own strategy pays its owner against the other side's status quo
    against = (A[:, cell[1]], B[cell[0], :])
    positions, info = [], {}
    for axis, (party, kept) in enumerate(zip(game.parties, (rows, cols))):
        sq = game.strategies[party][cell[axis]]
        keys = [(sum(a != b for a, b in zip(game.strategies[party][int(k)], sq)), -float(against[axis][int(k)]), i)
                for i, k in enumerate(kept)]
        changed, _, best = min(keys)
        positions.append(best)
        info[party] = {"strategy": game.strategy_name(party, int(kept[best])),
                       "status_quo": game.strategy_name(party, cell[axis]), "levers_changed": changed}
    return (positions[0], positions[1]), info


def settle(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray, equilibria: list[tuple[np.ndarray, np.ndarray]],
           tolerance: float) -> int | str | None:
    """Where a run ended: the index of the nearest listed equilibrium within ``tolerance``,
    ``"other"`` for an unlisted equilibrium (no deviation gains more than ``tolerance`` of the
    payoff range), or None."""
    if equilibria:
        distance = [max(np.abs(x - ex).max(), np.abs(y - ey).max()) for ex, ey in equilibria]
        k = int(np.argmin(distance))
        if distance[k] <= tolerance:
            return k
    scale = max(float(np.ptp(A)), float(np.ptp(B))) or 1.0
    gap_a = float((A @ y).max() - x @ A @ y)
    gap_b = float((x @ B).max() - x @ B @ y)
    return "other" if max(gap_a, gap_b) <= tolerance * scale else None


def _perturbed(base: np.ndarray, rng: np.random.Generator, weight: float) -> np.ndarray:
    return (1 - weight) * base + weight * rng.dirichlet(np.ones(len(base)))


# ---------------------------------------------------------------- the whole study


def learning_dynamics(game: PostureGame, A: np.ndarray, B: np.ndarray, solved: EquilibriumSet,
                      settings: DynamicsSettings | None = None) -> dict[str, Any]:
    """Run both dynamics from both starts on the reduced game and count where play settles.

    Parameters
    ----------
    game : PostureGame
    A, B : ndarray, shape (m, n)
        The full game's payoffs (``solved`` reduced it by dominance).
    solved : EquilibriumSet
        The equilibria the runs are matched against (numbered as listed, from 0).
    settings : DynamicsSettings, optional

    Returns
    -------
    dict
        ``settings``, ``reduced_shape``, ``starts`` (``status_quo``: per party ``strategy``,
        ``status_quo``, ``levers_changed``, or null; ``uniform``: true), ``runs`` (per dynamics and
        start: ``dynamics``, ``start``, ``restarts``, ``settled`` (list of ``{equilibrium, count}``),
        ``other_equilibrium``, ``unsettled``) and ``most_often`` (``equilibrium``, ``count``,
        ``runs``, ``start``; null when no run from that start settled at a listed equilibrium).
    """
    settings = settings or DynamicsSettings()
    settings.check()
    rows, cols = solved.kept_rows, solved.kept_cols
    Ar, Br = A[np.ix_(rows, cols)], B[np.ix_(rows, cols)]
    m, n = Ar.shape
    listed = [(e.row[rows], e.col[cols]) for e in solved.equilibria]
    sq, sq_info = status_quo_start(game, rows, cols, A, B)
    bases: dict[str, tuple[np.ndarray, np.ndarray] | None] = {
        "status_quo": None if sq is None else (np.eye(m)[sq[0]], np.eye(n)[sq[1]]),
        "uniform": (np.full(m, 1.0 / m), np.full(n, 1.0 / n)),
    }
    runs = []
    for s_index, start in enumerate(STARTS):
        base = bases[start]
        if base is None:
            continue
        rng = np.random.default_rng([abs(settings.seed), s_index])
        points = [(_perturbed(base[0], rng, settings.perturbation), _perturbed(base[1], rng, settings.perturbation))
                  for _ in range(settings.restarts)]
        for name in DYNAMICS:
            ends = []
            for r, (x0, y0) in enumerate(points):
                if name == "fictitious_play":
                    x, y = fictitious_play(Ar, Br, x0, y0, settings.iterations, settings.prior_weight,
                                           seed=settings.seed * 1000 + s_index * 100 + r)
                else:
                    x, y = replicator(Ar, Br, x0, y0, settings.time)
                ends.append(settle(Ar, Br, x, y, listed, settings.tolerance))
            counts = [{"equilibrium": k, "count": ends.count(k)} for k in range(len(listed)) if ends.count(k)]
            counts.sort(key=lambda c: -c["count"])
            runs.append({"dynamics": name, "start": start, "restarts": settings.restarts, "settled": counts,
                         "other_equilibrium": ends.count("other"), "unsettled": ends.count(None)})
    return {
        "settings": asdict(settings),
        "reduced_shape": [m, n],
        "starts": {"status_quo": sq_info, "uniform": True},
        "runs": runs,
        "most_often": most_often(runs, [e.payoffs for e in solved.equilibria]),
    }


def most_often(runs: list[dict[str, Any]], payoffs: list[tuple[float, float]]) -> dict[str, Any] | None:
    """The listed equilibrium that runs from the status quo (else from uniform play) settle at most often.

    Ties go to the lower joint payoff, then to the lower index; None when no such run settled at one.
    """
    starts = {r["start"] for r in runs}
    start = "status_quo" if "status_quo" in starts else "uniform"
    chosen = [r for r in runs if r["start"] == start]
    tally: dict[int, int] = {}
    for r in chosen:
        for c in r["settled"]:
            tally[c["equilibrium"]] = tally.get(c["equilibrium"], 0) + c["count"]
    if not tally:
        return None
    k = min(tally, key=lambda i: (-tally[i], sum(payoffs[i]), i))
    return {"equilibrium": k, "count": tally[k], "runs": sum(r["restarts"] for r in chosen), "start": start}


def dynamics_threat(dynamics: dict[str, Any]) -> int:
    """The equilibrium index the ``dynamics`` threat rule picks, or ``GameError`` when no run settled."""
    chosen = dynamics["most_often"]
    if chosen is None:
        raise GameError("no run of the learning dynamics settled at a listed equilibrium (play cycles or keeps "
                        "moving), so the dynamics rule cannot pick a threat point; choose the worst, best or mean "
                        "equilibrium instead")
    return int(chosen["equilibrium"])
