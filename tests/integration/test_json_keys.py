"""The ``--json`` outputs keep their documented keys on the flagship (the tables of docs/solve.md; the track record's
from its dataclasses and ``score_track_record``'s docstring). Written out here, never taken from a run."""

import json

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from tests.conftest import FLAGSHIP, store_point_fits

# docs/solve.md, "solve --json keys (stable)" (tests/integration/test_docs.py compares the tables with these)
SOLVE = {"scenario", "parties", "game", "equilibria", "solver", "threat_point", "agreements", "zopa",
         "pareto_frontier", "hull_frontier", "nash_bargaining", "kalai_smorodinsky", "ideal_point", "rubinstein",
         "critical_discount", "predicted_terms"}
SOLVE_PARTS = {
    "scenario": {"id", "title", "question", "as_of", "deadline", "file"},
    "game": {"row_party", "column_party", "shape", "reduced_shape", "levers", "strategies", "eliminated", "payoffs"},
    "solver": {"method", "complete", "degenerate", "notes"},
    "threat_point": {"mode", "rule", "equilibrium", "payoffs"},
    "agreements": {"count"},
    "zopa": {"size", "lotteries_only", "agreements"},
    "nash_bargaining": {"terms", "words", "payoffs", "gains", "hull"},
    "kalai_smorodinsky": {"payoffs", "gains", "lottery"},
    "rubinstein": {"proposer", "shares", "shares_by_proposer", "surplus", "gains"},
    "critical_discount": {"value", "self_enforcing", "by_party", "punishment"},
    "predicted_terms": {"terms", "words"},
}
PARTY = {"name", "patience", "power"}
EQUILIBRIUM = {"strategies", "payoffs", "pure"}
ZOPA_AGREEMENT = {"terms", "payoffs", "gains"}
NASH_HULL = {"payoffs", "gains", "lottery"}
LOTTERY_ITEM = {"terms", "words", "probability"}
MONTE_CARLO = {"draws", "seed", "threat_rule", "p_zopa_nonempty", "agreements", "distinct_agreements", "gains",
               "solved_individually"}
MONTE_CARLO_AGREEMENT = {"terms", "words", "frequency"}
# docs/solve.md, "What-if", "sensitivity --json keys", "sweep --json keys"
WHAT_IF = {"fix", "set", "baseline", "modified", "changes", "gain_change", "payoff_change"}
WHAT_IF_SIDE = {"equilibria", "threat_point", "zopa_size", "deal", "predicted_terms", "payoffs", "gains",
                "critical_discount", "self_enforcing"}
WHAT_IF_CHANGES = {"equilibria", "threat_point", "predicted_terms", "zopa_nonempty", "self_enforcing"}
SENSITIVITY = {"scenario", "parties", "rule", "fix", "set", "settings", "baseline", "inputs", "sobol"}
SENSITIVITY_SETTINGS = {"quantiles", "fixed_swing", "fixed_swing_abs", "patience_swing", "patience_clip", "power_factor"}
SENSITIVITY_BASELINE = {"predicted_terms", "zopa_size", "self_enforcing", "gains", "threat_point"}
SENSITIVITY_INPUT = {"input", "kind", "party", "form", "base", "low", "high", "at_low", "at_high", "changes", "gain_swing",
                     "swing", "rank"}
SENSITIVITY_AT = {"predicted_terms", "zopa_size", "self_enforcing", "gains"}
SENSITIVITY_CHANGES = {"predicted_terms", "threat_equilibrium", "zopa_nonempty", "self_enforcing"}
SOBOL = {"inputs", "samples", "seed", "evaluations", "outputs"}
SOBOL_OUTPUT = {"mean", "variance", "indices"}
SOBOL_INDEX = {"input", "first_order", "first_order_conf", "total", "total_conf"}
SWEEP = {"scenario", "parties", "rule", "fix", "set", "grids", "points", "agreements", "execution"}
SWEEP_GRID = {"path", "values"}
SWEEP_POINT = {"values", "agreement", "zopa_size", "critical_discount", "self_enforcing", "gains"}
SWEEP_AGREEMENT = {"terms", "words", "points"}
SWEEP_EXECUTION = {"mode", "tasks", "chunk", "seconds"}

# negotiate.record.track.Forecast and Resolution, as dicts
HISTORY = {"forecasts", "resolutions"}
FORECAST = {"scenario_id", "question", "deadline", "as_of", "p", "lo", "hi", "model_version", "input_hash", "command",
            "made_at", "id"}
RESOLUTION = {"scenario_id", "outcome", "resolved_on", "source", "recorded_at", "amends", "reason", "id"}

