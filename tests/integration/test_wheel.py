"""A built wheel, installed into a fresh virtual environment outside the source tree, runs the flagship.

The wheel is built from a copy of what a build reads (no build/ or egg-info left in the repository) and
installed without its dependencies; the new environment reaches them through a .pth file naming this
environment's site-packages (added as a plain path: its own .pth files, among them the editable
install of the source tree, are not processed), so nothing is downloaded. Stored point fits
(NEGOTIATE_FITS) spare the sampling.
"""

import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from negotiate.versions import package_versions
from tests.conftest import FLAGSHIP, ROOT, store_point_fits

pytestmark = pytest.mark.slow  # 20-40 s: a build, a venv, and commands that import PyMC


def run(cmd: list, cwd: Path, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel built from this tree; its bin directory."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT / "negotiate", src / "negotiate", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "seeds" / "reference", src / "seeds" / "reference")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    # the build backend of this environment when it has one (pytensor needs setuptools): no download
    isolation = [] if importlib.util.find_spec("setuptools") is None else ["--no-build-isolation"]
    run([sys.executable, "-m", "pip", "wheel", src, "--no-deps", *isolation, "-w", tmp / "dist", "-q"], tmp, dict(os.environ))
    (wheel,) = (tmp / "dist").glob("*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, dict(os.environ))
    run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "-q", wheel],
        tmp, dict(os.environ))
    purelib = run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  tmp, dict(os.environ)).stdout.strip()
    (Path(purelib) / "_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv / "bin"


@pytest.fixture
def workspace(tmp_path) -> tuple[Path, dict]:
    """The flagship and its ledger in a directory of their own; an environment without the source tree."""
    (tmp_path / "flagship.yaml").write_text(
        FLAGSHIP.read_text().replace("evidence: ../seeds/us-china-kl-2025/events.csv", "evidence: events.csv"))
    shutil.copy(ROOT / "seeds" / "us-china-kl-2025" / "events.csv", tmp_path / "events.csv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "NEGOTIATE_"))}
    env |= {"NEGOTIATE_FITS": str(store_point_fits(tmp_path / "fits")), "NEGOTIATE_DB": str(tmp_path / "track.sqlite"),
            "NEGOTIATE_DATA": str(tmp_path / "user-data"), "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg"}
    return tmp_path, env


def test_the_installed_wheel_is_what_runs(installed, workspace):
    work, env = workspace
    out = run([installed / "python", "-c", "import negotiate, negotiate.cli as cli, negotiate.models as models\n"
               "from negotiate.evidence.reference import DEFAULT_REFERENCE\n"
               "from negotiate.versions import package_versions\n"
               "print(negotiate.__file__, cli.__file__, models.__file__, DEFAULT_REFERENCE, sep='\\n')\n"
               "print(package_versions('negotiate', 'pymc', 'pytensor'))\n"
               "from importlib.metadata import distribution\n"
               "print(sorted({f.parts[0] for f in distribution('negotiate-forecast').files if f.parts[0] != '..'}))"], work, env).stdout.splitlines()
    venv = installed.parent.resolve()
    for path in out[:4]:
        assert Path(path).resolve().is_relative_to(venv), path
    assert out[3].endswith(os.path.join("negotiate", "evidence", "data", "reference"))
    # fit keys hash these versions: the stored point fits of this test are found only if they agree
    assert out[4] == str(package_versions("negotiate", "pymc", "pytensor")), "reinstall .venv: scripts/setup.sh"
    # one top-level package: a top-level `cli` or `models` would clash with other distributions'
    assert out[5] == str(["negotiate", f"negotiate_forecast-{version('negotiate-forecast')}.dist-info"])


def test_solve_update_report_resolve_from_the_wheel(installed, workspace):
    work, env = workspace
    site_packages = installed.parent / "lib"
    before = sorted(p for p in site_packages.rglob("*") if "__pycache__" not in p.parts)
    solve = run([installed / "negotiate", "solve", "flagship.yaml", "--draws", "200", "--seed", "7"], work, env)
    assert "Nash" in solve.stdout
    update = json.loads(run([installed / "negotiate", "update", "flagship.yaml", "--json"], work, env).stdout)
    # reused: the fit's key hashes the packaged reference class, byte for byte seeds/reference
    assert update["fit"]["reused"] is True and 0 < update["p_deal"] < 1
    run([installed / "negotiate", "report", "flagship.yaml", "-o", "report.html", "--draws", "200"], work, env)
    assert "P(deal" in (work / "report.html").read_text()
    # an addition to the reference class goes to the user data directory, never into site-packages
    resolved = run([installed / "negotiate", "resolve", "flagship.yaml", "--outcome", "deal", "--on", "2025-10-30",
                    "--source", "https://example.org/d", "--add-to-reference"], work, env)
    assert str(work / "user-data" / "reference") in resolved.stdout
    rows = (work / "user-data" / "reference" / "episodes.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows] == ["id", "us-china-kl-2025"]
    assert sorted(p for p in site_packages.rglob("*") if "__pycache__" not in p.parts) == before
    check = run([installed / "negotiate", "reference", "check", "--json"], work, env)
    assert json.loads(check.stdout)["ok"] is True


def test_python_dash_m_negotiate_from_the_wheel(installed, workspace):
    work, env = workspace
    version = run([installed / "python", "-m", "negotiate", "--version"], work, env).stdout
    assert version == f"negotiate, version {package_versions('negotiate')['negotiate']}\n" and "unknown" not in version
    # package data beside the reference class: the starter scenario and its ledger
    run([installed / "python", "-m", "negotiate", "new", "case.yaml"], work, env)
    assert (work / "case.events.csv").is_file()
    assert run([installed / "python", "-m", "negotiate", "validate", "case.yaml"], work, env).stdout.startswith("OK")
