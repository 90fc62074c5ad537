"""negotiate solve --fix/--set, sensitivity and sweep at the command line: exit codes and exact messages."""

import json

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import FLAGSHIP, SCENARIOS

PD = [p for p in SCENARIOS if p.stem == "trade-war-pd"][0]


@pytest.fixture
def runner():
    return CliRunner()


def run_json(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------- solve --fix / --set


def test_solve_fix_on_the_prisoners_dilemma(runner):
    w = run_json(runner, "solve", PD, "--fix", "home_tariff=hold", "--json")["what_if"]
    assert w["fix"] == {"home_tariff": "hold"} and w["set"] == {}
    assert [e["strategies"] for e in w["modified"]["equilibria"]] == [{"H": {"hold": 1.0}, "F": {"raise": 1.0}}]
    assert w["baseline"]["threat_point"]["strategies"] == {"H": {"raise": 1.0}, "F": {"raise": 1.0}}
    assert w["modified"]["threat_point"]["payoffs"] == {"H": -2.0, "F": 1.0}
    assert w["changes"] == {"equilibria": True, "threat_point": True, "predicted_terms": True,
                            "zopa_nonempty": True, "self_enforcing": False}
    assert w["baseline"]["predicted_terms"]["terms"] == {"home_tariff": "hold", "foreign_tariff": "hold"}
    assert w["modified"]["predicted_terms"] is None and w["modified"]["deal"] is False
    assert w["gain_change"] == {"H": -1.0, "F": -1.0}
    assert w["payoff_change"] == {"H": -2.0, "F": 1.0}


def test_solve_set_text_shows_what_changes(runner):
    result = runner.invoke(cli, ["solve", str(PD), "--set", "parties.F.patience=0.5"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("What if: --set parties.F.patience=0.5  (against the scenario as written)")
    assert lines[start + 1:start + 11] == [
        "  Equilibria: 1 -> 1  (unchanged)",
        "  Threat point: H -1.00, F -1.00 -> H -1.00, F -1.00  (unchanged)",
        "  Zone of agreement: 1 -> 1 agreements",
        "  Predicted terms  (unchanged)",
        "    before: H: hold; F: hold",
        "    after : H: hold; F: hold",
        "  Gain over the threat point: H 1.00 -> 1.00 (+0.00), F 1.00 -> 1.00 (+0.00)",
        "  Payoff of the predicted outcome: H 0.00 -> 0.00 (+0.00), F 0.00 -> 0.00 (+0.00)",
        "  Self-enforcing: no (critical discount factor 0.500) -> yes (critical discount factor 0.500)",
        "",
    ]
    assert "Predicted deal terms" in result.output  # the what-if in full follows


@pytest.mark.parametrize("args, expected", [
    (["--set", "parties.UX.patience=0.8"], "Error: --set parties.UX.patience=0.8: parties.UX: unknown key 'UX'; did you mean 'US'?\n"),
    (["--set", "parties.US.patience=1.5"],
     f"Error: --set parties.US.patience=1.5: {FLAGSHIP}:29: parties.US.patience: found 1.5; "
     "expected a per-round discount factor strictly between 0 and 1\n"),
    (["--set", "levers.tariffs.options.impose_100.US.mean=abc"],
     "Error: --set levers.tariffs.options.impose_100.US.mean=abc: levers.tariffs.options.impose_100.US.mean: "
     "found 'abc'; expected a number\n"),
    (["--fix", "tarifs=impose_100"], "Error: --fix tarifs=impose_100: levers.tarifs: unknown lever 'tarifs'; did you mean 'tariffs'?\n"),
    (["--fix", "tariffs=impose_10"],
     "Error: --fix tariffs=impose_10: levers.tariffs.options.impose_10: unknown option 'impose_10'; did you mean 'impose_100'?\n"),
])
def test_solve_bad_requests_exit_1_with_exact_messages(runner, args, expected):
    result = runner.invoke(cli, ["solve", str(FLAGSHIP), *args])
    assert result.exit_code == 1
    assert result.stderr == expected and result.stdout == ""


@pytest.mark.parametrize("args, expected", [
    (["--set", "parties.US.patience"], "Error: Invalid value for '--set': 'parties.US.patience': expected PATH=VALUE, e.g. parties.US.patience=0.8\n"),
    (["--fix", "tariffs"], "Error: Invalid value for '--fix': 'tariffs': expected LEVER=OPTION, e.g. tariffs=withdraw_100\n"),
])
def test_solve_malformed_requests_are_usage_errors(runner, args, expected):
    result = runner.invoke(cli, ["solve", str(FLAGSHIP), *args])
    assert result.exit_code == 2
    assert result.stderr.endswith(expected)


def test_solve_fix_with_draws_samples_the_fixed_game(runner):
    d = run_json(runner, "solve", FLAGSHIP, "--fix", "tariffs=impose_100", "--draws", "100", "--seed", "1", "--json")
    assert d["game"]["shape"] == [3, 9]
    assert all(a["terms"]["tariffs"] == "impose_100" for a in d["monte_carlo"]["agreements"])


# ---------------------------------------------------------------- sensitivity


def test_sensitivity_json_and_tornado(runner, tmp_path):
    png = tmp_path / "tornado.png"
    d = run_json(runner, "sensitivity", FLAGSHIP, "--json", "--samples", "64", "--plot", png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert d["parties"] == ["US", "CN"] and d["fix"] == {} and d["set"] == {}
    assert len(d["inputs"]) == 34 + 4
    assert d["inputs"][0]["changes"]["predicted_terms"] is True
    assert d["sobol"]["samples"] == 64


def test_sensitivity_text_on_the_prisoners_dilemma(runner):
    result = runner.invoke(cli, ["sensitivity", str(PD)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Sensitivity of Tariff war as a prisoner's dilemma (textbook)  [trade-war-pd]"
    assert lines[2] == "Baseline: predicted terms home_tariff=hold, foreign_tariff=hold"
    row = next(line for line in lines if line.endswith("parties.F.patience"))
    assert row.split() == ["3", "0.30", "..", "0.50", "1.00", "/", "1.00", "1.00", "/", "1.00", "enforcement", "parties.F.patience"]
    assert "Sobol'" not in result.output  # no payoff has a spread


def test_sensitivity_with_a_fixed_lever(runner):
    d = run_json(runner, "sensitivity", PD, "--fix", "home_tariff=hold", "--json")
    assert d["fix"] == {"home_tariff": "hold"} and d["baseline"]["predicted_terms"] is None


@pytest.mark.parametrize("args, code, expected", [
    (["--set", "parties.UX.patience=0.8"], 1, "Error: --set parties.UX.patience=0.8: parties.UX: unknown key 'UX'; did you mean 'US'?\n"),
    (["--fix", "chips=eas"], 1, "Error: --fix chips=eas: levers.chips.options.eas: unknown option 'eas'; did you mean 'ease'?\n"),
    (["--samples", "300"], 2, "Error: Invalid value for '--samples': 300: expected 0 or a power of 2 (256, 512, 1024, ...)\n"),
    (["--fixed-swing", "-1"], 2, "Error: Invalid value for '--fixed-swing': -1.0 is not in the range x>=0.\n"),
])
def test_sensitivity_bad_input(runner, args, code, expected):
    result = runner.invoke(cli, ["sensitivity", str(FLAGSHIP), *args])
    assert result.exit_code == code
    assert result.stderr.endswith(expected)
    assert result.stdout == ""


def test_sensitivity_plot_into_a_missing_directory(runner, tmp_path):
    path = tmp_path / "no" / "t.png"
    result = runner.invoke(cli, ["sensitivity", str(PD), "--plot", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: cannot write the plot (No such file or directory)\n"
