import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli.main import cli
from models.deal import Fit, ModelConfig, SamplerConfig, fit_key, point_fit
from negotiate.evidence.reference import DEFAULT_REFERENCE
from tests.conftest import FLAGSHIP, ROOT

KEYS = {"scenario", "p_deal", "interval", "path", "contributions", "prior", "diagnostics", "fit", "seed",
        "events_used", "events_ignored_after_as_of"}


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fit cache holding a fixed-effects fit under the key of the shipped reference class."""
    key = fit_key(DEFAULT_REFERENCE, ModelConfig(), SamplerConfig())
    f = point_fit({"consult": 0.3, "agree": 0.8, "threaten": -0.5, "sanction": -0.4, "accuse": -0.2,
                   "concede": 0.4, "support": 0.2}, 14.0)
    Fit(f.draws, f.diagnostics, key, f.meta).save(tmp_path)
    monkeypatch.setenv("NEGOTIATE_FITS", str(tmp_path))
    return tmp_path


def test_update_json_with_a_stored_fit(store):
    result = CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d.keys() >= KEYS
    assert d["fit"]["reused"] is True
    lo, hi = d["interval"]
    assert 0 <= lo <= d["p_deal"] <= hi <= 1
    assert d["events_used"] >= 20 and d["path"][-1]["date"] == "2025-10-23"
    assert d["path"][-1]["p_deal"] == pytest.approx(d["p_deal"])
    assert d["prior"]["source"] == "strategist" and d["prior"]["deal_probability"] == 0.6


def test_as_of_uses_only_earlier_events(store):
    d = json.loads(CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--json", "--as-of", "2025-09-01"]).stdout)
    assert d["scenario"]["as_of"] == "2025-09-01"
    assert all(p["date"] <= "2025-09-01" for p in d["path"])
    assert d["events_ignored_after_as_of"] > 0


def test_text_output(store):
    out = CliRunner().invoke(cli, ["update", str(FLAGSHIP)]).stdout
    for part in ("P(deal by the deadline) =", "90% interval", "Prior: the strategist's 60.0%",
                 "Path of P(deal)", "Events that move P(deal) most", "max R-hat"):
        assert part in out


def test_strict_fails_on_bad_diagnostics(tmp_path, monkeypatch):
    key = fit_key(DEFAULT_REFERENCE, ModelConfig(), SamplerConfig())
    f = point_fit({"consult": 0.3}, 14.0)
    Fit(f.draws, {"max_rhat": 1.2, "min_ess_bulk": 50.0, "divergences": 3}, key, {}).save(tmp_path)
    monkeypatch.setenv("NEGOTIATE_FITS", str(tmp_path))
    loose = CliRunner().invoke(cli, ["update", str(FLAGSHIP)])
    assert loose.exit_code == 0 and "WARNING: the fit fails its diagnostics" in loose.stdout
    strict = CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--strict"])
    assert strict.exit_code == 1
    assert "max R-hat 1.200 > 1.01; min bulk ESS 50 < 400; 3 divergent transitions" in strict.stderr


def test_prior_from_the_game(store, tmp_path):
    p = tmp_path / "s.yaml"
    text = FLAGSHIP.read_text().replace("prior: {deal_probability: 0.6, strength: 4}", "prior: {source: game, strength: 4}")
    p.write_text(text.replace("evidence: ../seeds/us-china-kl-2025/events.csv", f"evidence: {ROOT}/seeds/us-china-kl-2025/events.csv"))
    d = json.loads(CliRunner().invoke(cli, ["update", str(p), "--json", "--seed", "7"]).stdout)
    assert d["prior"]["source"] == "game"
    assert d["prior"]["deal_probability"] == pytest.approx(min(d["prior"]["p_zopa_nonempty"], 0.98))


def test_no_prior_uses_the_reference_base_rate(store, tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(FLAGSHIP.read_text().replace("prior: {deal_probability: 0.6, strength: 4}\n", "")
                 .replace("evidence: ../seeds/us-china-kl-2025/events.csv\n", ""))
    d = json.loads(CliRunner().invoke(cli, ["update", str(p), "--json"]).stdout)
    assert d["prior"]["source"] == "reference" and d["events_used"] == 0
    assert d["p_deal"] == pytest.approx(0.5)  # the point fit's intercept is 0


def test_stored_fit_path_never_imports_pymc(store):
    code = ("import sys\nfrom cli.main import cli\n"
            "cli(['update', sys.argv[1], '--json'], standalone_mode=False)\n"
            "print('HEAVY:' + ','.join(sorted({m.split('.')[0] for m in sys.modules} & {'pymc', 'pytensor', 'arviz'})))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(FLAGSHIP)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY:"


@pytest.mark.slow
def test_first_update_fits_and_the_second_reuses(tmp_path, monkeypatch):
    monkeypatch.setenv("NEGOTIATE_FITS", str(tmp_path))
    first = CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--json"])
    assert first.exit_code == 0, first.output
    d1 = json.loads(first.stdout)
    assert d1["fit"]["reused"] is False and d1["diagnostics"]["ok"], d1["diagnostics"]
    d2 = json.loads(CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--json"]).stdout)
    assert d2["fit"]["reused"] is True and d2["fit"]["key"] == d1["fit"]["key"]
    assert d2["p_deal"] == d1["p_deal"]
