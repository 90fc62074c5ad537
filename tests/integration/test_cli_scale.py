"""Large posture games: refused before any work when they cannot fit, with what to do about it."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.errors import REMEDY_FIX, GameError
from negotiate.game import posture
from negotiate.scenario.schema import load_scenario
from tests.conftest import FLAGSHIP


def write_scenario(path, levers: int, options: int, seed: int = 0):
    """Two parties with ``levers`` levers each of ``options`` options, random fixed payoffs."""
    rng = np.random.default_rng(seed)
    lines = ["schema: 1", "id: big", "title: Big", "question: Deal?", "as_of: 2026-01-01", "deadline: 2026-06-30",
             "parties:", "  R: {name: Row, patience: 0.7, power: 1.0}", "  C: {name: Column, patience: 0.6, power: 1.0}",
             "levers:"]
    for party in "RC":
        for j in range(levers):
            lines += [f"  {party.lower()}{j}:", f"    owner: {party}", "    status_quo: o0", "    options:"]
            lines += [f"      o{k}: {{R: {a:.2f}, C: {b:.2f}}}" for k, (a, b) in enumerate(rng.normal(size=(options, 2)))]
    lines.append("threat: equilibrium")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_estimate_grows_with_the_agreements(tmp_path):
    s = load_scenario(write_scenario(tmp_path / "s.yaml", 3, 4))
    assert posture.game_shape(s) == (64, 64) == posture.PostureGame(s).shape
    assert posture.game_shape(s, {"r0": "o1"}) == (16, 64)
    assert posture.estimated_bytes(s) == posture.BASE_BYTES + posture.BYTES_PER_AGREEMENT * 64 * 64


def test_a_game_too_large_is_refused_with_the_numbers_and_a_remedy(tmp_path):
    s = load_scenario(write_scenario(tmp_path / "s.yaml", 3, 10))
    with pytest.raises(GameError) as caught:
        posture.check_size(s, available=200 * 2**20)
    message = str(caught.value)
    assert "1,000,000 agreements" in message and "1,000 x 1,000" in message
    assert "MB of memory" in message and "fix a lever to one option" in message and "r0 (10 options)" in message
    assert "--" not in message  # the library names no flag; the CLI adds its hint
    assert caught.value.remedies == {REMEDY_FIX}
    posture.check_size(s, {"r0": "o0", "r1": "o0"}, available=200 * 2**20)  # 10 x 1,000 fits
    posture.check_size(load_scenario(FLAGSHIP))  # the flagship always fits


def test_solve_refuses_before_any_work_and_exits_1(tmp_path, monkeypatch):
    path = write_scenario(tmp_path / "s.yaml", 3, 10)
    monkeypatch.setenv(posture.MEMORY_ENV, "200")

    def no_work(*args, **kwargs):
        raise AssertionError("the game was built")

    monkeypatch.setattr(posture.PostureGame, "__init__", no_work)
    result = CliRunner().invoke(cli, ["solve", str(path)])
    assert result.exit_code == 1
    assert "1,000,000 agreements" in result.output and "--fix LEVER=OPTION" in result.output


def test_fixing_levers_solves_a_game_too_large_as_written(tmp_path, monkeypatch):
    path = write_scenario(tmp_path / "s.yaml", 3, 10)
    monkeypatch.setenv(posture.MEMORY_ENV, "200")
    result = CliRunner().invoke(cli, ["solve", str(path), "--fix", "r0=o1", "--fix", "r1=o2", "--json"])
    assert result.exit_code == 0, result.output
    assert "too large to solve on this machine" in result.stderr
    assert result.stdout.count('"shape"') == 1 and '"what_if"' not in result.stdout


def test_a_long_monte_carlo_run_says_so_on_stderr(tmp_path, monkeypatch):
    from negotiate.game import montecarlo

    monkeypatch.setattr(montecarlo, "SECONDS_PER_CELL_DRAW", 1.0)  # every run counts as long
    result = CliRunner().invoke(cli, ["solve", str(FLAGSHIP), "--draws", "20", "--json"])
    assert result.exit_code == 0
    assert "note: --draws 20 over 81 agreements takes about" in result.stderr
