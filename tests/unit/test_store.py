import datetime as dt
import multiprocessing
import signal
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from negotiate.errors import NegotiateError
from negotiate.record.scoring import score_track_record, time_averaged_brier
from negotiate.record.track import SCHEMA_VERSION, Forecast, Resolution, TrackRecord
from tests.conftest import ROOT


def fc(p=0.4, as_of="2025-10-20", sid="s1"):
    return Forecast(sid, "Deal?", "2025-10-30", as_of, p, p - 0.1, p + 0.1, "test", "h", "update")


def test_record_and_list(tmp_path):
    with TrackRecord(tmp_path / "t.sqlite") as t:
        t.record(fc(0.4))
        t.record(fc(0.6, sid="s2"))
        assert [f.p for f in t.forecasts()] == [0.4, 0.6]
        assert [f.scenario_id for f in t.forecasts("s2")] == ["s2"]
        assert t.previous("s1").p == 0.4 and t.previous("nope") is None
    with TrackRecord(tmp_path / "t.sqlite") as t:  # reopening keeps everything and migrates nothing twice
        assert len(t.forecasts()) == 2
        assert t.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert t.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_resolution_rules(tmp_path):
    with TrackRecord(tmp_path / "t.sqlite") as t:
        first, written = t.resolve(Resolution("s1", "deal", "2025-10-30", "src"))
        assert written and first.amends is None
        again, written = t.resolve(Resolution("s1", "deal", "2025-10-30", "other src"))
        assert not written and again.id == first.id
        with pytest.raises(NegotiateError, match="already resolved as deal on 2025-10-30$") as refused:
            t.resolve(Resolution("s1", "no-deal", "2025-10-30", "src"))
        assert refused.value.remedies == {"amend"}  # the CLI words it as a flag
        with pytest.raises(NegotiateError, match="an amended resolution needs a reason"):
            t.resolve(Resolution("s1", "no-deal", "2025-10-30", "src"), amend=True)
        amended, written = t.resolve(Resolution("s1", "void", "2025-10-30", "src", reason="question ill-posed"), amend=True)
        assert written and amended.amends == first.id
        assert [r.outcome for r in t.resolutions("s1")] == ["deal", "void"]
        assert t.current_resolution("s1").outcome == "void"


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NegotiateError, match=r"written by a newer negotiate \(schema version 2"):
        TrackRecord(path)
    assert path.read_bytes() == before


def test_corrupted_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(NegotiateError, match="not a negotiate database or corrupted"):
        TrackRecord(path)


def _write_many(args):
    path, worker = args
    with TrackRecord(path) as t:
        for k in range(40):
            t.record(fc(0.5, sid=f"w{worker}-{k}"))


def test_parallel_writers_lose_nothing(tmp_path):
    path = tmp_path / "t.sqlite"
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        pool.map(_write_many, [(path, w) for w in range(3)])
    with TrackRecord(path) as t:
        assert len({f.scenario_id for f in t.forecasts()}) == 120


KILLED_WRITER = """
import sys
from negotiate.record.track import Forecast, TrackRecord
t = TrackRecord(sys.argv[1])
print("ready", flush=True)
k = 0
while True:
    with t.transaction() as c:  # a transaction of several rows: all or nothing
        for j in range(5):
            c.execute("INSERT INTO forecasts (scenario_id, question, deadline, made_at, as_of, p, lo, hi,"
                      " model_version, input_hash, command) VALUES (?, 'q', 'd', 'm', 'a', 0.5, 0.4, 0.6, 'v', 'h', 'c')",
                      (f"batch{k}",))
    print("committed", k, flush=True)
    k += 1
"""


def test_a_process_killed_mid_write_leaves_a_consistent_database(tmp_path):
    path = tmp_path / "t.sqlite"
    TrackRecord(path).close()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.stdout.readline().strip() == "ready"
    for _ in range(3):  # kill it once it is busy writing, whatever the machine's speed
        assert proc.stdout.readline().startswith("committed")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with TrackRecord(path) as t:
        assert t.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = t.conn.execute("SELECT COUNT(*) FROM forecasts GROUP BY scenario_id").fetchall()
        assert counts and all(c == (5,) for c in counts)  # no half-written batch
        t.record(fc())  # and it still takes writes


def test_time_averaged_brier_by_hand():
    d = dt.date
    # 0.2 for 10 days, then 0.8 for 5 days; outcome 1
    value = time_averaged_brier([d(2025, 1, 1), d(2025, 1, 11)], [0.2, 0.8], 1, d(2025, 1, 16))
    assert value == pytest.approx((10 * 0.8 ** 2 + 5 * 0.2 ** 2) / 15)
    # two forecasts on one day: the later replaces the earlier at once
    assert time_averaged_brier([d(2025, 1, 1), d(2025, 1, 1)], [0.9, 0.3], 0, d(2025, 1, 3)) == pytest.approx(0.09)
    assert time_averaged_brier([d(2025, 1, 3)], [0.7], 1, d(2025, 1, 3)) == pytest.approx(0.09)


def test_track_record_scores_by_hand():
    d = dt.date
    questions = [
        {"scenario_id": "a", "outcome": 1, "resolved_on": d(2025, 1, 11), "forecasts": [(d(2025, 1, 1), 0.6)]},
        {"scenario_id": "b", "outcome": 0, "resolved_on": d(2025, 1, 11),
         "forecasts": [(d(2025, 1, 1), 0.5), (d(2025, 1, 6), 0.1)]},
    ]
    s = score_track_record(questions)
    assert s["forecasts"] == 3 and s["questions"] == 2
    assert s["brier"] == pytest.approx((0.16 + 0.25 + 0.01) / 3)
    assert s["log_score"] == pytest.approx((np.log(0.6) + np.log(0.5) + np.log(0.9)) / 3)
    assert s["per_question"][1]["time_averaged_brier"] == pytest.approx((5 * 0.25 + 5 * 0.01) / 10)


def test_calibrated_forecaster_scores_as_theory_says():
    rng = np.random.default_rng(1)
    day = dt.date(2025, 1, 1)
    questions = []
    for k in range(20_000):
        p = rng.uniform()
        questions.append({"scenario_id": str(k), "outcome": int(rng.uniform() < p), "resolved_on": day,
                          "forecasts": [(day, p)]})
    s = score_track_record(questions)
    assert s["brier"] == pytest.approx(1 / 6, abs=0.006)
    assert s["mean_time_averaged_brier"] == pytest.approx(s["brier"])
    for row in s["reliability"]:
        assert row["observed"] == pytest.approx(row["mean_forecast"], abs=0.04)
