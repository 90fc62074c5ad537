"""The posture game a scenario defines: strategies, payoff matrices, and payoff draws.

A party's pure strategy is one option for every lever it owns. The payoff to a party in a cell is
the sum of its payoffs over every chosen option plus every interaction whose condition holds. The
first party in the file is the row player.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass

import numpy as np

from negotiate.errors import REMEDY_FIX, GameError
from negotiate.scenario.schema import Fixed, Normal, Payoff, Scenario, Triangular, Uniform


@dataclass(frozen=True)
class PayoffParameter:
    """One payoff entry of the scenario, with where it sits in the file."""

    path: str
    party: str
    dist: Payoff


def sample_payoffs(params: list[PayoffParameter], draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of every payoff parameter, shape (draws, len(params)); vectorised per distribution."""
    out = np.empty((draws, len(params)))
    for k, p in enumerate(params):
        d = p.dist
        if isinstance(d, Fixed):
            out[:, k] = d.value
        elif isinstance(d, Normal):
            out[:, k] = rng.normal(d.mean, d.sd, draws)
        elif isinstance(d, Uniform):
            out[:, k] = rng.uniform(d.low, d.high, draws)
        elif isinstance(d, Triangular):
            out[:, k] = d.low if d.low == d.high else rng.triangular(d.low, d.mode, d.high, draws)
    return out


# Peak memory of `solve` per agreement (cell), measured with JSON output at 1,000,000 agreements
# (payoff matrices, the agreements' utility pairs, the JSON lists of every payoff), and the base.
BYTES_PER_AGREEMENT = 360
BASE_BYTES = 100 * 2**20
# Overrides the memory a solve may plan on (megabytes); else what the system reports available.
MEMORY_ENV = "NEGOTIATE_MEMORY_MB"


def game_shape(scenario: Scenario, fixed: dict[str, str] | None = None) -> tuple[int, int]:
    """Strategies of the row and the column party, without building them (a fixed lever has one)."""
    fixed = fixed or {}
    return tuple(  # type: ignore[return-value]
        math.prod(1 if name in fixed else len(scenario.levers[name].options) for name in scenario.levers_of(p))
        for p in scenario.party_ids)


def available_memory() -> int | None:
    """Bytes a solve may plan on: ``NEGOTIATE_MEMORY_MB`` if set, else the system's available memory."""
    given = os.environ.get(MEMORY_ENV)
    if given:
        try:
            return int(float(given) * 2**20)
        except ValueError:
            raise GameError(f"{MEMORY_ENV}={given!r}: expected a number of megabytes") from None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def estimated_bytes(scenario: Scenario, fixed: dict[str, str] | None = None) -> int:
    """Peak memory a solve of the posture game is estimated to need (grows with the agreements)."""
    m, n = game_shape(scenario, fixed)
    return BASE_BYTES + BYTES_PER_AGREEMENT * m * n


def fits_in_memory(scenario: Scenario, fixed: dict[str, str] | None = None) -> bool:
    """Whether ``check_size`` lets the posture game be solved."""
    available = available_memory()
    return available is None or estimated_bytes(scenario, fixed) <= available


def check_size(scenario: Scenario, fixed: dict[str, str] | None = None, available: int | None = None) -> None:
    """Refuse, before any work, a posture game whose solution would not fit in memory.

    Parameters
    ----------
    scenario : Scenario
    fixed : dict, optional
        Levers committed to one option.
    available : int, optional
        Bytes to plan on; ``available_memory`` by default (no check when unknown).

    Raises
    ------
    GameError
        Saying how many agreements there are, the memory estimated and available, and how to
        shrink the game; its remedy is ``negotiate.errors.REMEDY_FIX``.
    """
    m, n = game_shape(scenario, fixed)
    needed = estimated_bytes(scenario, fixed)
    available = available_memory() if available is None else available
    if available is None or needed <= available:
        return
    free = [name for name in scenario.levers if name not in (fixed or {})]
    widest = max(free, key=lambda name: len(scenario.levers[name].options), default=None)
    hint = ""
    if widest is not None:
        k = len(scenario.levers[widest].options)
        hint = f"; fixing {widest} ({k} options) would divide the agreements by {k}"
    raise GameError(
        f"the posture game is too large for this machine: {m:,} x {n:,} strategies make {m * n:,} "
        f"agreements, and solving them needs about {_size(needed)} of memory where {_size(available)} "
        f"is available. Use fewer options per lever, or fix a lever to one option (see solve's fix "
        f"option){hint}.").with_remedies(REMEDY_FIX)


