"""The evidence ledger: dated events in a CSV (or YAML list) file, read with checks, appended safely.

Appends never rewrite what is there: under an exclusive lock, the existing bytes are copied
unchanged into a file beside the ledger, the new rows added, the copy flushed to disk and moved over
the ledger in one step. Two processes appending at once both land; a crash leaves the old ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from negotiate.dates import parse_date
from negotiate.errors import REMEDY_AFTER_AS_OF, REMEDY_DUPLICATE, NegotiateError, Problem
from negotiate.evidence.catalogue import Catalogue, catalogue_for
from negotiate.fileio import locked, replace_atomically
from negotiate.scenario.schema import Scenario, did_you_mean

FIELDS = ("date", "actor", "target", "type", "description", "source", "weight")
HEADER = ",".join(FIELDS)


class LedgerError(NegotiateError):
    """A ledger with problems, or an append that was refused; lists every problem."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.render(file) for p in problems))


@dataclass(frozen=True)
class Event:
    """One dated event of the ledger."""

    date: dt.date
    actor: str
    target: str
    type: str
    description: str
    source: str
    weight: float = 1.0

    def key(self) -> tuple:
        """What makes two events the same: date, actor, type and source."""
        return (self.date, self.actor, self.type, self.source.strip())

    def row(self) -> list[str]:
        return [self.date.isoformat(), self.actor, self.target, self.type, self.description,
                self.source, f"{self.weight:g}"]

    def to_dict(self) -> dict:
        return asdict(self) | {"date": self.date.isoformat()}


@dataclass(frozen=True)
class LedgerEntry:
    """An event with where it sits in the file."""

    event: Event
    line: int


def check_event(raw: dict, scenario: Scenario | None, catalogue: Catalogue, line: int | None) -> tuple[Event | None, list[Problem]]:
    """Validate one raw row (strings or YAML values) into an Event, collecting every problem."""
    problems = []
    values: dict[str, Any] = {k: raw.get(k) for k in FIELDS}

    def bad(field: str, message: str) -> None:
        problems.append(Problem((field,), message, line))

    date: dt.date | None
    try:
        date = parse_date(values["date"])
    except ValueError as exc:
        bad("date", str(exc))
        date = None
    actors = scenario.actors() if scenario else None
    for field in ("actor", "target"):
        value = str(values[field] or "").strip()
        if not value:
            bad(field, "empty; expected a party id")
        elif actors is not None and value not in actors:
            bad(field, f"found {value!r}; expected one of the parties or declared third parties: {', '.join(actors)}")
    etype = str(values["type"] or "").strip()
    if etype not in catalogue:
        bad("type", f"found {etype!r}, not in the event catalogue; {did_you_mean(etype, catalogue.names())}")
    if not str(values["description"] or "").strip():
        bad("description", "empty; expected a one-line description")
    if not str(values["source"] or "").strip():
        bad("source", "empty; expected a URL or a publication and date")
    weight_raw = values["weight"]
    weight = 1.0
    if weight_raw not in (None, ""):
        try:
            weight = float(weight_raw)
            if isinstance(weight_raw, bool) or not 0.0 < weight <= 1.0:
                raise ValueError
        except (TypeError, ValueError):
            bad("weight", f"found {weight_raw!r}; expected a number in (0, 1]")
    if actors is not None and values["actor"] and str(values["actor"]).strip() == str(values["target"] or "").strip():
        bad("target", "same as actor; expected an event between two sides")
    if problems or date is None:  # date is None only after a problem
        return None, problems
    return Event(date, str(values["actor"]).strip(), str(values["target"]).strip(), etype,
                 str(values["description"]).strip(), str(values["source"]).strip(), weight), []


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def _raw_rows(path: Path, text: str) -> list[tuple[dict, int]]:
    """Rows as dicts with their 1-based line numbers; raises LedgerError on a wrong header."""
    file = str(path)
    if _is_yaml(path):
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise LedgerError(file, [Problem((), f"YAML syntax error: {getattr(exc, 'problem', exc)}",
                                             mark.line + 1 if mark else None)]) from None
        if data is None or node is None:  # node is None only for an empty file, where data is None too
            return []
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise LedgerError(file, [Problem((), "expected a list of events, each a mapping of "
                                             + ", ".join(FIELDS), 1)])
        rows = []
        for item, raw in zip(node.value, data):
            unknown = set(raw) - set(FIELDS)
            if unknown:
                raise LedgerError(file, [Problem((sorted(unknown)[0],), f"unknown field; {did_you_mean(sorted(unknown)[0], list(FIELDS))}",
                                                 item.start_mark.line + 1)])
            rows.append((raw, item.start_mark.line + 1))
        return rows
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return []
    if tuple(h.strip() for h in header) != FIELDS:
        raise LedgerError(file, [Problem((), f"found header {','.join(header)!r}; expected {HEADER!r}", 1)])
    rows = []
    for record in reader:
        line = reader.line_num
        if not record:
            continue
        if len(record) != len(FIELDS):
            rows.append(({"__width__": len(record)}, line))
            continue
        rows.append((dict(zip(FIELDS, record)), line))
    return rows