# negotiate.record.scoring.score_track_record (its docstring) and reliability
SCORE = {"forecasts", "questions", "brier", "log_score", "reliability", "per_question", "mean_time_averaged_brier"}
SCORE_QUESTION = {"scenario_id", "outcome", "forecasts", "brier", "time_averaged_brier"}
RELIABILITY_BIN = {"bin", "count", "mean_forecast", "observed"}


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def check_solve(d: dict) -> None:
    for key, keys in SOLVE_PARTS.items():
        assert d[key].keys() == keys, key
    assert d["parties"].keys() == {"US", "CN"}
    assert all(p.keys() == PARTY for p in d["parties"].values())
    assert d["equilibria"] and all(e.keys() == EQUILIBRIUM for e in d["equilibria"])
    assert d["zopa"]["agreements"] and all(a.keys() == ZOPA_AGREEMENT for a in d["zopa"]["agreements"])
    assert d["nash_bargaining"]["hull"].keys() == NASH_HULL
    assert d["kalai_smorodinsky"]["lottery"] and all(x.keys() == LOTTERY_ITEM for x in d["kalai_smorodinsky"]["lottery"])


def test_solve_json_keys():
    d = run("solve", FLAGSHIP, "--json")
    assert d.keys() == SOLVE  # monte_carlo only with --draws
    check_solve(d)


def test_solve_json_keys_with_draws():
    d = run("solve", FLAGSHIP, "--json", "--draws", "200", "--seed", "7")
    assert d.keys() == SOLVE | {"monte_carlo"}
    check_solve(d)
    mc = d["monte_carlo"]
    assert mc.keys() == MONTE_CARLO
    assert mc["agreements"] and all(a.keys() == MONTE_CARLO_AGREEMENT for a in mc["agreements"])
    assert mc["gains"].keys() == {"US", "CN"}


def test_solve_json_keys_with_what_if():
    d = run("solve", FLAGSHIP, "--json", "--fix", "tariffs=impose_100", "--set", "parties.US.patience=0.8")
    assert d.keys() == SOLVE | {"what_if"}
    check_solve(d)
    w = d["what_if"]
    assert w.keys() == WHAT_IF
    assert w["baseline"].keys() == WHAT_IF_SIDE and w["modified"].keys() == WHAT_IF_SIDE
    assert w["baseline"]["threat_point"].keys() == {"mode", "payoffs", "strategies"}
    assert w["changes"].keys() == WHAT_IF_CHANGES
    assert w["gain_change"].keys() == w["payoff_change"].keys() == {"US", "CN"}


def test_sensitivity_json_keys():
    d = run("sensitivity", FLAGSHIP, "--json", "--samples", "32")
    assert d.keys() == SENSITIVITY
    assert d["settings"].keys() == SENSITIVITY_SETTINGS
    assert d["baseline"].keys() == SENSITIVITY_BASELINE
    for e in d["inputs"]:
        assert e.keys() == SENSITIVITY_INPUT
        assert e["at_low"].keys() == e["at_high"].keys() == SENSITIVITY_AT
        assert e["changes"].keys() == SENSITIVITY_CHANGES
    assert d["sobol"].keys() == SOBOL
    assert d["sobol"]["outputs"].keys() == {"gain.US", "gain.CN", "zopa_nonempty"}
    for o in d["sobol"]["outputs"].values():
        assert o.keys() == SOBOL_OUTPUT and all(r.keys() == SOBOL_INDEX for r in o["indices"])


def test_sweep_json_keys():
    d = run("sweep", FLAGSHIP, "--json", "--grid", "parties.US.power=0.5:2:3", "--grid", "levers.chips.options.ease.US.mean=-3:0:3")
    assert d.keys() == SWEEP
    assert d["scenario"].keys() == {"id", "title", "file"}
    assert all(g.keys() == SWEEP_GRID for g in d["grids"])
    assert len(d["points"]) == 9 and all(p.keys() == SWEEP_POINT for p in d["points"])
    assert d["agreements"] and all(a.keys() == SWEEP_AGREEMENT for a in d["agreements"])
    assert d["execution"].keys() == SWEEP_EXECUTION


@pytest.fixture
def track(tmp_path, monkeypatch):
    """One recorded forecast of the flagship (from a fixed-effects fit) and its resolution."""
    monkeypatch.setenv("NEGOTIATE_FITS", str(store_point_fits(tmp_path / "fits")))
    run("update", FLAGSHIP, "--json")
    result = CliRunner().invoke(cli, ["resolve", str(FLAGSHIP), "--outcome", "deal", "--on", "2025-10-30",
                                      "--source", "https://example.org/deal"])
    assert result.exit_code == 0, result.output


def test_history_json_keys(track):
    d = run("history", FLAGSHIP, "--json")
    assert d.keys() == HISTORY
    assert len(d["forecasts"]) == 1 and d["forecasts"][0].keys() == FORECAST
    assert len(d["resolutions"]) == 1 and d["resolutions"][0].keys() == RESOLUTION


def test_score_json_keys(track):
    d = run("score", "--json")
    assert d.keys() == SCORE
    assert len(d["per_question"]) == 1 and d["per_question"][0].keys() == SCORE_QUESTION
    assert d["reliability"] and all(b.keys() == RELIABILITY_BIN for b in d["reliability"])


def test_score_json_keys_with_nothing_resolved():
    assert run("score", "--json").keys() == SCORE
