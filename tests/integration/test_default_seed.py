"""solve, update and report draw with one default seed, print it, and so show the same Monte Carlo numbers
(issue 15: report used seed 0, the README's solve seed 7, and solve --draws alone a different seed each run)."""

import json

from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.cli.options import DEFAULT_SEED
from tests.conftest import FLAGSHIP


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_solve_draws_without_seed_uses_the_default_and_repeats():
    first = json.loads(run("solve", FLAGSHIP, "--json", "--draws", "300").stdout)["monte_carlo"]
    second = json.loads(run("solve", FLAGSHIP, "--json", "--draws", "300").stdout)["monte_carlo"]
    assert first["seed"] == DEFAULT_SEED and first == second
    assert f"(300 draws, seed {DEFAULT_SEED})" in run("solve", FLAGSHIP, "--draws", "300").stdout


def test_report_shows_the_numbers_solve_shows(tmp_path, point_fits):
    solved = json.loads(run("solve", FLAGSHIP, "--json", "--draws", "300").stdout)["monte_carlo"]
    run("report", FLAGSHIP, "-o", tmp_path / "r.json", "--draws", "300", "--no-record")
    reported = json.loads((tmp_path / "r.json").read_text())
    assert reported["game"]["monte_carlo"] == solved
    assert reported["provenance"]["seed"] == DEFAULT_SEED


def test_help_names_the_default_seed():
    for command in ("solve", "update", "report"):
        assert f"[default: {DEFAULT_SEED}]" in " ".join(run(command, "--help").stdout.split())
