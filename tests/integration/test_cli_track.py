import csv
import json
import shutil

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.evidence.reference import DEFAULT_REFERENCE, load_reference
from tests.conftest import FLAGSHIP, store_point_fits


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("NEGOTIATE_FITS", str(store_point_fits(tmp_path / "fits")))
    monkeypatch.setenv("NEGOTIATE_DB", str(tmp_path / "track.sqlite"))
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_update_records_and_history_lists(env):
    first = json.loads(run("update", FLAGSHIP, "--json").stdout)
    assert first["record"]["previous"] is None
    second = json.loads(run("update", FLAGSHIP, "--json", "--as-of", "2025-10-10").stdout)
    assert second["record"]["previous"]["p_deal"] == pytest.approx(first["p_deal"])
    assert run("update", FLAGSHIP, "--no-record").exit_code == 0
    h = json.loads(run("history", FLAGSHIP, "--json").stdout)
    assert [f["as_of"] for f in h["forecasts"]] == ["2025-10-23", "2025-10-10"]
    assert h["forecasts"][0]["model_version"].startswith("negotiate ") and len(h["forecasts"][0]["input_hash"]) == 16
    text = run("history").stdout
    assert "us-china-kl-2025" in text and "P(deal)" in text


def test_db_option_overrides_the_environment(env):
    other = env / "other.sqlite"
    assert run("update", FLAGSHIP, "--db", other).exit_code == 0
    assert len(json.loads(run("history", "--db", other, "--json").stdout)["forecasts"]) == 1
    assert json.loads(run("history", "--json").stdout)["forecasts"] == []


def test_resolve_score_and_amend(env):
    run("update", FLAGSHIP)
    ok = run("resolve", FLAGSHIP, "--outcome", "deal", "--on", "2025-10-30", "--source", "https://example.org/deal")
    assert ok.exit_code == 0 and "resolved as deal on 2025-10-30" in ok.stdout
    refused = run("resolve", FLAGSHIP, "--outcome", "no-deal", "--on", "2025-10-30", "--source", "x")
    assert refused.exit_code == 1 and "pass --amend with --reason" in refused.stderr
    s = json.loads(run("score", "--json", "--plot", env / "cal.png").stdout)
    assert s["questions"] == 1 and s["forecasts"] == 1
    p = json.loads(run("history", "--json").stdout)["forecasts"][0]["p"]
    assert s["brier"] == pytest.approx((1 - p) ** 2)
    assert (env / "cal.png").read_bytes()[:4] == b"\x89PNG"
    amended = run("resolve", FLAGSHIP, "--outcome", "void", "--on", "2025-10-30", "--source", "x", "--amend",
                  "--reason", "terms unclear")
    assert amended.exit_code == 0 and "amends resolution #1" in amended.stdout
    assert json.loads(run("score", "--json").stdout)["questions"] == 0  # void questions are not scored


def test_add_to_reference(env):
    ref = env / "ref"
    shutil.copytree(DEFAULT_REFERENCE, ref)
    before = {name: (ref / name).read_bytes() for name in ("episodes.csv", "events.csv")}
    result = run("resolve", FLAGSHIP, "--outcome", "deal", "--on", "2025-10-30", "--source", "https://example.org/d",
                 "--add-to-reference", "--reference", ref)
    assert result.exit_code == 0, result.output
    for name, data in before.items():
        assert (ref / name).read_bytes().startswith(data)
    episode = {e.id: e for e in load_reference(ref)}["us-china-kl-2025"]
    assert episode.outcome == 1 and episode.resolved_on.isoformat() == "2025-10-30"
    assert len(episode.events) >= 20 and all(e.date < episode.resolved_on for e in episode.events)
    again = run("resolve", FLAGSHIP, "--outcome", "deal", "--on", "2025-10-30", "--source", "https://example.org/d",
                "--add-to-reference", "--reference", ref)
    assert again.exit_code == 1 and "already in the reference class" in again.stderr


def test_void_is_not_added_to_reference(env):
    ref = env / "ref"
    shutil.copytree(DEFAULT_REFERENCE, ref)
    result = run("resolve", FLAGSHIP, "--outcome", "void", "--on", "2025-10-30", "--source", "x",
                 "--add-to-reference", "--reference", ref)
    assert result.exit_code == 1 and "void question has no outcome" in result.stderr
    with open(ref / "episodes.csv") as handle:
        assert "us-china-kl-2025" not in {r["id"] for r in csv.DictReader(handle)}


def test_score_on_an_empty_record(env):
    assert "No resolved questions" in run("score").stdout


def test_corrupt_db_is_a_clean_error(env):
    (env / "track.sqlite").write_bytes(b"garbage" * 1000)
    result = run("history")
    assert result.exit_code == 1 and "not a negotiate database or corrupted" in result.stderr


def test_resolve_refuses_a_date_after_today_and_writes_nothing(env):
    import datetime as dt

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    result = run("resolve", FLAGSHIP, "--outcome", "deal", "--on", tomorrow, "--source", "x")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: --on {tomorrow} is after today ({dt.date.today()}); "
                             "expected the date the outcome was known\n")
    assert not (env / "track.sqlite").exists()


def test_a_deal_after_the_deadline_is_recorded_with_a_warning(env):
    late = run("resolve", FLAGSHIP, "--outcome", "deal", "--on", "2025-12-01", "--source", "x")
    assert late.exit_code == 0
    assert late.stderr == ("warning: a deal on 2025-12-01 came after the deadline 2025-10-30; the question asks for a "
                           "deal by the deadline, so it resolves as no-deal (record --outcome no-deal, or --amend this "
                           "resolution)\n")
    on_time = run("resolve", FLAGSHIP, "--outcome", "no-deal", "--on", "2025-12-01", "--source", "x", "--amend",
                  "--reason", "deal came late")
    assert on_time.exit_code == 0 and on_time.stderr == ""


def test_the_default_track_record_lives_in_the_user_data_directory(env, monkeypatch):
    monkeypatch.delenv("NEGOTIATE_DB")
    monkeypatch.setenv("NEGOTIATE_DATA", str(env / "data"))
    monkeypatch.chdir(env)
    assert run("history").exit_code == 0 and not (env / "data").exists()  # reading creates nothing
    assert run("update", FLAGSHIP).exit_code == 0
    assert (env / "data" / "negotiate.sqlite").is_file() and not (env / "negotiate.sqlite").exists()
    assert len(json.loads(run("history", "--json").stdout)["forecasts"]) == 1
