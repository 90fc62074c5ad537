import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from tests.conftest import DATA, FLAGSHIP, ROOT, SCENARIOS


@pytest.fixture
def runner():
    return CliRunner()


def commands(group=cli, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if hasattr(cmd, "commands"):
            yield from commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path", [()] + [p for p, _ in commands()], ids=lambda p: " ".join(("negotiate",) + p))
def test_every_command_has_help_with_an_example(runner, path):
    result = runner.invoke(cli, list(path) + ["--help"], prog_name="negotiate")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: {' '.join(('negotiate',) + path)} ")
    assert "Example" in result.output
    cmd = dict(commands()).get(path, cli)
    assert cmd.help and len(cmd.help.strip()) > 20


@pytest.mark.parametrize("path", [()] + [p for p, _ in commands()], ids=lambda p: " ".join(("negotiate",) + p))
def test_help_fits_80_columns_and_examples_stand_apart(runner, path):
    lines = runner.invoke(cli, list(path) + ["--help"], prog_name="negotiate", terminal_width=80).output.splitlines()
    assert [line for line in lines if len(line) > 80] == []
    examples = [i for i, line in enumerate(lines) if line.strip().startswith("Example")]
    assert all(lines[i - 1].strip() == "" for i in examples)


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("negotiate, version ")


def test_validate_ok(runner):
    result = runner.invoke(cli, ["validate", str(FLAGSHIP)])
    assert result.exit_code == 0
    assert result.output == f"OK {FLAGSHIP}: 2 parties, 4 levers, 5 interactions, 9 x 9 posture game\n"


def test_validate_reports_every_problem_and_exits_1(runner):
    path = DATA / "bad" / "several_problems.yaml"
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    expected = (DATA / "bad" / "several_problems.expected").read_text().replace("{file}", str(path))
    assert result.stderr == expected
    assert result.stdout == ""


def test_validate_json_lists_problems(runner):
    bad = DATA / "bad" / "lever_stranger.yaml"
    result = runner.invoke(cli, ["validate", "--json", str(FLAGSHIP), str(bad)])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["ok"] is False and [f["file"] for f in out["files"]] == [str(FLAGSHIP), str(bad)]
    assert out["files"][0]["ok"] is True
    assert out["files"][1]["problems"] == [{"line": 12, "field": "levers.a_lever.owner",
                                   "message": "found 'Z'; expected one of the parties: A, B"}]


def test_solve_bad_scenario_is_a_clean_error(runner):
    path = DATA / "bad" / "negative_sd.yaml"
    result = runner.invoke(cli, ["solve", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}:14: levers.a_lever.options.x.A: found sd -0.5; expected a standard deviation of 0 or more\n"
    assert "Traceback" not in result.output


def test_solve_prints_every_section(runner):
    result = runner.invoke(cli, ["solve", str(FLAGSHIP)])
    assert result.exit_code == 0, result.output
    for heading in ("Posture game", "Nash equilibria:", "Threat point", "Zone of possible agreement",
                    "Pareto frontier", "Nash bargaining solution", "over lotteries (convex hull)",
                    "Kalai-Smorodinsky", "Rubinstein", "critical discount factor", "Predicted deal terms"):
        assert heading in result.output
    assert "complete set" in result.output


JSON_KEYS = {"scenario", "game", "equilibria", "solver", "threat_point", "zopa", "nash_bargaining",
             "kalai_smorodinsky", "rubinstein", "critical_discount", "predicted_terms", "pareto_frontier"}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_solves_to_json(runner, path):
    result = runner.invoke(cli, ["solve", str(path), "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d.keys() >= JSON_KEYS
    assert {"shape", "reduced_shape", "strategies"} <= d["game"].keys()
    assert {"method", "complete", "degenerate"} <= d["solver"].keys()
    assert {"size", "agreements"} <= d["zopa"].keys()
    assert "shares" in d["rubinstein"]
    for e in d["equilibria"]:
        assert set(e["strategies"]) == set(d["parties"]) and set(e["payoffs"]) == set(d["parties"])
        for probs in e["strategies"].values():
            assert sum(probs.values()) == pytest.approx(1)
    if d["nash_bargaining"]:
        assert {"terms", "payoffs"} <= d["nash_bargaining"].keys()


def test_draws_are_reproducible(runner):
    args = ["solve", str(FLAGSHIP), "--json", "--draws", "400", "--seed", "7"]
    first = json.loads(runner.invoke(cli, args).stdout)
    second = json.loads(runner.invoke(cli, args).stdout)
    assert first["monte_carlo"] == second["monte_carlo"]
    mc = first["monte_carlo"]
    assert 0 <= mc["p_zopa_nonempty"] <= 1 and mc["draws"] == 400 and mc["seed"] == 7
    assert set(mc["gains"]) == {"US", "CN"}


def test_negative_draws_is_a_usage_error(runner):
    result = runner.invoke(cli, ["solve", str(FLAGSHIP), "--draws", "-5"])
    assert result.exit_code == 2


def test_new_writes_a_starter_that_validates_and_solves(runner, tmp_path):
    path = tmp_path / "case.yaml"
    result = runner.invoke(cli, ["new", str(path)])
    assert result.exit_code == 0
    assert "#" in path.read_text()  # commented
    assert runner.invoke(cli, ["validate", str(path)]).exit_code == 0
    solved = runner.invoke(cli, ["solve", str(path), "--draws", "100", "--seed", "1"])
    assert solved.exit_code == 0 and "Predicted deal terms" in solved.output


def test_new_refuses_to_overwrite(runner, tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("mine")
    result = runner.invoke(cli, ["new", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: file exists; expected a new path\n(pass --force to overwrite)\n"
    assert path.read_text() == "mine"
    assert runner.invoke(cli, ["new", str(path), "--force"]).exit_code == 0
    assert path.read_text() != "mine"


def test_new_into_missing_directory(runner, tmp_path):
    result = runner.invoke(cli, ["new", str(tmp_path / "no" / "case.yaml")])
    assert result.exit_code == 1 and "does not exist" in result.stderr


# A real subprocess of the installed command.
def test_installed_command_runs():
    exe = shutil.which("negotiate", path=str(Path(sys.executable).parent)) or shutil.which("negotiate")
    assert exe, "the negotiate console script is installed"
    proc = subprocess.run([exe, "solve", str(FLAGSHIP), "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["scenario"]["id"] == "us-china-kl-2025"
    bad = subprocess.run([exe, "validate", str(DATA / "bad" / "empty.yaml")], capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


def test_python_dash_m_entry():
    proc = subprocess.run([sys.executable, "-m", "negotiate", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "negotiate, version" in proc.stdout


def test_fast_commands_do_not_import_heavy_modules():
    code = (
        "import sys\n"
        "from negotiate.cli.main import cli\n"
        "for args in (['--help'], ['validate', sys.argv[1]], ['solve', sys.argv[1], '--draws', '50'],\n"
        "             ['evidence', 'list', sys.argv[1]], ['evidence', 'types']):\n"
        "    try:\n"
        "        cli(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pymc', 'pytensor', 'arviz', 'nashpy', 'scipy', 'dask'))\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(FLAGSHIP)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY:"
