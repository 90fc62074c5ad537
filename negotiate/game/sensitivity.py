"""Which inputs decide the answer: one-at-a-time swings and variance-based (Sobol') indices.

**One at a time.** Every uncertain input is set to its low and then its high value, the others kept
at their point values, and the game solved again:

- a payoff distribution: its 5% and 95% quantiles (normal: mean -/+ 1.645 sd; uniform:
  low + 0.05 or 0.95 of the range; triangular: its exact quantiles);
- a fixed payoff number: -/+ ``fixed_swing`` (default 10%) of the largest absolute payoff of the scenario;
- each party's patience: -/+ ``PATIENCE_SWING`` (0.1), clipped to [0.01, 0.99];
- each party's power: halved and doubled.

Each swing reports whether it changes the predicted terms, the threat-point equilibrium, whether a
zone of agreement exists and whether the predicted deal is self-enforcing, and each side's gain at
the predicted outcome (over the threat point; 0 without a deal). Inputs are ranked by how many of
those outcomes they change, then by their swing of the gains.

**Sobol' indices.** Over joint draws of the payoff distributions (the draws of ``solve --draws``;
fixed numbers, patience and power stay at their values), the first-order and total indices of each
side's gain at the predicted outcome and of the indicator "the zone of agreement is non-empty", whose
mean is P(zone non-empty): Saltelli's sampling with a scrambled Sobol' sequence, the Saltelli (2010)
first-order and Jansen total estimators, with bootstrap confidence intervals (SALib).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from negotiate.errors import NegotiateError
from negotiate.game.analysis import threat_point
from negotiate.game.batch import batch_outcomes
from negotiate.game.equilibria import solve_bimatrix
from negotiate.game.posture import PostureGame
from negotiate.game.threat import EquilibriumRule
from negotiate.game.whatif import profile_key
from negotiate.scenario.schema import Fixed, Normal, Payoff, Triangular, Uniform

Q_LOW, Q_HIGH = 0.05, 0.95
Z_95 = 1.6448536269514722  # the standard normal's 95% quantile
FIXED_SWING = 0.10  # of the largest absolute payoff
PATIENCE_SWING = 0.1
PATIENCE_CLIP = (0.01, 0.99)
POWER_FACTOR = 2.0
SOBOL_SAMPLES = 256
OUTCOMES = ("predicted_terms", "threat_equilibrium", "zopa_nonempty", "self_enforcing")


def quantile(dist: Payoff, q: float) -> float:
    """The ``q`` quantile of a payoff distribution (a fixed payoff is its own quantile).

    Normal: ``mean + z_q sd`` (``z_0.95 = 1.6449``; other ``q`` by bisection on ``erfc``); uniform:
    ``low + q (high - low)``; triangular: the inverse of its distribution function.
    """
    if isinstance(dist, Fixed):
        return dist.value
    if isinstance(dist, Normal):
        return dist.mean + _z(q) * dist.sd
    if isinstance(dist, Uniform):
        return dist.low + q * (dist.high - dist.low)
    if isinstance(dist, Triangular):
        a, c, b = dist.low, dist.mode, dist.high
        if b == a:
            return a
        if q < (c - a) / (b - a):
            return a + math.sqrt(q * (b - a) * (c - a))
        return b - math.sqrt((1 - q) * (b - a) * (b - c))
    raise TypeError(f"not a payoff distribution: {dist!r}")


def _z(q: float) -> float:
    if q == Q_HIGH:
        return Z_95
    if q == Q_LOW:
        return -Z_95
    lo, hi = -40.0, 40.0  # bisection on the normal distribution function
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def inverse_cdf(dist: Payoff, u: np.ndarray) -> np.ndarray:
    """Map uniforms ``u`` in (0, 1) to draws of ``dist`` (for Sobol' sampling)."""
    u = np.asarray(u, float)
    if isinstance(dist, Fixed):
        return np.full_like(u, dist.value)
    if isinstance(dist, Normal):
        from scipy.special import ndtri

        return dist.mean + dist.sd * ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    if isinstance(dist, Uniform):
        return dist.low + u * (dist.high - dist.low)
    if isinstance(dist, Triangular):
        a, c, b = dist.low, dist.mode, dist.high
        if b == a:
            return np.full_like(u, a)
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)
    raise TypeError(f"not a payoff distribution: {dist!r}")


