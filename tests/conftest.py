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
