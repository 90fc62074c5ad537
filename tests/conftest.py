import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
FLAGSHIP = ROOT / "scenarios" / "us-china-kl-2025.yaml"

# CI runs a fixed set of examples (reproducible); local runs explore new ones each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def flagship() -> Path:
    return FLAGSHIP


@pytest.fixture(autouse=True)
def _private_track_record(tmp_path, monkeypatch):
    """Forecasts made by tests go to a database of their own, never the working directory's."""
    monkeypatch.setenv("NEGOTIATE_DB", str(tmp_path / "negotiate.sqlite"))


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="Also run the tests marked slow (CI runs them; they take minutes).")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