def is_uncertain(dist: Payoff) -> bool:
    """Whether a payoff has a spread (a distribution with a non-zero range)."""
    if isinstance(dist, Normal):
        return dist.sd > 0
    if isinstance(dist, (Uniform, Triangular)):
        return dist.high > dist.low
    return False


def _form(dist: Payoff) -> str:
    return {Fixed: "fixed", Normal: "normal", Uniform: "uniform", Triangular: "triangular"}[type(dist)]


# ---------------------------------------------------------------- one at a time


@dataclass(frozen=True)
class Swing:
    """One input and its low and high values."""

    input: str
    kind: str  # "payoff", "patience" or "power"
    party: str
    form: str  # the payoff's distribution, or "party"
    base: float
    low: float
    high: float
    param: int | None = None  # index into game.params for payoffs


def swings(game: PostureGame, fixed_swing: float = FIXED_SWING) -> list[Swing]:
    """Every input to swing, with its low and high values (see the module's docstring)."""
    points = game.point_values()
    scale = float(np.abs(points).max()) if len(points) else 0.0
    out = []
    for k, p in enumerate(game.params):
        if isinstance(p.dist, Fixed) and fixed_swing == 0:
            continue
        if isinstance(p.dist, Fixed):
            lo, hi = p.dist.value - fixed_swing * scale, p.dist.value + fixed_swing * scale
        else:
            lo, hi = quantile(p.dist, Q_LOW), quantile(p.dist, Q_HIGH)
        out.append(Swing(p.path, "payoff", p.party, _form(p.dist), float(points[k]), float(lo), float(hi), k))
    for party in game.parties:
        spec = game.scenario.parties[party]
        lo = min(max(spec.patience - PATIENCE_SWING, PATIENCE_CLIP[0]), PATIENCE_CLIP[1])
        hi = min(max(spec.patience + PATIENCE_SWING, PATIENCE_CLIP[0]), PATIENCE_CLIP[1])
        out.append(Swing(f"parties.{party}.patience", "patience", party, "party", spec.patience, lo, hi))
        out.append(Swing(f"parties.{party}.power", "power", party, "party", spec.power,
                         spec.power / POWER_FACTOR, spec.power * POWER_FACTOR))
    return out


def _threat_profiles(game: PostureGame, values: np.ndarray, rule: EquilibriumRule) -> Any:
    """The threat-point equilibrium of one variant as a comparable key (None when it is not one)."""
    A, B = game.payoffs(values)
    solved = solve_bimatrix(A, B, warn=False)
    _, info = threat_point(game, A, B, solved, rule)
    index = info.get("equilibrium")
    if index is None:
        return None
    e = solved.equilibria[index]
    return profile_key({p: {game.strategy_name(p, k): float(q) for k, q in enumerate(probs) if q > 1e-12}
                         for p, probs in zip(game.parties, (e.row, e.col))})


