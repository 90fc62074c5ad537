import numpy as np
import pytest

from negotiate.errors import NegotiateError
from negotiate.game.analysis import analyse
from negotiate.scenario.schema import load_scenario
from tests.conftest import ROOT

PD = ROOT / "scenarios" / "trade-war-pd.yaml"


def test_prisoners_dilemma_scenario_matches_theory():
    d = analyse(load_scenario(PD)).to_dict()
    assert d["game"]["shape"] == [2, 2] and d["game"]["reduced_shape"] == [1, 1]
    assert len(d["equilibria"]) == 1
    assert d["equilibria"][0]["strategies"] == {"H": {"raise": 1.0}, "F": {"raise": 1.0}}
    assert d["threat_point"]["payoffs"] == {"H": -1.0, "F": -1.0}
    assert d["zopa"]["size"] == 1
    assert d["nash_bargaining"]["terms"] == {"home_tariff": "hold", "foreign_tariff": "hold"}
    # grim trigger: (T - R) / (T - P) = 1/2; Home (0.6) keeps the deal, Foreign (0.4) does not
    crit = d["critical_discount"]
    assert crit["value"] == pytest.approx(0.5)
    assert crit["by_party"]["H"]["holds"] and not crit["by_party"]["F"]["holds"]
    assert not crit["self_enforcing"]
    # Rubinstein: proposer's share (1 - d2) / (1 - d1 d2)
    assert d["rubinstein"]["shares"]["H"] == pytest.approx((1 - 0.4) / (1 - 0.6 * 0.4))


def _with(tmp_path, old, new):
    p = tmp_path / "pd.yaml"
    p.write_text(PD.read_text().replace(old, new))
    return load_scenario(p)


def test_status_quo_threat(tmp_path):
    s = _with(tmp_path, "threat: equilibrium", "threat: status_quo")
    d = analyse(s).to_dict()
    assert d["threat_point"]["mode"] == "status_quo"
    assert d["threat_point"]["payoffs"] == {"H": -1.0, "F": -1.0}


def test_explicit_threat(tmp_path):
    s = _with(tmp_path, "threat: equilibrium", "threat: {H: -3, F: 0.5}")
    d = analyse(s).to_dict()
    assert d["threat_point"]["payoffs"] == {"H": -3.0, "F": 0.5}
    # F needs more than 0.5: only (H holds, F raises) = (-2, 1) gives it, and H's -2 beats -3.
    assert d["zopa"]["size"] == 1
    assert d["nash_bargaining"]["terms"] == {"home_tariff": "hold", "foreign_tariff": "raise"}


def test_equilibrium_rules_pick_worst_and_best():
    s = load_scenario(ROOT / "scenarios" / "us-china-kl-2025.yaml")
    worst = analyse(s, rule="worst").to_dict()
    best = analyse(s, rule="best").to_dict()
    mean = analyse(s, rule="mean").to_dict()
    pays = np.array([[e["payoffs"]["US"], e["payoffs"]["CN"]] for e in worst["equilibria"]])
    assert sum(worst["threat_point"]["payoffs"].values()) == pytest.approx(pays.sum(axis=1).min())
    assert sum(best["threat_point"]["payoffs"].values()) == pytest.approx(pays.sum(axis=1).max())
    assert list(mean["threat_point"]["payoffs"].values()) == pytest.approx(pays.mean(axis=0))
    with pytest.raises(NegotiateError, match="unknown equilibrium rule"):
        analyse(s, rule="median")


def test_flagship_analysis_is_consistent():
    d = analyse(load_scenario(ROOT / "scenarios" / "us-china-kl-2025.yaml")).to_dict()
    assert d["solver"]["complete"]
    t = d["threat_point"]["payoffs"]
    for a in d["zopa"]["agreements"]:
        assert a["payoffs"]["US"] > t["US"] and a["payoffs"]["CN"] > t["CN"]
    nb = d["nash_bargaining"]
    assert nb["terms"] == d["predicted_terms"]["terms"]
    # the Nash agreement is on the Pareto frontier of pure agreements
    assert nb["terms"] in [a["terms"] for a in d["pareto_frontier"]]
