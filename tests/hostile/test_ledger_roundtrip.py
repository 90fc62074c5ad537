"""Whatever `evidence add` and `evidence import` accept, the ledger reader reads back, unchanged."""

import csv
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiate.evidence.catalogue import catalogue_for
from negotiate.evidence.ledger import append_events, check_event, read_ledger
from negotiate.scenario.schema import load_scenario
from tests.hostile.conftest import ADD, copy_flagship, run


def test_a_carriage_return_in_a_description_reads_back(workspace):
    s = workspace / "s.yaml"
    args = list(ADD)
    args[args.index("--description") + 1] = "a\rb"
    assert run("evidence", "add", s, *args).exit_code == 0
    listed = run("evidence", "list", s)
    assert listed.exit_code == 0, listed.output
    args[args.index("--date") + 1] = "2025-10-21"
    assert run("evidence", "add", s, *args).exit_code == 0  # and the ledger still takes rows
    descriptions = [e.event.description for e in read_ledger(workspace / "events.csv", load_scenario(s))]
    assert descriptions.count("a\rb") == 2


def test_a_field_over_the_csv_modules_limit_reads_back(workspace):
    s = load_scenario(workspace / "s.yaml")
    long = "x" * (csv.field_size_limit() + 10)
    raw = dict(date="2025-10-20", actor="US", target="CN", type="consult", description=long,
               source="https://example.org/long", weight="0.5")
    event, problems = check_event(raw, s, catalogue_for(s), None)
    assert not problems
    append_events(workspace / "events.csv", [event], s)
    assert any(e.event.description == long for e in read_ledger(workspace / "events.csv", s))
    assert run("evidence", "list", workspace / "s.yaml").exit_code == 0


def test_a_description_that_is_not_unicode_text_is_refused_cleanly(workspace):
    args = list(ADD)
    args[args.index("--description") + 1] = "bad \udcff byte"  # what a non-UTF-8 argument becomes
    result = run("evidence", "add", workspace / "s.yaml", *args)
    assert result.exit_code == 1 and "description" in result.stderr, result.output


TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "-2", "'=quoted", "''", "'", "\t=x", "\r", "a\r\nb", "\x85", "\u2028",
     "\ufeffbom", "\x00", "\"", "a,b", " lead", "=HYPERLINK(\"http://x\")", "1e308", "yes", "no", "2025-02-30",
     "~", "null", "0x1F", "1_000", ".inf", "12:30", "<<", "*a", "&a x", "!!python/object x", "- x", "? x", "# x"])
WEIGHT = st.floats(min_value=0.0, max_value=1.0, exclude_min=True) | st.sampled_from(["1", "0.5", "1e-3", ""])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(description=TEXT, source=TEXT, weight=WEIGHT, yaml_ledger=st.booleans())
def test_accepted_events_read_back_unchanged(description, source, weight, yaml_ledger):
    with tempfile.TemporaryDirectory() as tmp:
        name = "events.yaml" if yaml_ledger else "events.csv"
        s = load_scenario(copy_flagship(Path(tmp), name, copy_ledger=False))
        raw = dict(date="2025-10-20", actor="US", target="CN", type="consult", description=description,
                   source=source, weight=str(weight))
        event, problems = check_event(raw, s, catalogue_for(s), None)
        if event is None:
            assert problems
            return
        path = s.evidence_path()
        first = dt.date(2025, 10, 19)
        append_events(path, [event.__class__(**(event.__dict__ | {"date": first}))], s)  # a new ledger
        append_events(path, [event], s)  # an existing one
        back = [e.event for e in read_ledger(path, s)]
        assert [(e.description, e.source, e.weight) for e in back] == [(event.description, event.source, event.weight)] * 2