def one_at_a_time(game: PostureGame, rule: EquilibriumRule = "worst", fixed_swing: float = FIXED_SWING) -> dict[str, Any]:
    """Swing every input to its low and high value, one at a time.

    Returns
    -------
    dict
        ``baseline`` (``predicted_terms``, ``threat_equilibrium``, ``zopa_size``, ``self_enforcing``,
        ``gains``) and ``inputs``: one entry per input, ranked (see ``sensitivity``).
    """
    items = swings(game, fixed_swing)
    base_values = game.point_values()
    parties = game.parties
    base_powers = np.array([game.scenario.parties[p].power for p in parties])
    base_patience = np.array([game.scenario.parties[p].patience for p in parties])
    rows = 1 + 2 * len(items)
    values = np.tile(base_values, (rows, 1))
    powers = np.tile(base_powers, (rows, 1))
    patience = np.tile(base_patience, (rows, 1))
    for i, s in enumerate(items):
        for j, x in ((1 + 2 * i, s.low), (2 + 2 * i, s.high)):
            if s.kind == "payoff":
                values[j, s.param] = x
            else:
                (powers if s.kind == "power" else patience)[j, parties.index(s.party)] = x
    out = batch_outcomes(game, values, powers, patience, rule=rule)
    # The threat-point equilibrium changes only with payoffs: solve those variants exactly.
    profiles = [_threat_profiles(game, values[j], rule) if j == 0 or items[(j - 1) // 2].kind == "payoff" else None
                for j in range(rows)]

    def terms(j: int) -> dict[str, str] | None:
        if not out.deal[j]:
            return None
        return game.terms(*divmod(int(out.cell[j]), game.shape[1]))

    def state(j: int) -> dict[str, Any]:
        return {"predicted_terms": terms(j), "zopa_size": int(out.zopa_size[j]),
                "self_enforcing": bool(out.self_enforcing[j]),
                "gains": {p: float(out.gains[j, k]) for k, p in enumerate(parties)}}

    base = state(0)
    entries: list[dict[str, Any]] = []
    for i, s in enumerate(items):
        lo, hi = 1 + 2 * i, 2 + 2 * i
        changes = {
            "predicted_terms": any(out.cell[j] != out.cell[0] for j in (lo, hi)),
            "threat_equilibrium": s.kind == "payoff" and any(profiles[j] != profiles[0] for j in (lo, hi)),
            "zopa_nonempty": any((out.zopa_size[j] > 0) != (out.zopa_size[0] > 0) for j in (lo, hi)),
            "self_enforcing": any(out.self_enforcing[j] != out.self_enforcing[0] for j in (lo, hi)),
        }
        g = out.gains[[0, lo, hi]]
        entries.append({
            "input": s.input, "kind": s.kind, "party": s.party, "form": s.form,
            "base": s.base, "low": s.low, "high": s.high,
            "at_low": state(lo), "at_high": state(hi),
            "changes": changes,
            "gain_swing": {p: float(g[:, k].max() - g[:, k].min()) for k, p in enumerate(parties)},
            "swing": float((g.max(axis=0) - g.min(axis=0)).sum()),
        })
    entries.sort(key=lambda e: (-sum(e["changes"].values()), -e["swing"], e["input"]))
    for rank, e in enumerate(entries, 1):
        e["rank"] = rank
    base["threat_point"] = {p: float(out.threat[0, k]) for k, p in enumerate(parties)}
    return {"baseline": base, "inputs": entries}


# ---------------------------------------------------------------- Sobol' indices


def sobol_indices(
    evaluate: Callable[[np.ndarray], dict[str, np.ndarray]],
    dists: list[Payoff],
    names: list[str],
    samples: int = SOBOL_SAMPLES,
    seed: int = 0,
) -> dict[str, Any]:
    """First-order and total Sobol' indices of every output of ``evaluate`` over independent inputs.

    Parameters
    ----------
    evaluate : callable
        Maps draws of the inputs, shape (n, k), to ``{output name: values (n,)}``.
    dists : list of payoff distributions
        The inputs' distributions (sampled through their inverse distribution functions).
    names : list of str
        The inputs' names.
    samples : int
        Base samples N, a power of 2; ``evaluate`` sees N (k + 2) rows.
    seed : int
        Seed of the scrambled Sobol' sequence and of the bootstrap.

    Returns
    -------
    dict
        ``samples``, ``seed``, ``evaluations`` and ``outputs``: per output ``mean``, ``variance`` and
        ``indices`` (per input: ``input``, ``first_order``, ``first_order_conf``, ``total``,
        ``total_conf``; 95% bootstrap half-widths), largest total first. An output that does not vary
        gets indices of 0.
    """
    import warnings

    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if samples < 2 or samples & (samples - 1):
        raise NegotiateError(f"samples must be a power of 2 (2, 4, ..., 256, 512, ...), got {samples}")
    if not dists:
        raise NegotiateError("no uncertain input: every payoff is a fixed number, so there is no variance to apportion")
    problem = {"num_vars": len(dists), "names": list(names), "bounds": [[0.0, 1.0]] * len(dists)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        u = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    x = np.column_stack([inverse_cdf(d, u[:, k]) for k, d in enumerate(dists)])
    results = evaluate(x)
    outputs = {}
    for name, y in results.items():
        y = np.asarray(y, float)
        variance = float(y.var())
        if variance <= 1e-15 * max(1.0, float(np.abs(y).max())) ** 2:
            zero = [{"input": n, "first_order": 0.0, "first_order_conf": 0.0, "total": 0.0, "total_conf": 0.0} for n in names]
            outputs[name] = {"mean": float(y.mean()), "variance": 0.0, "indices": zero}
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=abs(seed) + 1)
        rows: list[dict[str, Any]] = [{"input": n, "first_order": float(si["S1"][k]), "first_order_conf": float(si["S1_conf"][k]),
                 "total": float(si["ST"][k]), "total_conf": float(si["ST_conf"][k])} for k, n in enumerate(names)]
        rows.sort(key=lambda r: -r["total"])
        outputs[name] = {"mean": float(y.mean()), "variance": variance, "indices": rows}
    return {"samples": samples, "seed": seed, "evaluations": int(len(x)), "outputs": outputs}


def sobol_of_game(game: PostureGame, rule: EquilibriumRule = "worst", samples: int = SOBOL_SAMPLES, seed: int = 0) -> dict[str, Any]:
    """Sobol' indices of each side's gain and of "the zone of agreement is non-empty" over the payoff draws.

    Returns
    -------
    dict
        As ``sobol_indices``, plus ``inputs`` (the uncertain payoffs, by path); the outputs are
        ``gain.PARTY`` for each party and ``zopa_nonempty`` (its ``mean`` is P(zone non-empty)).
    """
    base = game.point_values()
    uncertain = [k for k, p in enumerate(game.params) if is_uncertain(p.dist)]
    names = [game.params[k].path for k in uncertain]

    def evaluate(x: np.ndarray) -> dict[str, np.ndarray]:
        values = np.tile(base, (len(x), 1))
        values[:, uncertain] = x
        out = batch_outcomes(game, values, rule=rule)
        results = {f"gain.{p}": out.gains[:, k] for k, p in enumerate(game.parties)}
        results["zopa_nonempty"] = (out.zopa_size > 0).astype(float)
        return results

    result = sobol_indices(evaluate, [game.params[k].dist for k in uncertain], names, samples, seed)
    return {"inputs": names} | result


def sensitivity(
    game: PostureGame,
    rule: EquilibriumRule = "worst",
    samples: int = SOBOL_SAMPLES,
    seed: int = 0,
    fixed_swing: float = FIXED_SWING,
    overrides: dict[str, float] | None = None,
) -> dict[str, Any]:
    """One-at-a-time swings of every input, ranked, and Sobol' indices over the payoff draws.

    Parameters
    ----------
    game : PostureGame
        The scenario's game (possibly with fixed levers).
    rule : {"worst", "best", "mean"}
        Threat point among several equilibria.
    samples : int
        Sobol' base samples, a power of 2 (0: no Sobol' indices).
    seed : int
        Seed of the Sobol' sequence.
    fixed_swing : float
        A fixed payoff swings by this fraction of the largest absolute payoff, either way (0: fixed
        payoffs are left out).
    overrides : dict, optional
        The ``--set`` overrides the scenario was loaded with (path -> number), reported as ``set``.

    Returns
    -------
    dict
        ``scenario`` (``id``, ``title``, ``file``), ``parties``, ``rule``, ``fix``, ``set``,
        ``settings`` (the swing ranges used), ``baseline``, ``inputs`` (ranked swings) and ``sobol``
        (null when ``samples`` is 0 or no payoff is uncertain).
    """
    if fixed_swing < 0:
        raise NegotiateError(f"fixed_swing must be 0 or more, got {fixed_swing}")
    oat = one_at_a_time(game, rule, fixed_swing)
    s = game.scenario
    has_uncertain = any(is_uncertain(p.dist) for p in game.params)
    sobol = sobol_of_game(game, rule, samples, seed) if samples and has_uncertain else None
    return {
        "scenario": {"id": s.id, "title": s.title, "file": str(s.source_path) if s.source_path else None},
        "parties": list(game.parties),
        "rule": rule,
        "settings": {"quantiles": [Q_LOW, Q_HIGH], "fixed_swing": fixed_swing,
                     "fixed_swing_abs": float(fixed_swing * (np.abs(game.point_values()).max() if game.params else 0.0)),
                     "patience_swing": PATIENCE_SWING, "patience_clip": list(PATIENCE_CLIP), "power_factor": POWER_FACTOR},
        "fix": dict(game.fixed),
        "set": dict(overrides or {}),
        "baseline": oat["baseline"],
        "inputs": oat["inputs"],
        "sobol": sobol,
    }
