"""From a scenario to its full game-theoretic analysis: what ``negotiate solve`` prints.

The posture game at mean payoffs is solved for its equilibria; the threat point follows from the
scenario's ``threat`` mode; agreements (one option for every lever, i.e. the game's cells) are
bargained over with the Nash, Kalai-Smorodinsky and Rubinstein solutions; the predicted deal is
the Nash solution over pure agreements, and its self-enforcement in the repeated game is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from negotiate.errors import NegotiateError
from negotiate.game import bargaining
from negotiate.game.dynamics import DynamicsSettings, dynamics_threat, learning_dynamics
from negotiate.game.equilibria import EquilibriumSet
from negotiate.game.methods import solve_with
from negotiate.game.posture import PostureGame, check_size
from negotiate.game.threat import THREAT_RULES, ThreatRule, fixed_threat, pick_threat_equilibrium
from negotiate.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

TOP_ZOPA = 5


@dataclass
class Analysis:
    """Everything ``solve`` reports; ``to_dict`` gives the documented JSON form."""

    game: PostureGame
    A: np.ndarray
    B: np.ndarray
    solved: EquilibriumSet
    threat: np.ndarray
    threat_info: dict
    zopa_cells: list[tuple[int, int]]
    nash_cell: tuple[int, int] | None
    nash_hull: bargaining.HullPoint | None
    ks_hull: bargaining.HullPoint | None
    ideal: np.ndarray | None
    frontier_cells: list[tuple[int, int]]
    hull_frontier_cells: list[tuple[int, int]]
    rubinstein: dict
    critical: dict
    monte_carlo: dict | None = None
    dynamics: dict | None = None

    # ------------------------------------------------------------------ helpers
    @property
    def parties(self) -> list[str]:
        return self.game.parties

    def cell_payoffs(self, cell: tuple[int, int]) -> np.ndarray:
        return np.array([self.A[cell], self.B[cell]])

    def _pay(self, u) -> dict[str, float]:
        return {p: float(v) for p, v in zip(self.parties, u)}

    def _agreement(self, cell: tuple[int, int]) -> dict:
        u = self.cell_payoffs(cell)
        return {
            "terms": self.game.terms(*cell),
            "payoffs": self._pay(u),
            "gains": self._pay(u - self.threat),
        }

    def _hull_point(self, point: bargaining.HullPoint | None) -> dict | None:
        if point is None:
            return None
        cells = dict(zip((i for i, _ in point.lottery), _cells([i for i, _ in point.lottery], self.A.shape[1])))
        return {
            "payoffs": self._pay(point.payoffs),
            "gains": self._pay(point.payoffs - self.threat),
            "lottery": [
                {"terms": self.game.terms(*cells[i]), "words": self.game.terms_in_words(*cells[i]), "probability": float(q)}
                for i, q in point.lottery
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        """The analysis with stable keys (documented in the README, section "solve --json")."""
        g, s = self.game, self.game.scenario
        row, col = self.parties
        equilibria = []
        for e in self.solved.equilibria:
            equilibria.append({
                "strategies": {
                    party: {g.strategy_name(party, k): float(q) for k, q in enumerate(probs) if q > 1e-12}
                    for party, probs in zip(self.parties, (e.row, e.col))
                },
                "payoffs": self._pay(e.payoffs),
                "pure": e.is_pure(),
            })
        nash = None
        if self.nash_cell is not None:
            nash = self._agreement(self.nash_cell) | {
                "words": g.terms_in_words(*self.nash_cell),
                "hull": self._hull_point(self.nash_hull),
            }
        elif self.nash_hull is not None:
            nash = {"terms": None, "words": None, "payoffs": None, "gains": None,
                    "hull": self._hull_point(self.nash_hull)}
        ranked = self._ranked_zopa(TOP_ZOPA)
        out = {
            "scenario": {
                "id": s.id, "title": s.title, "question": s.question,
                "as_of": s.as_of.isoformat(), "deadline": s.deadline.isoformat(),
                "file": str(s.source_path) if s.source_path else None,
            },
            "parties": {p: {"name": s.parties[p].name, "patience": s.parties[p].patience,
                            "power": s.parties[p].power} for p in self.parties},
            "game": {
                "row_party": row, "column_party": col,
                "shape": list(self.A.shape),
                "reduced_shape": [len(self.solved.kept_rows), len(self.solved.kept_cols)],
                "levers": {p: g.levers[p] for p in self.parties},
                "strategies": {p: [g.strategy_name(p, k) for k in range(len(g.strategies[p]))] for p in self.parties},
                "eliminated": {
                    p: [g.strategy_name(p, k) for k in range(len(g.strategies[p])) if k not in kept]
                    for p, kept in zip(self.parties, (set(self.solved.kept_rows.tolist()), set(self.solved.kept_cols.tolist())))
                },
                "payoffs": {row: self.A.tolist(), col: self.B.tolist()},
            },
            "equilibria": equilibria,
            "solver": {"method": self.solved.method, "complete": self.solved.complete,
                       "degenerate": self.solved.degenerate, "notes": list(dict.fromkeys(self.solved.notes))}
            | ({"cross_check": self.solved.cross_check} if self.solved.cross_check is not None else {}),
            "threat_point": self.threat_info | {"payoffs": self._pay(self.threat)},
            "agreements": {"count": int(self.A.size)},
            "zopa": {
                "size": len(self.zopa_cells),
                "lotteries_only": not self.zopa_cells and self.nash_hull is not None,
                "agreements": [self._agreement(c) for c in ranked],
            },
            "pareto_frontier": [self._agreement(c) for c in self.frontier_cells],
            "hull_frontier": [self._agreement(c) for c in self.hull_frontier_cells],
            "nash_bargaining": nash,
            "kalai_smorodinsky": self._hull_point(self.ks_hull),
            "ideal_point": self._pay(self.ideal) if self.ideal is not None else None,
            "rubinstein": self.rubinstein,
            "critical_discount": self.critical,
            "predicted_terms": (
                {"terms": g.terms(*self.nash_cell), "words": g.terms_in_words(*self.nash_cell)}
                if self.nash_cell is not None else None
            ),
        }
        if self.monte_carlo is not None:
            out["monte_carlo"] = self.monte_carlo
        if self.dynamics is not None:
            out["dynamics"] = self.dynamics
        return out

    def to_frame(self) -> pd.DataFrame:
        """Every agreement (cell) as a row: the option of each lever, each party's payoff and gain over
        the threat point, and whether it is in the zone of agreement, on the Pareto frontier, or Nash's pick.
        """
        import pandas as pd

        g = self.game
        m, n = self.A.shape
        rows, cols = np.divmod(np.arange(m * n), n)
        # each lever's option per agreement, read off its owner's strategy (not cell by cell)
        by_strategy = {name: (index, np.array([s[pos] for s in g.strategies[party]], dtype=object))
                       for party, index in zip(self.parties, (rows, cols))
                       for pos, name in enumerate(g.levers[party])}
        frame = pd.DataFrame({name: by_strategy[name][1][by_strategy[name][0]] for name in g.scenario.levers})
        for party, M, t in zip(self.parties, (self.A, self.B), self.threat):
            frame[f"payoff_{party}"] = M.ravel()
            frame[f"gain_{party}"] = M.ravel() - t
        flags = np.zeros((3, m * n), bool)
        for k, cells in enumerate((self.zopa_cells, self.frontier_cells, [self.nash_cell] if self.nash_cell else [])):
            for r, c in cells:
                flags[k, r * n + c] = True
        frame["in_zone"], frame["pareto"], frame["nash"] = flags
        return frame

    def __repr__(self) -> str:
        terms = self.game.terms_in_words(*self.nash_cell) if self.nash_cell is not None else "no deal predicted"
        return (f"<Analysis {self.game.scenario.id}: {len(self.solved.equilibria)} equilibria, "
                f"zone of agreement {len(self.zopa_cells)} agreements, predicted: {terms}>")

    def _repr_html_(self) -> str:
        import html

        e, g, s = html.escape, self.game, self.game.scenario
        rows = [("equilibria", f"{len(self.solved.equilibria)} ({'complete' if self.solved.complete else 'may be incomplete'})"),
                ("threat point", ", ".join(f"{p} {v:+.2f}" for p, v in zip(self.parties, self.threat))),
                ("zone of agreement", f"{len(self.zopa_cells)} of {self.A.size} agreements")]
        if self.nash_cell is not None:
            gains = self.cell_payoffs(self.nash_cell) - self.threat
            rows += [("predicted terms", g.terms_in_words(*self.nash_cell)),
                     ("gains over the threat point", ", ".join(f"{p} {v:+.2f}" for p, v in zip(self.parties, gains)))]
        else:
            rows.append(("predicted terms", "none: no agreement is better than the threat point for both"))
        body = "".join(f"<tr><th style='text-align:left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
        return f"<div><strong>{e(s.title)}</strong><table>{body}</table></div>"

    def _ranked_zopa(self, top: int) -> list[tuple[int, int]]:
        """The ``top`` agreements of the zone by Nash product, best first (ties in cell order)."""
        if not self.zopa_cells:
            return []
        rows, cols = np.array(self.zopa_cells, dtype=np.int64).T
        values = bargaining.nash_product(np.stack([self.A[rows, cols], self.B[rows, cols]], axis=1),
                                         self.threat, self._powers())
        order = np.argsort(-values, kind="stable")[:top]  # as sorted() on the negated value
        return [self.zopa_cells[k] for k in order.tolist()]

    def _powers(self) -> tuple[float, float]:
        s = self.game.scenario
        return s.parties[self.parties[0]].power, s.parties[self.parties[1]].power


def threat_point(
    game: PostureGame, A: np.ndarray, B: np.ndarray, solved: EquilibriumSet, rule: ThreatRule,
    dynamics: dict | None = None,
) -> tuple[np.ndarray, dict]:
    """The disagreement payoffs under the scenario's ``threat`` mode, and how they were chosen.

    The ``dynamics`` rule needs the result of ``negotiate.game.dynamics.learning_dynamics``.
    """
    fixed = fixed_threat(game, A, B)
    if fixed is not None:
        return fixed
    pays = np.array([e.payoffs for e in solved.equilibria]).reshape(-1, 2)
    if rule == "dynamics":
        if dynamics is None:
            raise NegotiateError("the dynamics rule needs the result of the learning dynamics")
        index: int | None = dynamics_threat(dynamics)
        return pays[index], {"mode": "equilibrium", "rule": rule, "equilibrium": index}
    payoffs, index = pick_threat_equilibrium(pays, rule)
    return payoffs, {"mode": "equilibrium", "rule": rule, "equilibrium": index}


def analyse(
    scenario: Scenario,
    rule: ThreatRule = "worst",
    values: np.ndarray | None = None,
    fixed: dict[str, str] | None = None,
    method: str = "exact",
    dynamics: DynamicsSettings | None = None,
) -> Analysis:
    """Solve the scenario's posture game and its bargaining problem.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    rule : {"worst", "best", "mean", "dynamics"}
        How to pick the threat point among several equilibria (``threat: equilibrium`` only);
        ``dynamics``: the one learning dynamics settle at most often (runs them).
    values : ndarray, optional
        Payoff parameter values; the mean of each distribution by default.
    fixed : dict, optional
        Levers committed to one option (lever -> option); see ``PostureGame``.
    method : str
        Equilibrium solver, one of ``negotiate.game.methods.METHODS`` (``exact`` by default).
    dynamics : DynamicsSettings, optional
        Run the learning dynamics (``negotiate.game.dynamics.learning_dynamics``) with these
        settings and report them; the ``dynamics`` rule runs them with the defaults when not given.

    Returns
    -------
    Analysis
    """
    if rule not in THREAT_RULES:
        raise NegotiateError(f"unknown equilibrium rule {rule!r}; expected one of: {', '.join(THREAT_RULES)}")
    check_size(scenario, fixed)  # before any work: a clear refusal, not an exhausted machine
    game = PostureGame(scenario, fixed)
    A, B = game.payoffs(game.point_values() if values is None else values)
    solved = solve_with(method, A, B)  # degeneracy is reported in the result, not warned about
    learned = None
    if dynamics is not None or (rule == "dynamics" and scenario.threat == "equilibrium"):
        learned = learning_dynamics(game, A, B, solved, dynamics)
    threat, info = threat_point(game, A, B, solved, rule, learned)
    powers = tuple(scenario.parties[p].power for p in game.parties)

    n = A.shape[1]
    points = np.stack([A.ravel(), B.ravel()], axis=1)  # agreement k is cell divmod(k, n)
    above = (points > threat[None, :] + 1e-12).all(axis=1)
    zopa = _cells(np.flatnonzero(above), n)
    k_pure = bargaining.nash_bargaining_pure(points, threat, powers)
    nash_cell = _cells([k_pure], n)[0] if k_pure is not None else None
    # The hull-based solutions need only the few points that can be hull vertices (same answers).
    keep = bargaining.hull_candidates(points)
    hull_points = points[keep]
    nash_hull = _on_agreements(bargaining.nash_bargaining(hull_points, threat, powers), keep)
    ks = _on_agreements(bargaining.kalai_smorodinsky(hull_points, threat), keep)
    ideal = bargaining.ideal_point(hull_points, threat)
    frontier = _cells(bargaining.pareto_front(points), n)
    hull_front = _cells(keep[bargaining.hull_frontier(hull_points)], n)

    rubinstein = _rubinstein(scenario, game.parties, points, threat)
    critical = _critical(scenario, game, A, B, nash_cell, solved, threat, info)
    return Analysis(game, A, B, solved, threat, info, zopa, nash_cell, nash_hull, ks, ideal,
                    frontier, hull_front, rubinstein, critical, dynamics=learned)


def _cells(indices, n: int) -> list[tuple[int, int]]:
    """Cells (row, column) of agreements numbered row by row, as Python ints."""
    rows, cols = np.divmod(np.asarray(indices, dtype=np.int64), n)
    return list(zip(rows.tolist(), cols.tolist()))


def _on_agreements(point: bargaining.HullPoint | None, keep: np.ndarray) -> bargaining.HullPoint | None:
    """A hull point found among ``points[keep]``, its lottery renumbered over all the agreements."""
    if point is None:
        return None
    return bargaining.HullPoint(point.payoffs, [(int(keep[i]), q) for i, q in point.lottery])


def _rubinstein(scenario: Scenario, parties: list[str], points: np.ndarray, threat: np.ndarray) -> dict:
    """Alternating-offers shares of the largest joint gain (transferable utility assumed)."""
    gains = points - threat
    joint = gains.sum(axis=1)
    ok = (gains > 0).all(axis=1)
    surplus = float(joint[ok].max()) if ok.any() else 0.0
    deltas = {p: scenario.parties[p].patience for p in parties}
    by_proposer = {}
    for first in parties:
        second = parties[1] if first == parties[0] else parties[0]
        s_first, s_second = bargaining.rubinstein_shares(deltas[first], deltas[second])
        by_proposer[first] = {first: s_first, second: s_second}
    proposer = parties[0]
    return {
        "proposer": proposer,
        "shares": by_proposer[proposer],
        "shares_by_proposer": by_proposer,
        "surplus": surplus,
        "gains": {p: by_proposer[proposer][p] * surplus for p in parties},
    }


def _critical(scenario, game, A, B, cell, solved, threat, info) -> dict:
    """Critical discount factor of the predicted deal under grim trigger (Nash reversion)."""
    if cell is None:
        return {"value": None, "self_enforcing": False, "by_party": {}, "punishment": None,
                "reason": "no agreement beats the threat point"}
    # Nash reversion: the threat point when it is an equilibrium, else the worst equilibrium
    if info.get("mode") == "equilibrium" or not solved.equilibria:
        punishment = threat
    else:
        punishment, _ = pick_threat_equilibrium(np.array([e.payoffs for e in solved.equilibria]), "worst")
    r, c = cell
    deal = (A[r, c], B[r, c])
    deviation = (A[:, c].max(), B[r, :].max())
    by_party = {}
    for k, party in enumerate(game.parties):
        crit = bargaining.critical_discount(deal[k], deviation[k], punishment[k])
        patience = scenario.parties[party].patience
        by_party[party] = {
            "critical": None if crit is None else float(crit), "patience": patience,
            "deviation_payoff": float(deviation[k]), "deal_payoff": float(deal[k]),
            "holds": bool(crit is not None and patience >= crit),
        }
    crits = [v["critical"] for v in by_party.values()]
    value = None if None in crits else float(max(crits))
    return {
        "value": value,
        "self_enforcing": all(v["holds"] for v in by_party.values()),
        "by_party": by_party,
        "punishment": {p: float(v) for p, v in zip(game.parties, punishment)},
    }
