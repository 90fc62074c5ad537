"""The track record refuses what is not its own and reports what is wrong with a database."""

import sqlite3

import pytest

from negotiate.errors import NegotiateError
from negotiate.record.track import TrackRecord
from tests.hostile.conftest import run


def foreign_db(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    conn.commit()
    conn.close()
    return path.read_bytes()


def test_another_applications_database_is_refused_untouched(tmp_path):
    path = tmp_path / "app.sqlite"
    before = foreign_db(path)
    with pytest.raises(NegotiateError, match="not a negotiate database.*invoices"):
        TrackRecord(path)
    assert path.read_bytes() == before
    result = run("history", "--db", path)
    assert result.exit_code == 1 and "invoices" in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.sqlite"]  # no journal files left either


def test_an_empty_file_is_taken_as_a_new_database(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with TrackRecord(path) as t:
        assert t.forecasts() == []


# ---------------------------------------------------------------- one forecast per distinct input (issue 15)


@pytest.fixture
def fits(tmp_path, monkeypatch):
    from tests.conftest import store_point_fits

    monkeypatch.setenv("NEGOTIATE_FITS", str(store_point_fits(tmp_path / "fits")))


def test_update_and_report_of_one_input_record_one_forecast(fits, workspace):
    import json

    s, db = workspace / "s.yaml", workspace / "t.sqlite"
    first = json.loads(run("update", s, "--json", "--db", db).stdout)
    again = json.loads(run("update", s, "--json", "--db", db).stdout)
    assert again["record"]["id"] == first["record"]["id"] and again["record"]["previous"] is None
    report = run("report", s, "-o", workspace / "r.json", "--draws", "0", "--db", db)
    assert report.exit_code == 0, report.output
    other = json.loads(run("update", s, "--json", "--as-of", "2025-10-10", "--db", db).stdout)  # another input
    assert other["record"]["id"] != first["record"]["id"]
    assert other["record"]["previous"]["as_of"] == "2025-10-23"
    history = json.loads(run("history", "--json", "--db", db).stdout)
    assert [f["as_of"] for f in history["forecasts"]] == ["2025-10-23", "2025-10-10"]
    assert run("resolve", s, "--outcome", "deal", "--on", "2025-10-30", "--source", "x", "--db", db).exit_code == 0
    assert json.loads(run("score", "--json", "--db", db).stdout)["forecasts"] == 2


def test_duplicates_already_in_a_database_are_counted_once(tmp_path):
    from negotiate.record.track import Forecast, Resolution

    path = tmp_path / "t.sqlite"
    with TrackRecord(path) as t:
        for command in ("update", "report", "update"):  # rows an older negotiate wrote for one input
            t.conn.execute("INSERT INTO forecasts (scenario_id, question, deadline, made_at, as_of, p, lo, hi, model_version,"
                           " input_hash, command) VALUES ('s', 'q', '2025-10-30', ?, '2025-10-20', 0.7, 0.6, 0.8, 'm', 'h', ?)",
                           (f"2025-10-20T10:00:0{len(command)}", command))
        t.record(Forecast("s", "q", "2025-10-30", "2025-10-20", 0.7, 0.6, 0.8, "m", "h", "update"))
        assert len(t.forecasts("s")) == 1 and t.forecasts("s")[0].command == "update"
        t.resolve(Resolution("s", "deal", "2025-10-30", "x"))
        questions = t.resolved_questions()
    assert [len(q["forecasts"]) for q in questions] == [1]
