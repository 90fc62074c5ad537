import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.models.deal import Fit
from tests.conftest import FLAGSHIP, POINT_CLOCK, ROOT, store_point_fits

# docs/forecast.md, "update --json keys (stable)"
KEYS = {"scenario", "model", "p_deal", "p_model", "p_with_prior", "interval", "days_left", "p_tomorrow_without_events",
        "what_would_move", "path", "contributions", "prior", "diagnostics", "fit", "seed", "events_used",
        "events_ignored_after_as_of", "record"}


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fit cache holding a fixed-effects fit under the key of the shipped reference class."""
    monkeypatch.setenv("NEGOTIATE_FITS", str(store_point_fits(tmp_path)))
    return tmp_path


def test_update_json_with_a_stored_fit(store):
    result = CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d.keys() == KEYS
    assert d["fit"]["reused"] is True and d["model"] == "hazard" and d["days_left"] == 7
    lo, hi = d["interval"]
    assert 0 <= lo <= d["p_model"] <= hi <= 1
    assert d["events_used"] >= 20 and d["path"][-1]["date"] == "2025-10-23"
    assert d["path"][-1]["p_deal"] == pytest.approx(d["p_model"])  # the path is the model alone
    assert d["prior"]["source"] == "strategist" and d["prior"]["deal_probability"] == 0.6
    # a one-draw fit has no posterior spread: the model's pseudo-count is the cap, and the prior barely moves P
    n = d["prior"]["model_strength"]
    assert n == 1000.0
    assert d["p_with_prior"] == pytest.approx((d["p_model"] * n + 0.6 * 4) / (n + 4))
    assert d["p_deal"] == d["p_with_prior"]
    # what would move it: every catalogue type, cooperative ones up, conflictual ones down (b_tone > 0)
    moves = {m["type"]: m for m in d["what_would_move"]}
    assert len(moves) == 16
    assert moves["agree"]["p_deal"] > d["p_tomorrow_without_events"] > moves["threaten"]["p_deal"]


def test_as_of_uses_only_earlier_events(store):
    d = json.loads(CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--json", "--as-of", "2025-09-01"]).stdout)
    assert d["scenario"]["as_of"] == "2025-09-01"
    assert all(p["date"] <= "2025-09-01" for p in d["path"])
    assert d["events_ignored_after_as_of"] > 0


def test_text_output(store):
    out = CliRunner().invoke(cli, ["update", str(FLAGSHIP)]).stdout
    for part in ("P(deal by the deadline) =", "with your prior (60%, strength 4)", "the model alone",
                 "Posterior uncertainty of the model's P", "What would move it", "Path of P(deal)",
                 "Events that move P(deal) most", "Model hazard:", "max R-hat"):
        assert part in out


def test_strict_fails_on_bad_diagnostics(tmp_path, monkeypatch):
    store_point_fits(tmp_path)
    [path] = [p for p in tmp_path.glob("*.npz") if Fit.load(p).meta.get("name") == "hazard"]
    f = Fit.load(path)
    Fit(f.draws, {"max_rhat": 1.2, "min_ess_bulk": 50.0, "divergences": 3}, f.key, f.meta).save(tmp_path)
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
    assert d["p_with_prior"] is None and d["p_deal"] == d["p_model"]
    # no events: the clock alone, by the closed form over the 7 days left (1 to 7 days left on those days)
    import math
    clock = POINT_CLOCK
    summit = 0.8  # the flagship's leaders' meeting at the deadline, on the last two days
    etas = [clock[3], clock[3], clock[3], clock[2], clock[2], clock[1] + summit, clock[0] + summit]
    assert d["p_deal"] == pytest.approx(1 - math.prod(1 - 1 / (1 + math.exp(-e)) for e in etas))


def test_v1_is_still_selectable(store, tmp_path):
    d = json.loads(CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--json", "--model", "v1"]).stdout)
    assert d["model"] == "v1" and d["what_would_move"] == []
    # v1 puts the prior in place of its intercept: that is P with the prior; the model alone keeps the intercept
    assert d["p_deal"] == d["p_with_prior"] != d["p_model"]
    no_prior = tmp_path / "s.yaml"
    no_prior.write_text(FLAGSHIP.read_text().replace("prior: {deal_probability: 0.6, strength: 4}\n", "")
                        .replace("evidence: ../seeds/", f"evidence: {ROOT}/seeds/"))
    alone = json.loads(CliRunner().invoke(cli, ["update", str(no_prior), "--json", "--model", "v1"]).stdout)
    assert alone["p_with_prior"] is None and alone["p_model"] == pytest.approx(d["p_model"])


def test_unknown_model_is_a_clear_error(store):
    result = CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--model", "hazzard"])
    assert result.exit_code == 1
    assert result.stderr == "Error: unknown model 'hazzard'; expected one of: v1, hazard-clock, hazard, hazard-domain\n"


def test_stored_fit_path_never_imports_pymc(store):
    code = ("import sys\nfrom negotiate.cli.main import cli\n"
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


@pytest.mark.slow
def test_first_fit_with_json_writes_only_json_to_stdout(tmp_path):
    """A first fit in a real process, stdout a pipe: the sampler's output goes to stderr, stdout is one JSON object."""
    env = {**os.environ, "NEGOTIATE_FITS": str(tmp_path / "fits"), "NEGOTIATE_DB": str(tmp_path / "t.sqlite")}
    proc = subprocess.run([sys.executable, "-m", "negotiate", "update", str(FLAGSHIP), "--json", "--model", "hazard-clock"],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["fit"]["reused"] is False
    assert "Fitting the deal model" in proc.stderr


def test_what_if_events_show_p_with_and_without_and_write_nothing(store, tmp_path):
    ledger = (ROOT / "seeds" / "us-china-kl-2025" / "events.csv").read_bytes()
    db = tmp_path / "t.sqlite"
    result = CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--json", "--db", str(db),
                                      "--event", "2025-10-26,US,CN,agree,framework agreed in Kuala Lumpur"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    w = d["what_if"]
    assert w["as_of"] == "2025-10-26" and [e["type"] for e in w["events"]] == ["agree"]
    assert w["p_with"] > w["p_without"] and w["change"] == pytest.approx(w["p_with"] - w["p_without"])
    assert w["p_without"] < d["p_model"]  # three days pass without a deal: the clock lowers P
    assert d["record"] is None
    assert (ROOT / "seeds" / "us-china-kl-2025" / "events.csv").read_bytes() == ledger
    history = CliRunner().invoke(cli, ["history", "--db", str(db)])
    assert history.stdout == "No forecasts recorded yet (negotiate update records one).\n"


def test_what_if_bad_event_names_the_text_and_field(store):
    result = CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--event", "2025-10-26,US,CN,agrees,framework"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: what-if events: type: found 'agrees', not in the event catalogue; did you mean "
                             "'agree'? (in '2025-10-26,US,CN,agrees,framework')\n")
    short = CliRunner().invoke(cli, ["update", str(FLAGSHIP), "--event", "2025-10-26,US"])
    assert short.exit_code == 1
    assert short.stderr == ("Error: what-if events: event '2025-10-26,US': found 2 fields; expected "
                            "DATE,ACTOR,TARGET,TYPE,DESCRIPTION (then optionally SOURCE,WEIGHT)\n")
