"""Sweeps: grid parsing, where a grid's number enters the game, agreement with solve --set, the 1/2 oracle."""

import numpy as np
import pytest

from negotiate.errors import NegotiateError, ScenarioError
from negotiate.game.analysis import analyse
from negotiate.game.sweep import load_sweep, parse_grid, sweep
from negotiate.scenario.overrides import OverrideSyntaxError, load_what_if
from tests.conftest import FLAGSHIP, SCENARIOS

PD = [p for p in SCENARIOS if p.stem == "trade-war-pd"][0]


def test_grid_values_are_evenly_spaced_and_hit_round_numbers():
    g = parse_grid("parties.H.patience=0.3:0.7:41")
    assert g.path == ("parties", "H", "patience") and g.count == 41 and g.label == "grid parties.H.patience=0.3:0.7:41"
    values = g.values()
    assert values[20] == 0.5 and values[0] == 0.3 and values[-1] == 0.7
    assert np.diff(values) == pytest.approx(np.full(40, 0.01))


@pytest.mark.parametrize("text", ["parties.H.patience=0.3:0.7", "parties.H.patience", "parties.H.patience=0.7:0.3:5",
                                  "parties.H.patience=0.3:0.7:1", "parties.H.patience=a:0.7:5", "=0.3:0.7:5",
                                  "parties.H.patience=0.3:0.7:2.5"])
def test_malformed_grids(text):
    with pytest.raises(OverrideSyntaxError, match=r"expected PATH=LO:HI:N with LO < HI and N >= 2"):
        parse_grid(text)


def test_prisoners_dilemma_oracle_self_enforcement_starts_exactly_at_one_half():
    """Grim trigger sustains mutual restraint iff delta >= (T - R) / (T - P) = (1 - 0) / (1 - (-1)) = 1/2."""
    game, grids, values = load_sweep(PD, ["parties.H.patience=0.3:0.7:41"], ["parties.F.patience=0.9"])
    result = sweep(game, grids, overrides=values)
    assert result["set"] == {"parties.F.patience": 0.9}
    for p in result["points"]:
        delta = p["values"]["parties.H.patience"]
        assert p["critical_discount"] == 0.5
        assert p["self_enforcing"] is (delta >= 0.5), delta
        assert result["agreements"][p["agreement"]]["terms"] == {"home_tariff": "hold", "foreign_tariff": "hold"}
    crossing = [p["values"]["parties.H.patience"] for p in result["points"] if p["self_enforcing"]][0]
    assert crossing == 0.5


def test_two_grids_self_enforcing_only_when_both_are_patient_enough():
    game, grids, _ = load_sweep(PD, ["parties.H.patience=0.25:0.75:5", "parties.F.patience=0.25:0.75:5"])
    result = sweep(game, grids)
    assert len(result["points"]) == 25
    for p in result["points"]:
        h, f = p["values"]["parties.H.patience"], p["values"]["parties.F.patience"]
        assert p["self_enforcing"] is (h >= 0.5 and f >= 0.5)
    # first grid outer, second inner
    assert [p["values"]["parties.F.patience"] for p in result["points"][:5]] == [0.25, 0.375, 0.5, 0.625, 0.75]


@pytest.mark.parametrize("grids", [
    ["levers.chips.options.ease.US.mean=-3:0:4", "parties.US.power=0.5:2:3"],
    ["levers.tariffs.options.keep_threat.US=-1:1:5"],
    ["levers.rare_earths.options.enforce.CN.sd=0:3:3", "interactions.4.payoffs.CN.mean=0:2:3"],
])
def test_every_grid_point_is_what_solve_set_gives(grids):
    game, checked, _ = load_sweep(FLAGSHIP, grids)
    result = sweep(game, checked)
    n = game.shape[1]
    for p in result["points"]:
        sets = [f"{path}={value!r}" for path, value in p["values"].items()]
        a = analyse(load_what_if(FLAGSHIP, sets)[0])
        if a.nash_cell is None:
            assert p["agreement"] is None
        else:
            assert result["agreements"][p["agreement"]]["terms"] == a.game.terms(*a.nash_cell)
            assert [p["gains"][q] for q in ("US", "CN")] == pytest.approx(a.cell_payoffs(a.nash_cell) - a.threat)
        assert p["zopa_size"] == len(a.zopa_cells)
        assert p["critical_discount"] == pytest.approx(a.critical["value"])
        assert p["self_enforcing"] is a.critical["self_enforcing"]
    assert sum(a["points"] for a in result["agreements"]) == sum(p["agreement"] is not None for p in result["points"])
    del n