def read_ledger(path: str | Path, scenario: Scenario | None = None) -> list[LedgerEntry]:
    """Every event of the ledger, checked; problems of all rows are reported at once.

    Parameters
    ----------
    path : path
        CSV with the header ``date,actor,target,type,description,source,weight``, or a YAML
        list of mappings with those fields. A missing file is an empty ledger.
    scenario : Scenario, optional
        Checks actors and targets against its parties and third parties, and types against its
        catalogue.

    Returns
    -------
    list of LedgerEntry
        In file order.
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LedgerError(str(path), [Problem((), "not UTF-8 text; expected a CSV or YAML ledger")]) from None
    catalogue = catalogue_for(scenario)
    entries, problems = [], []
    for raw, line in _raw_rows(path, text):
        if "__width__" in raw:
            problems.append(Problem((), f"found {raw['__width__']} fields; expected {len(FIELDS)} ({HEADER})", line))
            continue
        event, found = check_event(raw, scenario, catalogue, line)
        problems.extend(found)
        if event:
            entries.append(LedgerEntry(event, line))
    if problems:
        raise LedgerError(str(path), problems)
    return entries


def sorted_events(entries: list[LedgerEntry]) -> list[Event]:
    """Events in date order; events of one day keep their file order."""
    return [e.event for e in sorted(entries, key=lambda e: (e.event.date, e.line))]


def _render(path: Path, events: list[Event], newline: str, with_header: bool) -> str:
    if _is_yaml(path):
        return yaml.safe_dump([e.to_dict() for e in events], sort_keys=False, allow_unicode=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    if with_header:
        writer.writerow(FIELDS)
    for e in events:
        writer.writerow(e.row())
    return buffer.getvalue()


@dataclass(frozen=True)
class AppendResult:
    added: list[Event]
    duplicates: list[Event]
    after_as_of: list[Event]


def append_events(
    path: str | Path,
    events: list[Event],
    scenario: Scenario,
    allow_duplicate: bool = False,
    after_as_of: bool = False,
    skip_duplicates: bool = False,
) -> AppendResult:
    """Append events to the ledger atomically, keeping every existing byte.

    Parameters
    ----------
    path : path
        The ledger (created with its header when missing).
    events : list of Event
        Already checked events (see :func:`check_event`).
    scenario : Scenario
        For the as-of date and the checks of the existing rows.
    allow_duplicate : bool
        Accept events with the same date, actor, type and source as one already there.
    after_as_of : bool
        Accept events dated after the scenario's ``as_of`` (they are flagged when listed).
    skip_duplicates : bool
        Leave duplicates out instead of refusing the whole append (for imports).

    Raises
    ------
    LedgerError
        When a duplicate or a future event is refused; nothing is written then.
    """
    path = Path(path)
    if not path.parent.exists():
        raise LedgerError(str(path), [Problem((), f"directory {path.parent} does not exist; expected an existing directory")])
    with locked(path):
        existing = path.read_bytes() if path.exists() else b""
        seen = {e.event.key() for e in read_ledger(path, scenario)} if existing else set()
        problems, added, duplicates = [], [], []
        remedies: set[str] = set()
        future = [e for e in events if e.date > scenario.as_of]
        if future and not after_as_of:
            problems.append(Problem(("date",), f"{future[0].date} is after the scenario's as_of {scenario.as_of}; "
                                    "a forecast must not see the future"))
            remedies.add(REMEDY_AFTER_AS_OF)
        for e in events:
            if e.key() in seen and not allow_duplicate:
                if skip_duplicates:
                    duplicates.append(e)
                    continue
                problems.append(Problem((), f"duplicate of an event already in the ledger (same date {e.date}, "
                                        f"actor {e.actor}, type {e.type} and source)"))
                remedies.add(REMEDY_DUPLICATE)
            seen.add(e.key())
            added.append(e)
        if problems:
            raise LedgerError(str(path), problems).with_remedies(*remedies)
        if not added:
            return AppendResult([], duplicates, [])
        text = existing.decode("utf-8-sig") if existing else ""
        newline = "\r\n" if "\r\n" in text else "\n"
        tail = b"" if not existing or existing.endswith(b"\n") else newline.encode()
        if _is_yaml(path) and text.strip() in ("[]",):
            raise LedgerError(str(path), [Problem((), "an empty flow list ([]) cannot be appended to; delete it or write one event as a block list")])
        new = _render(path, added, newline, with_header=not existing).encode("utf-8")
        replace_atomically(path, existing + tail + new)
        return AppendResult(added, duplicates, [e for e in added if e.date > scenario.as_of])


def ledger_path(scenario: Scenario) -> Path:
    """The scenario's ledger file; an error when the scenario keeps none."""
    path = scenario.evidence_path()
    if path is None:
        raise NegotiateError(f"{scenario.source_path}: no evidence ledger; add `evidence: events.csv` "
                             "(a path relative to the scenario) to keep one")
    return path


