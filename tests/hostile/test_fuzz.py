"""A hypothesis fuzz test per reader: scenario YAML, ledger CSV and YAML, the track record (stored fits:
tests/hostile/test_fits.py). Each mutates a valid file in the ways careless editing and hostile files
do, and asserts a clean NegotiateError or success, never another exception, within a time budget."""

import datetime as dt
import sqlite3
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiate.errors import NegotiateError
from negotiate.evidence.ledger import read_ledger
from negotiate.record.track import Forecast, Resolution, TrackRecord
from negotiate.scenario.schema import load_scenario
from tests.conftest import FLAGSHIP
from tests.hostile.conftest import LEDGER

BUDGET = 10.0  # seconds a read may take, on a busy two-core machine
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TOKENS = ["&a", "*a", "&a [1, 2]", "<<: *a", "[", "]", "{", "}", "- ", ": ", "? ", "|", ">", "'", '"', "#", "%YAML 1.1",
          "---", "...", "~", "null", "yes", "no", "on", "off", "true", "1e308", "-1e308", ".inf", "-.inf", ".nan",
          "2025-02-30", "2025-13-45", "2025-10-23T25:00", "!!timestamp 2025-02-30", "!!binary abc", "!!float x",
          "!!python/object/apply:os.system ['true']", "!!set {a, b}", "!!omap [a: 1]", "0x1F", "0o17", "1_000",
          "12:30:00", "\t", "\r", "\x00", "\x85", "\u2028", "\ufeff", "\x1b[31m", "=cmd|' /C calc'!A0", "x" * 300,
          "[" * 60 + "]" * 60, "{a: " * 60 + "1" + "}" * 60, ",", ",,", '"a,b"', '"unclosed']


def mutate(data: st.DataObject, text: str) -> str:
    """Lines of ``text`` replaced, deleted, duplicated, re-indented, or cut, and tokens inserted anywhere."""
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 5), label="edits")):
        lines = lines or [""]
        at = data.draw(st.integers(0, max(len(lines) - 1, 0)), label="line")
        kind = data.draw(st.sampled_from(["insert", "replace value", "delete", "duplicate", "indent", "cut", "text"]),
                         label="kind")
        line = lines[at] if lines else ""
        if kind == "insert":
            col = data.draw(st.integers(0, len(line)), label="column")
            lines[at] = line[:col] + data.draw(st.sampled_from(TOKENS), label="token") + line[col:]
        elif kind == "replace value" and ":" in line:
            key = line[:line.index(":") + 1]
            lines[at] = key + " " + data.draw(st.sampled_from(TOKENS), label="value")
        elif kind == "replace value" and "," in line:
            cells = line.split(",")
            cells[data.draw(st.integers(0, len(cells) - 1), label="cell")] = data.draw(st.sampled_from(TOKENS), label="cell value")
            lines[at] = ",".join(cells)
        elif kind == "delete" and lines:
            del lines[at]
        elif kind == "duplicate" and lines:
            lines.insert(at, line)
        elif kind == "indent":
            lines[at] = " " * data.draw(st.integers(0, 7), label="spaces") + line.lstrip()
        elif kind == "cut":
            lines = lines[:at]
        else:
            lines[at] = data.draw(st.text(max_size=30), label="text")
    return "\n".join(lines)


def within_budget(read):
    start = time.monotonic()
    try:
        return read()
    except NegotiateError:
        return None
    finally:
        assert time.monotonic() - start < BUDGET


