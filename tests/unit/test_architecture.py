"""The layers of pyproject's import-linter contracts hold, and a module that imports upward breaks them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def copy(tmp_path) -> Path:
    """negotiate/ and pyproject.toml in a directory of their own, importable from there."""
    shutil.copytree(ROOT / "negotiate", tmp_path / "negotiate", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_copy(copy: Path) -> subprocess.CompletedProcess:
    return lint_imports(copy, os.environ | {"PYTHONPATH": str(copy)})


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_the_copy_is_what_gets_checked(copy):
    """Guards the two tests below: the copy, not the installed tree, is analysed, and it passes as it is."""
    result = lint_copy(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_scenario_importing_report_breaks_the_rooms_contract(copy):
    (copy / "negotiate" / "scenario" / "upward.py").write_text("import negotiate.report.document\n")
    result = lint_copy(copy)
    assert result.returncode == 1
    assert "negotiate's rooms, top to bottom BROKEN" in result.stdout
    assert "negotiate.scenario is not allowed to import negotiate.report:" in result.stdout
    assert "- negotiate.scenario.upward -> negotiate.report.document (l.1)" in result.stdout
    assert "Contracts: 2 kept, 1 broken." in result.stdout


def test_models_importing_cli_breaks_the_rooms_contract(copy):
    (copy / "negotiate" / "models" / "upward.py").write_text("import negotiate.cli.main\n")
    result = lint_copy(copy)
    assert result.returncode == 1
    assert "negotiate's rooms, top to bottom BROKEN" in result.stdout
    assert "negotiate.models is not allowed to import negotiate.cli:" in result.stdout
    assert "- negotiate.models.upward -> negotiate.cli.main (l.1)" in result.stdout
    assert "Contracts: 2 kept, 1 broken." in result.stdout