def _size(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    return f"{count:,.1f} GB"  # unreachable


class PostureGame:
    """The bimatrix game of a scenario's levers.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    fixed : dict, optional
        Levers committed to one option (lever -> option): their owner's strategies are only those
        using that option, and every agreement keeps it. A fixed lever's option also stands in for
        its status quo.

    Attributes
    ----------
    parties : list of str
        Row party, column party.
    levers : dict
        Lever ids of each party, in file order.
    strategies : dict
        For each party, its pure strategies as tuples of options (one per lever it owns).
    params : list of PayoffParameter
        Every payoff of the scenario; ``payoffs`` maps a vector of their values to matrices.
    """

    def __init__(self, scenario: Scenario, fixed: dict[str, str] | None = None):
        self.scenario = scenario
        self.fixed = dict(fixed or {})
        for fixed_lever, option in self.fixed.items():
            if fixed_lever not in scenario.levers or option not in scenario.levers[fixed_lever].options:
                raise GameError(f"cannot fix lever {fixed_lever!r} to {option!r}: no such lever or option")
        self.parties = scenario.party_ids
        self.levers = {p: scenario.levers_of(p) for p in self.parties}
        self.strategies = {
            p: list(itertools.product(*(
                [self.fixed[name]] if name in self.fixed else list(scenario.levers[name].options)
                for name in self.levers[p])))
            for p in self.parties
        }
        self.params: list[PayoffParameter] = []
        # Per party: list of (param index per option, option index per own strategy, axis).
        self._lever_terms: dict[str, list[tuple[np.ndarray, np.ndarray, int]]] = {p: [] for p in self.parties}
        # Per party: list of (param index, rows where the interaction holds, columns where it holds).
        self._interaction_terms: dict[str, list[tuple[int, np.ndarray, np.ndarray]]] = {p: [] for p in self.parties}
        for axis, owner in enumerate(self.parties):
            for pos, name in enumerate(self.levers[owner]):
                lever = scenario.levers[name]
                options = list(lever.options)
                picked = np.array([options.index(s[pos]) for s in self.strategies[owner]])
                for party in self.parties:
                    idx = np.array([self._add(f"levers.{name}.options.{o}.{party}", party, lever.options[o][party]) for o in options])
                    self._lever_terms[party].append((idx, picked, axis))
        for i, inter in enumerate(scenario.interactions):
            rows, cols = self._holds(inter.when)
            for party in self.parties:
                k = self._add(f"interactions.{i}.payoffs.{party}", party, inter.payoffs[party])
                self._interaction_terms[party].append((k, rows, cols))

    def _add(self, path: str, party: str, dist: Payoff) -> int:
        self.params.append(PayoffParameter(path, party, dist))
        return len(self.params) - 1

    def _holds(self, when: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
        """Rows and columns whose cells have every lever of ``when`` at its given option (a block)."""
        masks = []
        for owner in self.parties:
            ok = np.ones(len(self.strategies[owner]), dtype=bool)
            for lever, option in when.items():
                if lever in self.levers[owner]:
                    pos = self.levers[owner].index(lever)
                    ok &= np.array([s[pos] == option for s in self.strategies[owner]])
            masks.append(np.flatnonzero(ok))
        return masks[0], masks[1]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.strategies[self.parties[0]]), len(self.strategies[self.parties[1]])

    def point_values(self) -> np.ndarray:
        """Each payoff parameter at its mean."""
        return np.array([p.dist.point() for p in self.params])

    def payoffs(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Payoff matrices for parameter values.

        Parameters
        ----------
        values : ndarray, shape (len(params),) or (draws, len(params))

        Returns
        -------
        A, B : ndarray, shape (m, n) or (draws, m, n)
            Payoffs to the row and the column party.
        """
        values = np.asarray(values, dtype=float)
        single = values.ndim == 1
        v = values[None, :] if single else values
        m, n = self.shape
        out = []
        for party in self.parties:
            # Row levers come first (the row party's levers are registered first), so their sum is
            # a vector per row, broadcast once; adding terms in the same order as a cell-by-cell
            # sum keeps every payoff bit for bit.
            by_row = np.zeros((len(v), m))
            total = None
            for idx, picked, axis in self._lever_terms[party]:
                contrib = v[:, idx][:, picked]
                if axis == 0:
                    by_row += contrib
                elif total is None:
                    total = by_row[:, :, None] + contrib[:, None, :]
                else:
                    total += contrib[:, None, :]
            if total is None:
                total = np.repeat(by_row[:, :, None], n, axis=2)
            for k, rows, cols in self._interaction_terms[party]:
                if len(rows) and len(cols):
                    block = np.ix_(np.arange(len(v)), rows, cols)
                    total[block] += v[:, k, None, None]
            out.append(total[0] if single else total)
        return out[0], out[1]

    def strategy_name(self, party: str, index: int) -> str:
        """A pure strategy as its options joined by ' + ' ('(no levers)' for a party without any)."""
        options = self.strategies[party][index]
        return " + ".join(options) if options else "(no levers)"

    def terms(self, row: int, col: int) -> dict[str, str]:
        """The agreement in cell (row, col): the option of every lever, in file order."""
        chosen: dict[str, str] = {}
        for party, index in zip(self.parties, (row, col)):
            chosen.update(zip(self.levers[party], self.strategies[party][index]))
        return {name: chosen[name] for name in self.scenario.levers}

    def terms_in_words(self, row: int, col: int) -> str:
        """'US: cut tariffs ...; CN: suspend ...' for the agreement in cell (row, col)."""
        t = self.terms(row, col)
        parts = []
        for party in self.parties:
            phrases = [self.scenario.levers[name].words(t[name]) for name in self.levers[party]]
            if phrases:
                parts.append(f"{party}: " + ", ".join(phrases))
        return "; ".join(parts)

    def status_quo_cell(self) -> tuple[int, int] | None:
        """The cell where every lever keeps its status quo option, if all levers name one."""
        cell = []
        for party in self.parties:
            status_quo = [self.fixed.get(name, self.scenario.levers[name].status_quo) for name in self.levers[party]]
            wanted = tuple(option for option in status_quo if option is not None)
            if len(wanted) < len(status_quo):
                return None
            cell.append(self.strategies[party].index(wanted))
        return cell[0], cell[1]

    def to_nashpy(self):
        """The game at mean payoffs as a ``nashpy.Game`` (imports nashpy, about 0.8 s)."""
        import nashpy

        A, B = self.payoffs(self.point_values())
        return nashpy.Game(A, B)
