"""negotiate solve --fix/--set, sensitivity and sweep at the command line: exit codes and exact messages."""

import json

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
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


# ---------------------------------------------------------------- sweep


def test_sweep_text_on_the_prisoners_dilemma(runner):
    result = runner.invoke(cli, ["sweep", str(PD), "--grid", "parties.H.patience=0.4:0.6:3", "--set", "parties.F.patience=0.9"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Sweep of Tariff war as a prisoner's dilemma (textbook)  [trade-war-pd]",
        "With --set parties.F.patience=0.9",
        "parties.H.patience: 3 values from 0.4 to 0.6 (3 points; in-process)",
        "",
        "  parties.H.patience  deal  zone  critical  self-enforcing  gain H  gain F",
        "                 0.4    #1     1     0.500              no    1.00  1.00",
        "                 0.5    #1     1     0.500             yes    1.00  1.00",
        "                 0.6    #1     1     0.500             yes    1.00  1.00",
        "",
        "Predicted agreements (deal column):",
        "  #1 at 3 points: H: hold; F: hold",
    ]


def test_sweep_json_and_heat_map(runner, tmp_path):
    png = tmp_path / "heat.png"
    d = run_json(runner, "sweep", FLAGSHIP, "--grid", "parties.US.power=0.5:2:4", "--grid",
                 "levers.chips.options.ease.US.mean=-3:0:4", "--json", "--plot", png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [g["path"] for g in d["grids"]] == ["parties.US.power", "levers.chips.options.ease.US.mean"]
    assert len(d["points"]) == 16 and d["execution"]["mode"] == "in-process"
    assert len(d["agreements"]) >= 2


def test_sweep_on_a_local_dask_cluster_gives_the_in_process_points(runner):
    args = ["sweep", str(PD), "--grid", "parties.H.patience=0.3:0.7:9", "--grid", "parties.F.patience=0.3:0.7:9", "--json"]
    local = run_json(runner, *args, "--jobs", "1")
    dask = run_json(runner, *args, "--jobs", "2", "--chunk", "20")
    assert local["execution"]["mode"] == "in-process"
    assert dask["execution"] | {"seconds": 0} == {"mode": "dask: local cluster of 2 processes", "tasks": 5, "chunk": 20, "seconds": 0}
    assert dask["points"] == local["points"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sweep_on_a_running_dask_scheduler(runner):
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    dask = Path(sys.executable).parent / "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while True:
            assert procs[0].poll() is None and time.monotonic() < deadline, "the dask scheduler did not start"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        procs.append(subprocess.Popen([str(dask), "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        args = ["sweep", str(FLAGSHIP), "--grid", "parties.US.power=0.5:2:5", "--grid", "levers.chips.options.ease.US.mean=-3:0:4", "--json"]
        remote = run_json(runner, *args, "--scheduler", address, "--chunk", "6")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    assert remote["execution"]["mode"] == f"dask: scheduler {address}" and remote["execution"]["tasks"] == 4
    assert remote["points"] == run_json(runner, *args)["points"]


def test_sweep_unreachable_scheduler(runner):
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = runner.invoke(cli, ["sweep", str(PD), "--grid", "parties.H.patience=0.3:0.7:9", "--scheduler", address, "--chunk", "3"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot reach the Dask scheduler at {address} (")
    assert result.stderr.endswith("); is it running?\n")


@pytest.mark.parametrize("args, code, expected", [
    (["--grid", "parties.UX.patience=0.5:0.9:5"], 1,
     "Error: --grid parties.UX.patience=0.5:0.9:5: parties.UX: unknown key 'UX'; did you mean 'US'?\n"),
    (["--grid", "parties.US.patience=0:1:11"], 1,
     f"Error: --grid parties.US.patience=0:1:11: {FLAGSHIP}:29: parties.US.patience: found 0.0; "
     "expected a per-round discount factor strictly between 0 and 1\n"),
    (["--grid", "prior.strength=1:5:5"], 1,
     "Error: --grid prior.strength=1:5:5: prior.strength: does not enter the game; expected a payoff (or a field of its "
     "distribution), a party's patience or power, or a number of an explicit threat\n"),
    (["--grid", "parties.US.patience=0.5:0.9"], 2,
     "Error: Invalid value for '--grid': 'parties.US.patience=0.5:0.9': expected PATH=LO:HI:N with LO < HI and N >= 2, "
     "e.g. parties.US.patience=0.5:0.99:50\n"),
    (["--grid", "parties.US.patience=0.5:0.9:3", "--grid", "parties.CN.patience=0.5:0.9:3", "--grid", "parties.US.power=1:2:3"], 2,
     "Error: Invalid value for '--grid': given 3 times; expected once or twice (one or two grids)\n"),
    ([], 2, "Error: Missing option '--grid'.\n"),
])
def test_sweep_bad_input(runner, args, code, expected):
    result = runner.invoke(cli, ["sweep", str(FLAGSHIP), *args])
    assert result.exit_code == code, result.output
    assert result.stderr.endswith(expected)
    assert result.stdout == ""
