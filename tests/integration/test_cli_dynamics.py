"""negotiate solve --dynamics, --equilibrium-rule dynamics and --method at the command line."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.cli.scenario_commands import METHODS as CLI_METHODS
from negotiate.game.methods import METHODS
from tests.conftest import FLAGSHIP, ROOT, SCENARIOS

PD = [p for p in SCENARIOS if p.stem == "trade-war-pd"][0]

# docs/solve.md, "solve --json with --dynamics: the dynamics key (stable)"
DYNAMICS = {"settings", "reduced_shape", "starts", "runs", "most_often"}
SETTINGS = {"restarts", "seed", "perturbation", "iterations", "prior_weight", "time", "tolerance"}
START = {"strategy", "status_quo", "levers_changed"}
RUN = {"dynamics", "start", "restarts", "settled", "other_equilibrium", "unsettled"}
MOST_OFTEN = {"equilibrium", "count", "runs", "start"}
CROSS_CHECK = {"exact_equilibria", "exact_complete", "found", "missed", "extra"}


@pytest.fixture
def runner():
    return CliRunner()


def run_json(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_dynamics_json_keys(runner):
    d = run_json(runner, "solve", FLAGSHIP, "--dynamics", "--json")
    dy = d["dynamics"]
    assert dy.keys() == DYNAMICS
    assert dy["settings"].keys() == SETTINGS
    assert dy["settings"]["seed"] == 7 and dy["settings"]["restarts"] == 10  # the default seed, documented
    assert dy["starts"].keys() == {"status_quo", "uniform"}
    assert all(v.keys() == START for v in dy["starts"]["status_quo"].values())
    assert all(r.keys() == RUN for r in dy["runs"])
    assert all(c.keys() == {"equilibrium", "count"} for r in dy["runs"] for c in r["settled"])
    assert dy["most_often"].keys() == MOST_OFTEN
    assert d["threat_point"]["rule"] == "worst"  # --dynamics alone reports; it does not pick the threat point
    assert "dynamics" not in run_json(runner, "solve", FLAGSHIP, "--json")


def test_dynamics_text_on_the_flagship(runner):
    result = runner.invoke(cli, ["solve", str(FLAGSHIP), "--dynamics", "--restarts", "4", "--seed", "1"])
    assert result.exit_code == 0, result.output
    block = result.output[result.output.index("Learning dynamics"):result.output.index("Threat point")]
    assert block == (
        "Learning dynamics (nashpy) on the reduced 2 x 2 game: 4 runs of each from each start, each from 80% the "
        "start + 20% a random mixture (seed 1)\n"
        "  from the status quo (US: keep_threat + expand (its status quo keep_threat + maintain is strictly "
        "dominated; the nearest kept posture changes 1 lever); CN: as_announced + boycott):\n"
        "    fictitious play:      #2 in 4 of 4\n"
        "    replicator dynamics:  #2 in 4 of 4\n"
        "  from uniform play:\n"
        "    fictitious play:      #2 in 4 of 4\n"
        "    replicator dynamics:  #2 in 4 of 4\n"
        "  Play drifts to equilibrium #2 most often from the status quo (8 of 8 runs): US: keep_threat + expand; "
        "CN: as_announced + boycott; payoffs US 0.50, CN -3.00.\n\n")


def test_equilibrium_rule_dynamics(runner):
    d = run_json(runner, "solve", FLAGSHIP, "--equilibrium-rule", "dynamics", "--json")
    assert d["threat_point"] == {"mode": "equilibrium", "rule": "dynamics", "equilibrium": 1,
                                 "payoffs": {"US": 0.5, "CN": -3.0}}
    assert d["dynamics"]["most_often"]["equilibrium"] == 1  # the basis of the rule is in the output
    text = runner.invoke(cli, ["solve", str(FLAGSHIP), "--equilibrium-rule", "dynamics"]).output
    assert "Threat point (equilibrium #2, rule: dynamics): US 0.50, CN -3.00" in text


def test_dynamics_with_a_what_if(runner):
    d = run_json(runner, "solve", FLAGSHIP, "--fix", "tariffs=withdraw_100", "--dynamics", "--equilibrium-rule",
                 "dynamics", "--restarts", "2", "--json")
    assert d["dynamics"]["settings"]["restarts"] == 2
    assert d["what_if"]["modified"]["threat_point"]["mode"] == "equilibrium"
    # with the US committed to withdrawing, its own status quo (keep_threat) gives way to the fixed option
    assert d["dynamics"]["starts"]["status_quo"]["US"]["strategy"].startswith("withdraw_100")


@pytest.mark.parametrize("method", METHODS[1:])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_method_json_cross_check(runner, path, method):
    exact = run_json(runner, "solve", path, "--json")
    d = run_json(runner, "solve", path, "--method", method, "--json")
    assert d["solver"].keys() == {"method", "complete", "degenerate", "notes", "cross_check"}
    check = d["solver"]["cross_check"]
    assert check.keys() == CROSS_CHECK
    assert check["exact_equilibria"] == len(exact["equilibria"]) and check["exact_complete"]
    assert check["found"] + check["missed"] == check["exact_equilibria"]
    profiles = [e["strategies"] for e in exact["equilibria"]]
    for e in d["equilibria"]:
        assert any(_close(e["strategies"], p) for p in profiles)
    if method != "nashpy-lemke-howson":
        assert len(d["equilibria"]) == len(exact["equilibria"]) and d["solver"]["complete"]
        assert d["threat_point"] == exact["threat_point"] and d["predicted_terms"] == exact["predicted_terms"]
    assert d["solver"]["notes"][0].startswith(d["solver"]["method"] + " on the reduced ")


def _close(a, b):
    return a.keys() == b.keys() and all(
        a[p].keys() == b[p].keys() and all(abs(a[p][s] - b[p][s]) < 1e-6 for s in a[p]) for p in a)


def test_method_text_states_its_limits(runner):
    result = runner.invoke(cli, ["solve", str(FLAGSHIP), "--method", "nashpy-lemke-howson"])
    assert result.exit_code == 0, result.output
    assert ("Nash equilibria: 2 (INCOMPLETE (some equilibria may be missing); nashpy Lemke-Howson from every label; "
            "nondegenerate game)\n"
            "  note: nashpy Lemke-Howson from every label on the reduced 2 x 2 game; its limits: Lemke-Howson finds at "
            "most one equilibrium from each of the m + n initial labels, in general not all of them, and can fail on "
            "degenerate games\n"
            "  note: cross-check: the exact solver finds 3; this method found 2 of them and missed 1\n") in result.output


def test_cli_lists_the_library_methods():
    assert tuple(CLI_METHODS) == METHODS


@pytest.mark.parametrize("args, message", [
    (["--method", "bogus"],
     "Error: Invalid value for '--method': 'bogus' is not one of 'exact', 'nashpy-support', 'nashpy-vertex', "
     "'nashpy-lemke-howson'.\n"),
    (["--dynamics", "--restarts", "0"], "Error: Invalid value for '--restarts': 0 is not in the range x>=1.\n"),
    (["--dynamics", "--restarts", "many"], "Error: Invalid value for '--restarts': 'many' is not a valid integer range.\n"),
    (["--restarts", "3"], "Error: --restarts applies only with --dynamics or --equilibrium-rule dynamics\n"),
    (["--equilibrium-rule", "dynamics", "--draws", "100"],
     "Error: --equilibrium-rule dynamics cannot be combined with --draws: the learning dynamics run on the game at its "
     "central payoffs only; use worst, best or mean with --draws\n"),
    (["--equilibrium-rule", "median"],
     "Error: Invalid value for '--equilibrium-rule': 'median' is not one of 'worst', 'best', 'mean', 'dynamics'.\n"),
])
def test_bad_values(runner, args, message):
    result = runner.invoke(cli, ["solve", str(FLAGSHIP), *args])
    assert result.exit_code == 2
    assert result.output.endswith(message)


def test_nashpy_is_imported_only_when_asked_for():
    code = (
        "import sys\n"
        "from negotiate.cli.main import cli\n"
        "args = sys.argv[2:]\n"
        "try:\n"
        "    cli(['solve', sys.argv[1], *args], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('NASHPY:' + str('nashpy' in sys.modules))\n"
    )

    def imports(*args):
        proc = subprocess.run([sys.executable, "-c", code, str(FLAGSHIP), *args], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip().splitlines()[-1]

    assert imports("--method", "exact", "--equilibrium-rule", "best") == "NASHPY:False"
    assert imports("--dynamics", "--restarts", "1") == "NASHPY:True"
