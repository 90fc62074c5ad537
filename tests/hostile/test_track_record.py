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