@FUZZ
@given(data=st.data())
def test_fuzz_scenario_yaml(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_text(mutate(data, FLAGSHIP.read_text()), encoding="utf-8", errors="surrogatepass")
        within_budget(lambda: load_scenario(path))


@FUZZ
@given(data=st.data(), yaml_ledger=st.booleans())
def test_fuzz_ledger(data, yaml_ledger):
    scenario = load_scenario(FLAGSHIP)
    with tempfile.TemporaryDirectory() as tmp:
        if yaml_ledger:
            import yaml

            events = [e.event.to_dict() for e in read_ledger(LEDGER, scenario)]
            text, path = yaml.safe_dump(events, sort_keys=False, allow_unicode=True), Path(tmp) / "events.yaml"
        else:
            text, path = LEDGER.read_text(), Path(tmp) / "events.csv"
        path.write_text(mutate(data, text), encoding="utf-8", errors="surrogatepass")
        within_budget(lambda: read_ledger(path, scenario))
        within_budget(lambda: read_ledger(path, None))


def _track_record(path: Path) -> bytes:
    with TrackRecord(path) as t:
        for k in range(30):
            t.record(Forecast(f"s{k % 3}", "Deal?", "2025-10-30", f"2025-10-{k % 28 + 1:02d}", 0.5, 0.4, 0.6, "m", f"h{k}",
                              "update"))
        for k in range(3):
            t.resolve(Resolution(f"s{k}", "deal", "2025-10-30", "src"))
        t.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


VALUES = [None, "", "x", "2025-02-30", "not a date", -1, 2, 0.5, float("inf"), b"\xff\xfe", "\x00", 2**62, "deal", "void"]
COLUMNS = {"forecasts": ["scenario_id", "question", "deadline", "made_at", "as_of", "p", "lo", "hi", "model_version",
                         "input_hash", "command"],
           "resolutions": ["scenario_id", "outcome", "resolved_on", "source", "recorded_at", "amends", "reason"]}


def _use(path: Path, readonly: bool) -> None:
    with TrackRecord(path, readonly=readonly) as t:
        t.forecasts()
        t.resolutions()
        t.resolved_questions()
        if not readonly:
            t.record(Forecast("s0", "Deal?", "2025-10-30", "2025-10-29", 0.7, 0.6, 0.8, "m", "new", "update"))
            t.resolve(Resolution("s9", "no-deal", "2025-10-30", "src"))


@FUZZ
@given(data=st.data())
def test_fuzz_track_record(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.sqlite"
        raw = bytearray(_track_record(path))
        if data.draw(st.booleans(), label="edit rows"):  # values an edit by hand can leave (CHECKs off)
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA ignore_check_constraints = ON")
            for _ in range(data.draw(st.integers(1, 4), label="edits")):
                table = data.draw(st.sampled_from(sorted(COLUMNS)), label="table")
                column = data.draw(st.sampled_from(COLUMNS[table]), label="column")
                with suppress(sqlite3.IntegrityError):  # a NOT NULL column stays filled
                    conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?",
                                 (data.draw(st.sampled_from(VALUES), label="value"), data.draw(st.integers(1, 4), label="id")))
            conn.commit()
            conn.close()
        else:  # bytes damaged anywhere past the header
            for _ in range(data.draw(st.integers(1, 4), label="damages")):
                at = data.draw(st.integers(100, len(raw) - 1), label="at")
                raw[at:at + data.draw(st.integers(1, 600), label="length")] = data.draw(st.binary(min_size=1, max_size=600))
            path.write_bytes(bytes(raw[:data.draw(st.integers(100, len(raw)), label="truncate at")]))
        readonly = data.draw(st.booleans(), label="readonly")
        within_budget(lambda: _use(path, readonly))
        assert dt.date.today()  # the process is still sound


IMPORTS = {"gdelt": "gdelt_sample.export.CSV", "icews": "icews_sample.tab", "polecat": "polecat_sample.txt"}


@FUZZ
@given(data=st.data(), fmt=st.sampled_from(sorted(IMPORTS)), zipped=st.booleans())
def test_fuzz_importers(data, fmt, zipped):
    """Each importer on a mutated sample (tab-separated cells replaced too), plain or zipped: a report of
    what was read and skipped, or a clean NegotiateError; the events it keeps are valid ledger events."""
    import zipfile

    from negotiate.evidence.importers import import_file
    from negotiate.evidence.ledger import check_event
    from tests.conftest import DATA

    scenario = load_scenario(FLAGSHIP)
    sample = (DATA / "importers" / IMPORTS[fmt]).read_text(encoding="utf-8")
    text = mutate(data, sample.replace("\t", ","))
    text = text.replace(",", "\t") if data.draw(st.booleans(), label="tabs back") else text
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / IMPORTS[fmt]
        if zipped:
            path = path.with_name(path.name + ".zip")
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr(IMPORTS[fmt], text.encode("utf-8", "surrogatepass"))
        else:
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        report = within_budget(lambda: import_file(fmt, path, scenario, since=dt.date(2025, 1, 1),
                                                   until=dt.date(2025, 10, 23)))
    if report is not None:
        from negotiate.evidence.catalogue import catalogue_for

        assert report.kept <= report.read and len(report.events) <= report.kept
        for e in report.events:
            event, problems = check_event(e.to_dict(), scenario, catalogue_for(scenario), None)
            assert not problems and event == e
