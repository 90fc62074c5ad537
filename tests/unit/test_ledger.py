import datetime as dt
import multiprocessing
import shutil

import pytest

from negotiate.evidence.ledger import (
    Event,
    LedgerError,
    append_events,
    read_ledger,
    sorted_events,
)
from negotiate.scenario.schema import load_scenario
from tests.conftest import FLAGSHIP, ROOT

LEDGER = ROOT / "seeds" / "us-china-kl-2025" / "events.csv"


@pytest.fixture
def workspace(tmp_path):
    """A copy of the flagship scenario with its ledger beside it."""
    text = FLAGSHIP.read_text().replace("evidence: ../seeds/us-china-kl-2025/events.csv", "evidence: events.csv")
    (tmp_path / "s.yaml").write_text(text)
    shutil.copy(LEDGER, tmp_path / "events.csv")
    return tmp_path


def event(day="2025-10-20", **kw):
    fields = dict(date=dt.date.fromisoformat(day), actor="US", target="CN", type="consult",
                  description="a call", source="https://example.org/a", weight=1.0)
    return Event(**(fields | kw))


def test_flagship_ledger_is_valid_and_before_as_of():
    scenario = load_scenario(FLAGSHIP)
    events = sorted_events(read_ledger(scenario.evidence_path(), scenario))
    assert len(events) >= 10
    assert all(e.date <= scenario.as_of for e in events)
    assert all(e.source.startswith(("http://", "https://")) for e in events)


def test_every_problem_is_reported_with_its_line(tmp_path):
    scenario = load_scenario(FLAGSHIP)
    path = tmp_path / "bad.csv"
    path.write_text(
        "date,actor,target,type,description,source,weight\n"
        "2025-10-01,US,CN,consult,ok,https://x,1\n"
        "2025-02-30,US,CN,consult,bad date,https://x,1\n"
        "2025-10-02,UK,CN,agre,two problems,https://x,0\n"
        "2025-10-03,US,CN,consult,too few fields\n"
    )
    with pytest.raises(LedgerError) as info:
        read_ledger(path, scenario)
    assert str(info.value).splitlines() == [
        f"{path}:3: date: found '2025-02-30'; expected a date as YYYY-MM-DD",
        f"{path}:4: actor: found 'UK'; expected one of the parties or declared third parties: US (United States), CN (China)",
        f"{path}:4: type: found 'agre', not in the event catalogue; did you mean 'agree'?",
        f"{path}:4: weight: found '0'; expected a number in (0, 1]",
        f"{path}:5: found 5 fields; expected 7 (date,actor,target,type,description,source,weight)",
    ]


def test_wrong_header(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("when,who\n")
    with pytest.raises(LedgerError, match="expected 'date,actor,target,type,description,source,weight'"):
        read_ledger(path)


def test_yaml_ledger_is_read_and_appended(tmp_path, workspace):
    scenario = load_scenario(workspace / "s.yaml")
    path = tmp_path / "events.yaml"
    path.write_text("- {date: 2025-10-01, actor: US, target: CN, type: consult, description: call, source: 'https://x'}\n")
    before = path.read_bytes()
    append_events(path, [event()], scenario)
    assert path.read_bytes().startswith(before)
    assert [e.event.description for e in read_ledger(path, scenario)] == ["call", "a call"]


def test_append_keeps_existing_bytes_and_adds_one_row(workspace):
    scenario = load_scenario(workspace / "s.yaml")
    path = workspace / "events.csv"
    before = path.read_bytes()
    append_events(path, [event()], scenario)
    after = path.read_bytes()
    assert after.startswith(before)
    assert after[len(before):] == b"2025-10-20,US,CN,consult,a call,https://example.org/a,1\n"


def test_crlf_and_missing_final_newline_are_respected(tmp_path, workspace):
    scenario = load_scenario(workspace / "s.yaml")
    path = tmp_path / "e.csv"
    path.write_bytes(b"date,actor,target,type,description,source,weight\r\n2025-10-01,US,CN,consult,x,https://x,1")
    append_events(path, [event()], scenario)
    assert path.read_bytes() == (b"date,actor,target,type,description,source,weight\r\n2025-10-01,US,CN,consult,x,https://x,1"
                                 b"\r\n2025-10-20,US,CN,consult,a call,https://example.org/a,1\r\n")


def test_duplicate_is_refused_and_nothing_written(workspace):
    scenario = load_scenario(workspace / "s.yaml")
    path = workspace / "events.csv"
    append_events(path, [event()], scenario)
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="duplicate of an event already in the ledger"):
        append_events(path, [event(description="other words")], scenario)
    assert path.read_bytes() == before
    append_events(path, [event()], scenario, allow_duplicate=True)
    assert len(path.read_bytes()) > len(before)


def test_future_event_needs_permission(workspace):
    scenario = load_scenario(workspace / "s.yaml")
    path = workspace / "events.csv"
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="after the scenario's as_of 2025-10-23"):
        append_events(path, [event("2025-10-26")], scenario)
    assert path.read_bytes() == before
    result = append_events(path, [event("2025-10-26")], scenario, after_as_of=True)
    assert result.after_as_of == result.added


def test_new_ledger_gets_a_header(tmp_path, workspace):
    scenario = load_scenario(workspace / "s.yaml")
    path = tmp_path / "fresh.csv"
    append_events(path, [event()], scenario)
    assert path.read_text().splitlines()[0] == "date,actor,target,type,description,source,weight"


def _append_many(args):
    scenario_path, ledger, worker = args
    scenario = load_scenario(scenario_path)
    for k in range(15):
        append_events(ledger, [event(source=f"https://example.org/{worker}/{k}")], scenario)


def test_two_processes_appending_at_once_both_land(workspace):
    ledger = workspace / "events.csv"
    before = len(read_ledger(ledger))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_append_many, [(workspace / "s.yaml", ledger, w) for w in range(2)])
    entries = read_ledger(ledger)
    assert len(entries) == before + 30
    assert {e.event.source for e in entries} >= {f"https://example.org/{w}/{k}" for w in range(2) for k in range(15)}
