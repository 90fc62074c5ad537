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


# ---------------------------------------------------------------- damaged, read-only and edited databases


def filled(path, forecasts=60):
    from negotiate.record.track import Forecast, Resolution

    with TrackRecord(path) as t:
        for k in range(forecasts):
            t.record(Forecast(f"s{k % 3}", "Deal? " + "x" * 200, "2025-10-30", f"2025-10-{k % 28 + 1:02d}", 0.5, 0.4, 0.6,
                              "m", f"h{k}", "update"))
        for k in range(3):
            t.resolve(Resolution(f"s{k}", "deal", "2025-10-30", "src"))
        t.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


READ = [("history",), ("history", "--json"), ("score",), ("score", "--json")]


def clean(result):
    assert "Traceback" not in result.output and not isinstance(result.exception, (AssertionError, NameError)), result.output
    return result


@pytest.mark.parametrize("offset", [4096, 4096 * 2 + 100, 4096 * 3, -2000])
def test_corrupted_pages_give_a_clean_message(tmp_path, workspace, offset):
    path = filled(tmp_path / "t.sqlite")
    data = bytearray(path.read_bytes())
    start = offset if offset >= 0 else len(data) + offset
    data[start:start + 1500] = bytes((i * 37 + 11) % 256 for i in range(1500))
    path.write_bytes(bytes(data))
    for args in READ:
        result = clean(run(*args, "--db", path))
        assert result.exit_code in (0, 1)
        if result.exit_code == 1:
            assert str(path) in result.stderr and ("damaged" in result.stderr or "not a negotiate database" in result.stderr)
    result = clean(run("resolve", workspace / "s.yaml", "--outcome", "deal", "--on", "2025-10-30", "--source", "x", "--db", path))
    assert result.exit_code in (0, 1)


def test_text_that_is_not_utf8_in_a_row_is_a_clean_message(tmp_path):
    path = filled(tmp_path / "t.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE forecasts SET question = CAST(x'ff41' AS TEXT) WHERE id = 2")
    conn.commit()
    conn.close()
    for args in READ:
        result = clean(run(*args, "--db", path))
        assert result.exit_code == 1 and "damaged" in result.stderr, result.output


@pytest.mark.parametrize("edit", ["UPDATE forecasts SET as_of = 'garbage' WHERE id = 1",
                                  "UPDATE resolutions SET resolved_on = '2025-02-30' WHERE id = 1",
                                  "UPDATE forecasts SET lo = 'low' WHERE id = 3",
                                  "UPDATE forecasts SET made_at = x'00ff' WHERE id = 3"])
def test_a_row_with_a_bad_value_names_the_row(tmp_path, edit):
    path = filled(tmp_path / "t.sqlite")
    conn = sqlite3.connect(path)
    conn.execute(edit)
    conn.commit()
    conn.close()
    results = [clean(run(*args, "--db", path)) for args in READ]
    assert any(r.exit_code == 1 for r in results)
    for r in results:
        assert r.exit_code == 0 or ("#" in r.stderr and str(path) in r.stderr), r.output


def test_a_read_only_database_is_read_but_not_written(tmp_path, workspace):
    path = filled(tmp_path / "t.sqlite")
    path.chmod(0o444)
    before = path.read_bytes()
    for args in READ:
        assert clean(run(*args, "--db", path)).exit_code == 0
    result = clean(run("resolve", workspace / "s.yaml", "--outcome", "deal", "--on", "2025-10-30", "--source", "x",
                       "--db", path))
    assert result.exit_code == 1 and "read-only" in result.stderr
    assert path.read_bytes() == before


def test_a_missing_directory_says_so(tmp_path, workspace):
    path = tmp_path / "no" / "such" / "t.sqlite"
    result = clean(run("resolve", workspace / "s.yaml", "--outcome", "deal", "--on", "2025-10-30", "--source", "x",
                       "--db", path))
    assert result.exit_code == 1 and "does not exist" in result.stderr and "corrupted" not in result.stderr


def test_reading_commands_never_create_a_database(tmp_path):
    path = tmp_path / "t.sqlite"
    assert "No forecasts recorded yet" in clean(run("history", "--db", path)).stdout
    assert clean(run("score", "--db", path)).exit_code == 0
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_score_plot_with_an_unknown_format_or_directory_is_a_clean_error(tmp_path):
    for target, words in ((tmp_path / "x.weird", "unknown chart format"), (tmp_path / "no" / "x.png", "cannot write")):
        result = clean(run("score", "--plot", target, "--db", tmp_path / "t.sqlite"))
        assert result.exit_code == 1 and words in result.stderr, result.output
