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
    monkeypatch.setenv("NEGOTIATE_DATA", str(tmp_path / "user-data"))  # additions to the reference class


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


# Fixed parameters for stored test fits: a clock that rises towards the deadline, events that matter.
POINT_CLOCK = [-1.5, -2.0, -2.5, -3.0, -3.5, -4.0, -4.5]


def store_point_fits(directory: Path) -> Path:
    """Store one-draw fits of every model variant under the keys of the shipped reference class."""
    from negotiate.evidence.reference import DEFAULT_REFERENCE
    from negotiate.models.deal import Fit, SamplerConfig, fit_key, point_fit
    from negotiate.models.hazard import point_draws
    from negotiate.models.variants import VARIANTS

    for name, v in VARIANTS.items():
        key = fit_key(DEFAULT_REFERENCE, v.config_dict(), SamplerConfig())
        if name == "v1":
            f = point_fit({"consult": 0.3, "agree": 0.8, "threaten": -0.5, "sanction": -0.4, "accuse": -0.2,
                           "concede": 0.4, "support": 0.2}, 14.0)
            Fit(f.draws, f.diagnostics, key, f.meta | {"name": name}).save(directory)
        else:
            draws = point_draws(v.config, POINT_CLOCK, b_summit=0.8, b_tone=1.0, b_activity=0.5)
            Fit(draws, {"max_rhat": 1.0, "min_ess_bulk": float("inf"), "divergences": 0}, key,
                {"point": True, "name": name, "chains": 1}).save(directory)
    return directory


@pytest.fixture
def point_fits(tmp_path, monkeypatch) -> Path:
    """NEGOTIATE_FITS pointing at stored one-draw fits of every model (no sampling in the test)."""
    monkeypatch.setenv("NEGOTIATE_FITS", str(store_point_fits(tmp_path / "fits")))
    return tmp_path / "fits"
