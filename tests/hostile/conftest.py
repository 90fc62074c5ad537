"""Hostile and careless inputs: every cause the hardening probe found has a fixture here that failed
before its fix. Shared fixtures: a workspace with a copy of the flagship and its ledger."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from tests.conftest import FLAGSHIP, ROOT

LEDGER = ROOT / "seeds" / "us-china-kl-2025" / "events.csv"


def copy_flagship(directory: Path, ledger: str = "events.csv", copy_ledger: bool = True) -> Path:
    """The flagship scenario in ``directory`` with its ledger copied beside it as ``ledger`` (a CSV name)."""
    text = FLAGSHIP.read_text().replace("evidence: ../seeds/us-china-kl-2025/events.csv", f"evidence: {ledger}")
    (directory / "s.yaml").write_text(text)
    if copy_ledger and ledger.endswith(".csv"):
        shutil.copy(LEDGER, directory / ledger)
    return directory / "s.yaml"


@pytest.fixture
def workspace(tmp_path) -> Path:
    copy_flagship(tmp_path)
    return tmp_path


def run(*args):
    """The CLI in this process; exit code, stdout and stderr kept apart."""
    return CliRunner().invoke(cli, [str(a) for a in args])


ADD = ["--date", "2025-10-22", "--actor", "US", "--target", "CN", "--type", "consult",
       "--description", "talks this weekend", "--source", "https://example.org/x"]
