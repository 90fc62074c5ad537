import csv
import datetime as dt
import json
import math
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import negotiate.models.backtest as backtest_module
from negotiate.cli.main import cli
from negotiate.evidence.reference import DEFAULT_REFERENCE, Episode
from negotiate.models.backtest import EVENTS, folds_of, open_base_rate, score_records
from negotiate.record.scoring import brier

QUICK = ["--draws", "100", "--tune", "100", "--model", "hazard-clock"]


def subset(tmp_path: Path, name: str, ids: list[str]) -> Path:
    """A reference directory holding only the given episodes of the shipped class."""
    out = tmp_path / name
    out.mkdir()
    for fname, key in (("episodes.csv", "id"), ("events.csv", "episode")):
        with open(DEFAULT_REFERENCE / fname, newline="") as handle:
            rows = list(csv.DictReader(handle))
        with open(out / fname, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(r for r in rows if r[key] in ids)
    return out


def ids(outcome: str, n: int) -> list[str]:
    with open(DEFAULT_REFERENCE / "episodes.csv", newline="") as handle:
        return [r["id"] for r in csv.DictReader(handle) if r["outcome"] == outcome][:n]


FIT = {"max_rhat": 1.0, "min_ess_bulk": 900, "divergences": 0}
BAD_FIT = {"max_rhat": 1.2, "min_ess_bulk": 80, "divergences": 1}


def record(episode, horizon, outcome, model, fit=FIT, cluster=None):
    return {"episode": episode, "cluster": cluster or episode, "horizon": horizon, "as_of": "2020-01-01",
            "outcome": outcome, "model": model, "prior": 0.6, "base_rate": 0.5, "base_rate_by_horizon": 0.4,
            "coin": 0.5, "fit": fit}


def test_summary_scores_match_direct_computation():
    records = [record("a", "7d", 1, 0.9), record("b", "7d", 0, 0.3, BAD_FIT), record("b", EVENTS, 0, 0.4, BAD_FIT)]
    d = score_records(records)
    assert d["horizons"]["7d"]["model"]["brier"] == pytest.approx(brier([0.9, 0.3], [1, 0]))
    assert d["horizons"]["7d"]["base_rate"]["brier"] == pytest.approx(0.25)
    assert d["horizons"]["7d"]["coin"]["brier"] == pytest.approx(0.25)
    assert d["horizons"]["7d"]["base_rate_by_horizon"]["brier"] == pytest.approx((0.6 ** 2 + 0.4 ** 2) / 2)
    assert d["horizons"]["7d"]["coin"]["log_score"] == pytest.approx(math.log(0.5))
    assert d["horizons"][EVENTS]["n"] == 1
    assert d["worst"][0]["episode"] == "b"
    assert d["diagnostics"] == {"max_rhat": 1.2, "min_ess_bulk": 80, "divergences": 1, "failed_folds": ["b"]}
    # two fixed-horizon forecasts, 0.9 (bin 0.9-1.0, outcome 1) and 0.3 (bin 0.3-0.4, outcome 0)
    assert d["calibration_error"] == pytest.approx((abs(0.9 - 1) + abs(0.3 - 0)) / 2)


def _episode(eid, outcome, deadline, resolved, cluster=""):
    return Episode(eid, "t", "A", "B", deadline - dt.timedelta(days=60), deadline, "?", outcome, resolved, "s",
                   cluster=cluster)


def test_base_rate_by_horizon_counts_only_episodes_still_open():
    d = dt.date(2020, 6, 30)
    train = [_episode("early", 1, d, d - dt.timedelta(days=20)), _episode("late", 1, d, d - dt.timedelta(days=2)),
             _episode("none1", 0, d, d), _episode("none2", 0, d, d)]
    assert open_base_rate(train, 30) == pytest.approx(2 / 4)  # everyone open 30 days out
    assert open_base_rate(train, 7) == pytest.approx(1 / 3)  # the early deal is known by then
    assert open_base_rate(train, 1) == pytest.approx(0.0)  # only the two without a deal are open
    assert open_base_rate(train[:2], 1) == pytest.approx(1.0)  # nobody open: the overall rate


def test_cluster_folds_hold_out_linked_rounds_together():
    d = dt.date(2020, 6, 30)
    train = [_episode("r1", 1, d, d, "dispute"), _episode("r2", 0, d, d, "dispute"), _episode("solo", 1, d, d)]
    folds = folds_of(train, None, "cluster")
    assert sorted(folds) == ["dispute", "solo"]
    fit_on, held = folds["dispute"]
    assert [e.id for e in held] == ["r1", "r2"] and [e.id for e in fit_on] == ["solo"]
    assert sorted(folds_of(train, None, "episode")) == ["r1", "r2", "solo"]


def test_leave_one_out_runs_in_parallel_and_resumes(tmp_path, monkeypatch):
    ref = subset(tmp_path, "ref", ids("1", 2) + ids("0", 2))
    state = tmp_path / "state"
    args = ["backtest", str(ref), "--folds", "episode", "--jobs", "2", "--state", str(state), "--json",
            "--plot", str(tmp_path / "r.png")] + QUICK
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    d1 = json.loads(first.stdout)
    assert d1["folds"] == 4 and d1["resumed_folds"] == 0 and d1["mode"] == "leave-one-episode-out"
    m1 = d1["models"]["hazard-clock"]
    assert {"30d", "7d"} <= m1["horizons"].keys()
    assert set(m1["horizons"]["7d"]) == {"n", "episodes", "model", "base_rate", "base_rate_by_horizon", "coin", "prior", "skill"}
    assert set(m1["horizons"]["7d"]["skill"]) == {"against", "difference", "interval", "level", "clusters"}
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # 100 draws cannot pass the diagnostics: every fold is named in a loud warning
    assert m1["diagnostics"]["failed_folds"] and "WARNING: hazard-clock:" in first.stderr
    # an interruption loses nothing finished: drop one fold's file and run again
    fold_files = sorted(state.glob("*/*.json"))
    assert len(fold_files) == 4
    fold_files[0].unlink()
    second = json.loads(CliRunner().invoke(cli, args).stdout)
    assert second["resumed_folds"] == 3
    assert second["models"]["hazard-clock"]["horizons"] == m1["horizons"]  # same seeds, same fits

    def no_cluster(*args, **kwargs):
        raise AssertionError("a fully resumed backtest must not start a cluster or fit anything")

    monkeypatch.setattr(backtest_module, "dask_client", no_cluster)
    full = CliRunner().invoke(cli, args)
    assert full.exit_code == 0, full.output
    assert json.loads(full.stdout)["resumed_folds"] == 4
    text = CliRunner().invoke(cli, [a for a in args if a != "--json"])
    assert text.exit_code == 0, text.output
    for h, v in m1["horizons"].items():  # the clusters resampled are those with a forecast at that horizon
        assert v["skill"]["clusters"] == len({r["cluster"] for r in m1["records"] if r["horizon"] == h})
    assert "Brier of the model minus the base rate by horizon, with a 90% interval from resampling whole clusters" in text.stdout
    for h, v in m1["horizons"].items():  # each horizon's line says what its interval says
        lo, hi = v["skill"]["interval"]
        verdict = "better" if hi < 0 else "worse" if lo > 0 else "cannot tell"
        assert f"    {h:<17}{v['skill']['difference']:+.3f}  [{lo:+.3f}, {hi:+.3f}]  {verdict}\n" in text.stdout


def test_usage_errors(tmp_path):
    ref = subset(tmp_path, "ref", ids("1", 2))
    result = CliRunner().invoke(cli, ["backtest", str(ref), "--test", str(ref)])
    assert result.exit_code == 2
    few = CliRunner().invoke(cli, ["backtest", str(ref), "--state", str(tmp_path / "s")] + QUICK)
    assert few.exit_code == 1 and "expected at least 3 to fit on" in few.stderr


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll until the scheduler accepts connections (or fail if it died or never came up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the dask scheduler exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the dask scheduler did not listen on port {port} within {timeout:g} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_folds_on_a_real_dask_cluster_score_like_the_local_run(tmp_path):
    train = subset(tmp_path, "train", ids("1", 3) + ids("0", 3))
    test = subset(tmp_path, "test", ids("1", 5)[3:] + ids("0", 5)[3:])
    dask = Path(sys.executable).parent / "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        _wait_for_port(port, procs[0])
        for _ in range(2):
            procs.append(subprocess.Popen([str(dask), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                           "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        remote = CliRunner().invoke(cli, ["backtest", "--train", str(train), "--test", str(test), "--scheduler",
                                          address, "--state", str(tmp_path / "remote"), "--json", "--draws", "300", "--model", "hazard-clock"])
        assert remote.exit_code == 0, remote.output
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    local = CliRunner().invoke(cli, ["backtest", "--train", str(train), "--test", str(test), "--jobs", "1",
                                     "--state", str(tmp_path / "local"), "--json", "--draws", "300", "--model", "hazard-clock"])
    r, l = json.loads(remote.stdout), json.loads(local.stdout)
    assert r["mode"] == "train-test" and r["resumed_folds"] == 0 and l["resumed_folds"] == 0
    # Same seeds, same fits up to floating point: the last bits can differ between processes (e.g.
    # PyTensor compiling concurrently), and MCMC turns that into Monte Carlo noise, so the model's
    # scores agree within it; the baselines do not depend on sampling and agree exactly.
    r, l = r["models"]["hazard-clock"], l["models"]["hazard-clock"]
    assert r["horizons"].keys() == l["horizons"].keys()
    for h in r["horizons"]:
        assert r["horizons"][h]["n"] == l["horizons"][h]["n"]
        assert r["horizons"][h]["base_rate"] == l["horizons"][h]["base_rate"]
        assert r["horizons"][h]["base_rate_by_horizon"] == l["horizons"][h]["base_rate_by_horizon"]
        assert r["horizons"][h]["model"]["brier"] == pytest.approx(l["horizons"][h]["model"]["brier"], abs=0.02)
        assert r["horizons"][h]["prior"]["brier"] == pytest.approx(l["horizons"][h]["prior"]["brier"], abs=0.02)


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    ref = subset(tmp_path, "ref", ids("1", 2) + ids("0", 2))
    result = CliRunner().invoke(cli, ["backtest", str(ref), "--scheduler", f"tcp://127.0.0.1:{_free_port()}",
                                      "--state", str(tmp_path / "s")] + QUICK)
    assert result.exit_code == 1 and "cannot reach the Dask scheduler" in result.stderr