def test_uniform_and_triangular_fields_move_the_point_value(tmp_path):
    text = PD.read_text().replace("raise: {H: 1, F: -2}", "raise: {H: {low: 0, high: 2}, F: {low: -3, mode: -2, high: -1}}")
    path = tmp_path / "pd.yaml"
    path.write_text(text)
    game, grids, _ = load_sweep(path, ["levers.home_tariff.options.raise.H.high=2:4:3", "levers.home_tariff.options.raise.F.low=-3:-2:2"])
    result = sweep(game, grids)
    for p in result["points"]:
        high, low = p["values"].values()
        a = analyse(load_what_if(path, [f"levers.home_tariff.options.raise.H.high={high!r}",
                                        f"levers.home_tariff.options.raise.F.low={low!r}"])[0])
        gains = [0.0, 0.0] if a.nash_cell is None else list(a.cell_payoffs(a.nash_cell) - a.threat)
        assert [p["gains"][q] for q in ("H", "F")] == pytest.approx(gains)
        assert (p["agreement"] is None) is (a.nash_cell is None)
        assert p["critical_discount"] == pytest.approx(a.critical["value"])
    assert any(p["agreement"] is None for p in result["points"]) and any(p["agreement"] is not None for p in result["points"])


@pytest.mark.parametrize("grid, expected", [
    ("parties.UX.patience=0.5:0.9:5", "grid parties.UX.patience=0.5:0.9:5: parties.UX: unknown key 'UX'; did you mean 'US'?"),
    ("parties.US.patience=0.5:1.5:3", "grid parties.US.patience=0.5:1.5:3: {file}:29: parties.US.patience: found 1.5; "
                                      "expected a per-round discount factor strictly between 0 and 1"),
    ("prior.strength=1:5:5", "grid prior.strength=1:5:5: prior.strength: does not enter the game; expected a payoff "
                             "(or a field of its distribution), a party's patience or power, or a number of an explicit threat"),
    ("levers.tariffs.options.keep_threat.US.mean=0:1:3", "grid levers.tariffs.options.keep_threat.US.mean=0:1:3: "
     "levers.tariffs.options.keep_threat.US: found 0, which has no field 'mean'; expected a path to a number"),
])
def test_bad_grids_name_the_request(grid, expected):
    with pytest.raises(ScenarioError) as info:
        load_sweep(FLAGSHIP, [grid])
    assert str(info.value) == expected.replace("{file}", str(FLAGSHIP))


def test_the_same_number_swept_twice():
    with pytest.raises(ScenarioError, match="set twice"):
        load_sweep(FLAGSHIP, ["parties.US.patience=0.5:0.9:5", "parties.US.patience=0.1:0.9:5"])


def test_too_many_points():
    game, grids, _ = load_sweep(PD, ["parties.H.patience=0.1:0.9:2000", "parties.F.patience=0.1:0.9:2000"])
    with pytest.raises(NegotiateError, match="4000000 grid points; expected at most 1000000"):
        sweep(game, grids)


def test_chunks_in_process_give_the_same_points():
    game, grids, _ = load_sweep(FLAGSHIP, ["parties.US.power=0.2:3:7", "levers.chips.options.ease.US.mean=-3:0:5"])
    whole = sweep(game, grids)
    chunked = sweep(game, grids, chunk=4, jobs=1)
    assert chunked["execution"]["tasks"] == 9 and chunked["execution"]["mode"] == "in-process"
    assert chunked["points"] == whole["points"]


def test_an_explicit_threat_point_can_be_swept(tmp_path):
    path = tmp_path / "pd.yaml"
    path.write_text(PD.read_text().replace("threat: equilibrium", "threat: {H: -1, F: -1}"))
    game, grids, _ = load_sweep(path, ["threat.H=-1:0.5:4"])
    result = sweep(game, grids)
    for p in result["points"]:
        a = analyse(load_what_if(path, [f"threat.H={p['values']['threat.H']!r}"])[0])
        assert (p["agreement"] is None) is (a.nash_cell is None)
        assert p["gains"]["H"] == pytest.approx(0.0 if a.nash_cell is None else a.cell_payoffs(a.nash_cell)[0] - a.threat[0])
        assert p["critical_discount"] == pytest.approx(a.critical["value"])
    # restraint pays Home 0: a threat of 0 or more leaves no deal
    assert [p["agreement"] is None for p in result["points"]] == [False, False, True, True]
