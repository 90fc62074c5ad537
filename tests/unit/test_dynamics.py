"""Learning dynamics (nashpy's fictitious play and replicator dynamics) and nashpy's solvers as --method.

Oracles from theory: on the prisoner's dilemma both dynamics go to mutual defection, the unique strict
equilibrium; in a coordination game (stag hunt) each strict equilibrium attracts the play that starts
near it; in matching pennies fictitious play's frequencies converge to (1/2, 1/2) (Robinson 1951) while
replicator orbits are closed and never settle; Lemke-Howson finds only the equilibria of index +1, so in
a 2 x 2 game with two pure equilibria it misses the mixed one.
"""

import numpy as np
import pytest

from negotiate.errors import GameError, NegotiateError
from negotiate.game.analysis import analyse
from negotiate.game.dynamics import (
    DynamicsSettings,
    fictitious_play,
    learning_dynamics,
    most_often,
    normalised,
    replicator,
    settle,
)
from negotiate.game.equilibria import solve_bimatrix
from negotiate.game.methods import METHODS, solve_with
from negotiate.scenario.schema import load_scenario
from tests.conftest import FLAGSHIP, SCENARIOS

PD_A = np.array([[3.0, 0.0], [5.0, 1.0]])  # row: cooperate, defect; T=5 > R=3 > P=1 > S=0
PD_B = PD_A.T
STAG_A = np.array([[4.0, 0.0], [3.0, 2.0]])  # stag, hare: (stag, stag) and (hare, hare) strict equilibria
STAG_B = STAG_A.T
PENNIES_A = np.array([[1.0, -1.0], [-1.0, 1.0]])

STAG_HUNT = """\
schema: 1
id: stag-hunt
title: Stag hunt
question: Will they hunt the stag together?
as_of: 2026-01-01
deadline: 2026-06-30
parties:
  H: {name: Home, patience: 0.9, power: 1.0}
  F: {name: Foreign, patience: 0.9, power: 1.0}
levers:
  home:
    owner: H
    status_quo: stag
    options:
      stag: {H: 0, F: 0}
      hare: {H: 2, F: 0}
  foreign:
    owner: F
    status_quo: stag
    options:
      stag: {H: 0, F: 0}
      hare: {H: 0, F: 2}
interactions:
  - when: {home: stag, foreign: stag}
    payoffs: {H: 4, F: 4}
  - when: {home: hare, foreign: stag}
    payoffs: {H: 1, F: 0}
  - when: {home: stag, foreign: hare}
    payoffs: {H: 0, F: 1}
threat: equilibrium
"""


def _interior(rng, k):
    return rng.dirichlet(np.ones(k))


# ---------------------------------------------------------------- the dynamics themselves