def split_known(path: Path, events: list[Event], scenario: Scenario) -> tuple[list[Event], list[Event]]:
    """``events`` split into those new to the ledger at ``path`` and those already in it (same key)."""
    have = {e.event.key() for e in read_ledger(path, scenario)} if path.exists() else set()
    return [e for e in events if e.key() not in have], [e for e in events if e.key() in have]


def hypothetical_events(texts: list[str] | tuple[str, ...], scenario: Scenario) -> list[Event]:
    """Events written as ``DATE,ACTOR,TARGET,TYPE,DESCRIPTION[,SOURCE[,WEIGHT]]`` (CSV quoting), checked.

    For what-if questions: nothing is written anywhere. Raises LedgerError naming the text and field.
    """
    catalogue = catalogue_for(scenario)
    events, problems = [], []
    for text in texts:
        fields = next(csv.reader([text]), [])
        if not 5 <= len(fields) <= 7:
            problems.append(Problem((), f"event {text!r}: found {len(fields)} fields; expected "
                                        "DATE,ACTOR,TARGET,TYPE,DESCRIPTION (then optionally SOURCE,WEIGHT)"))
            continue
        raw = dict(zip(FIELDS, fields)) | ({} if len(fields) > 5 else {"source": "(hypothetical)"})
        event, found = check_event(raw, scenario, catalogue, None)
        problems += [Problem(p.path, f"{p.message} (in {text!r})") for p in found]
        if event is not None:
            events.append(event)
    if problems:
        raise LedgerError("what-if events", problems)
    return sorted(events, key=lambda e: e.date)