@pytest.mark.parametrize("seed", range(5))
def test_replicator_on_the_prisoners_dilemma_goes_to_mutual_defection(seed):
    rng = np.random.default_rng(seed)
    x, y = replicator(PD_A, PD_B, _interior(rng, 2), _interior(rng, 2))
    assert x == pytest.approx([0, 1], abs=1e-6) and y == pytest.approx([0, 1], abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_fictitious_play_on_the_prisoners_dilemma_goes_to_mutual_defection(seed):
    rng = np.random.default_rng(seed)
    x, y = fictitious_play(PD_A, PD_B, _interior(rng, 2), _interior(rng, 2), iterations=200)
    assert x == pytest.approx([0, 1]) and y == pytest.approx([0, 1])  # defecting is every round's best response


def test_replicator_with_negative_payoffs_stays_on_the_simplex():
    """nashpy's odeint drifts off the simplex when payoffs are negative; the normalisation prevents it."""
    x, y = replicator(PD_A - 10, PD_B - 10, np.array([0.9, 0.1]), np.array([0.9, 0.1]), time=1000)
    assert x == pytest.approx([0, 1], abs=1e-6) and y == pytest.approx([0, 1], abs=1e-6)
    An, Bn = normalised(PD_A - 10, 3 * PD_B)
    assert An.min() == Bn.min() == 1.0 and max(np.ptp(An), np.ptp(Bn)) == pytest.approx(1.0)


def test_each_strict_equilibrium_of_the_stag_hunt_attracts_play_that_starts_near_it():
    for start, target in ((0.9, [1, 0]), (0.1, [0, 1])):
        x0 = np.array([start, 1 - start])
        for run in (replicator(STAG_A, STAG_B, x0, x0), fictitious_play(STAG_A, STAG_B, x0, x0)):
            assert run[0] == pytest.approx(target, abs=0.01) and run[1] == pytest.approx(target, abs=0.01)


def test_matching_pennies_fictitious_play_settles_and_replicator_cycles():
    listed = [(np.array([0.5, 0.5]), np.array([0.5, 0.5]))]
    x0, y0 = np.array([0.7, 0.3]), np.array([0.4, 0.6])
    x, y = fictitious_play(PENNIES_A, -PENNIES_A, x0, y0, iterations=500)
    assert settle(PENNIES_A, -PENNIES_A, x, y, listed, 0.05) == 0
    x, y = replicator(PENNIES_A, -PENNIES_A, x0, y0, time=1000)
    assert settle(PENNIES_A, -PENNIES_A, x, y, listed, 0.05) is None  # a closed orbit around the equilibrium


def test_fictitious_play_is_seeded_and_leaves_the_global_generator_alone():
    ties = np.zeros((3, 3))  # every strategy is always a best response: nashpy breaks ties at random
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    first = fictitious_play(ties, ties, np.full(3, 1 / 3), np.full(3, 1 / 3), iterations=50, seed=4)
    assert np.random.random() == expected
    second = fictitious_play(ties, ties, np.full(3, 1 / 3), np.full(3, 1 / 3), iterations=50, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_settle_names_an_unlisted_equilibrium_and_an_unsettled_point():
    listed = [(np.array([1.0, 0.0]), np.array([1.0, 0.0]))]
    assert settle(STAG_A, STAG_B, np.array([0.0, 1.0]), np.array([0.0, 1.0]), listed, 0.05) == "other"
    assert settle(STAG_A, STAG_B, np.array([1.0, 0.0]), np.array([0.0, 1.0]), listed, 0.05) is None


# ---------------------------------------------------------------- the study on scenarios


def test_flagship_play_drifts_to_the_status_quo_equilibrium():
    a = analyse(load_scenario(FLAGSHIP), dynamics=DynamicsSettings())
    d = a.dynamics
    assert d["reduced_shape"] == [2, 2]
    # the US status quo (keep_threat + maintain) is strictly dominated: its nearest kept posture changes chips only
    assert d["starts"]["status_quo"] == {
        "US": {"strategy": "keep_threat + expand", "status_quo": "keep_threat + maintain", "levers_changed": 1},
        "CN": {"strategy": "as_announced + boycott", "status_quo": "as_announced + boycott", "levers_changed": 0}}
    assert [(r["dynamics"], r["start"]) for r in d["runs"]] == [
        ("fictitious_play", "status_quo"), ("replicator", "status_quo"),
        ("fictitious_play", "uniform"), ("replicator", "uniform")]
    for r in d["runs"]:
        assert sum(c["count"] for c in r["settled"]) + r["other_equilibrium"] + r["unsettled"] == r["restarts"] == 10
    # from the status quo, play stays at equilibrium #2 (keep the threat / controls as announced), a strict one
    assert d["most_often"] == {"equilibrium": 1, "count": 20, "runs": 20, "start": "status_quo"}
    e = a.solved.equilibria[1]
    assert e.is_pure() and e.payoffs == pytest.approx((0.5, -3.0))


def test_the_study_is_reproducible_by_its_seed():
    one = analyse(load_scenario(FLAGSHIP), dynamics=DynamicsSettings(restarts=4, seed=3)).dynamics
    two = analyse(load_scenario(FLAGSHIP), dynamics=DynamicsSettings(restarts=4, seed=3)).dynamics
    assert one == two and one["settings"]["seed"] == 3 and one["settings"]["restarts"] == 4


def test_dynamics_rule_picks_where_play_settles_not_the_worst(tmp_path):
    path = tmp_path / "stag.yaml"
    path.write_text(STAG_HUNT)
    s = load_scenario(path)
    worst = analyse(s, rule="worst").to_dict()
    learned = analyse(s, rule="dynamics").to_dict()
    stag = [k for k, e in enumerate(worst["equilibria"]) if e["strategies"] == {"H": {"stag": 1.0}, "F": {"stag": 1.0}}]
    assert worst["threat_point"]["payoffs"] == {"H": 2.0, "F": 2.0}  # (hare, hare)
    assert learned["threat_point"] == {"mode": "equilibrium", "rule": "dynamics", "equilibrium": stag[0],
                                       "payoffs": {"H": 4.0, "F": 4.0}}
    assert learned["dynamics"]["most_often"]["start"] == "status_quo"


def test_without_a_status_quo_only_uniform_play_is_a_start(tmp_path):
    path = tmp_path / "stag.yaml"
    path.write_text(STAG_HUNT.replace("    status_quo: stag\n", ""))
    d = analyse(load_scenario(path), dynamics=DynamicsSettings(restarts=3)).dynamics
    assert d["starts"]["status_quo"] is None
    assert {r["start"] for r in d["runs"]} == {"uniform"}
    assert d["most_often"]["start"] == "uniform" and d["most_often"]["runs"] == 6


def test_most_often_breaks_ties_toward_the_lower_joint_payoff_and_may_find_nothing():
    runs = [{"start": "status_quo", "restarts": 4, "settled": [{"equilibrium": 0, "count": 2}, {"equilibrium": 1, "count": 2}]}]
    assert most_often(runs, [(3.0, 3.0), (1.0, 1.0)])["equilibrium"] == 1
    assert most_often([{"start": "uniform", "restarts": 4, "settled": []}], [(1.0, 1.0)]) is None


def test_dynamics_rule_without_a_settled_run_is_an_error(monkeypatch):
    import negotiate.game.analysis as analysis

    monkeypatch.setattr(analysis, "learning_dynamics", lambda *a: {"most_often": None})
    with pytest.raises(GameError, match="no run of the learning dynamics settled at a listed equilibrium"):
        analyse(load_scenario(FLAGSHIP), rule="dynamics")


def test_bad_settings():
    with pytest.raises(NegotiateError, match="restarts must be 1 or more, got 0"):
        learning_dynamics(*_flagship_parts(), DynamicsSettings(restarts=0))
    with pytest.raises(NegotiateError, match=r"perturbation must be in \[0, 1\), got 1"):
        learning_dynamics(*_flagship_parts(), DynamicsSettings(perturbation=1))
    with pytest.raises(NegotiateError, match="unknown equilibrium rule 'median'; expected one of: worst, best, mean, dynamics"):
        analyse(load_scenario(FLAGSHIP), rule="median")  # type: ignore[arg-type]


def _flagship_parts():
    a = analyse(load_scenario(FLAGSHIP))
    return a.game, a.A, a.B, a.solved


# ---------------------------------------------------------------- nashpy's solvers as --method


def _profiles(solved):
    return sorted((tuple(np.round(e.row, 6)), tuple(np.round(e.col, 6))) for e in solved.equilibria)


@pytest.mark.parametrize("method", ["nashpy-support", "nashpy-vertex"])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_support_and_vertex_enumeration_agree_with_the_exact_solver_on_the_shipped_scenarios(path, method):
    a = analyse(load_scenario(path))
    exact = solve_bimatrix(a.A, a.B, warn=False)
    found = solve_with(method, a.A, a.B)
    assert _profiles(found) == _profiles(exact)
    assert found.complete and found.cross_check == {"exact_equilibria": len(exact.equilibria), "exact_complete": True,
                                                    "found": len(exact.equilibria), "missed": 0, "extra": 0}
    assert (found.kept_rows.tolist(), found.kept_cols.tolist()) == (exact.kept_rows.tolist(), exact.kept_cols.tolist())


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_lemke_howson_finds_only_equilibria_of_the_exact_solver(path):
    a = analyse(load_scenario(path))
    exact = solve_bimatrix(a.A, a.B, warn=False)
    found = solve_with("nashpy-lemke-howson", a.A, a.B)
    assert set(_profiles(found)) <= set(_profiles(exact))
    if path == FLAGSHIP:
        # two pure equilibria and a mixed one in the reduced 2 x 2: Lemke-Howson reaches the pure ones only
        assert [e.is_pure() for e in found.equilibria] == [True, True] and not found.complete
        assert found.cross_check["missed"] == 1
        assert "cross-check: the exact solver finds 3; this method found 2 of them and missed 1" in found.notes
    else:
        assert _profiles(found) == _profiles(exact) and found.complete


@pytest.mark.parametrize("seed", range(6))
def test_nashpy_methods_on_random_nondegenerate_games(seed):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    exact = _profiles(solve_bimatrix(A, B, warn=False))
    assert _profiles(solve_with("nashpy-vertex", A, B)) == exact
    # support enumeration compares floats exactly: it can miss equilibria even here (seed 4), and says so
    support = solve_with("nashpy-support", A, B)
    assert set(_profiles(support)) <= set(exact)
    assert support.cross_check["missed"] == len(exact) - len(support.equilibria)
    assert support.complete == (support.cross_check["missed"] == 0)
    assert set(_profiles(solve_with("nashpy-lemke-howson", A, B))) <= set(exact)


def test_each_method_states_its_limits():
    a = analyse(load_scenario(FLAGSHIP))
    notes = {m: solve_with(m, a.A, a.B).notes for m in METHODS[1:]}
    assert notes["nashpy-support"][0] == (
        "nashpy support enumeration on the reduced 2 x 2 game; its limits: support enumeration compares floats "
        "exactly and solves only supports of equal size: in degenerate games (payoff ties) it can miss equilibria")
    assert "slow beyond 8 x 8" in notes["nashpy-vertex"][0]
    assert "in general not all of them, and can fail on degenerate games" in notes["nashpy-lemke-howson"][0]
    assert solve_with("exact", a.A, a.B).cross_check is None


def test_a_side_with_one_strategy_left_is_not_given_to_nashpy():
    """nashpy's vertex enumeration fails and its Lemke-Howson never returns on a 1 x 1 game."""
    found = solve_with("nashpy-lemke-howson", PD_A, PD_B)
    assert _profiles(found) == [((0.0, 1.0), (0.0, 1.0))]
    assert any("nashpy is not run when a side has a single strategy left" in n for n in found.notes)


def test_degenerate_game_cross_check_counts_points_of_continua():
    A = np.array([[1.0, 1.0], [1.0, 1.0]])  # every profile is an equilibrium
    found = solve_with("nashpy-vertex", A, A)
    assert found.degenerate and found.cross_check["exact_equilibria"] >= 1


def test_unknown_method():
    with pytest.raises(NegotiateError, match="unknown solver method 'gambit'; expected one of: exact, nashpy-support, "
                                             "nashpy-vertex, nashpy-lemke-howson"):
        solve_with("gambit", PD_A, PD_B)
