"""The evidence ledger: dated events in a CSV (or YAML list) file, read with checks, appended safely.

Appends never rewrite what is there: under an exclusive lock, the existing bytes are copied
unchanged into a file beside the ledger, the new rows added, the copy flushed to disk and moved over
the ledger in one step. Two processes appending at once both land; a crash leaves the old ledger.
A ledger that is a symbolic link or read-only is refused (see ``negotiate.fileio``).

Whatever is appended reads back unchanged: CSV fields are quoted whenever they hold a delimiter, a
quote or any line break (``\r`` included), the reader takes fields up to the file size cap, and
YAML strings with control characters or Unicode line breaks are written double-quoted.

Spreadsheet formulas: a CSV text field that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (or with an apostrophe) is written with an apostrophe in front, so a spreadsheet that opens
the ledger shows it as text instead of evaluating it; the reader takes the apostrophe off again, so
the event reads back exactly as it was added (``neutralise``, ``unneutralise``).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from negotiate.dates import parse_date
from negotiate.errors import REMEDY_AFTER_AS_OF, REMEDY_DUPLICATE, REMEDY_OUTSIDE, NegotiateError, Problem
from negotiate.evidence.catalogue import Catalogue, catalogue_for
from negotiate.fileio import MAX_INPUT_BYTES, UnsafeFile, locked, read_capped, replace_atomically
from negotiate.scenario.schema import Scenario, did_you_mean
from negotiate.yamlsource import parse_yaml, reads_as_text

FIELDS = ("date", "actor", "target", "type", "description", "source", "weight")
HEADER = ",".join(FIELDS)
TEXT_FIELDS = ("actor", "target", "type", "description", "source")

# What a spreadsheet takes for the start of a formula (OWASP's list), and the escape in front of it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def neutralise(text: str) -> str:
    """``text`` as a CSV ledger stores it: an apostrophe in front when a spreadsheet would read a formula
    (or when it starts with an apostrophe already, so that ``unneutralise`` is exact)."""
    return TEXT_MARK + text if text.startswith(FORMULA_STARTS + (TEXT_MARK,)) else text


def unneutralise(text: str) -> str:
    """The inverse of ``neutralise``: one leading apostrophe off where neutralise would have put it."""
    if text.startswith(TEXT_MARK) and text[1:].startswith(FORMULA_STARTS + (TEXT_MARK,)):
        return text[1:]
    return text


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
                self.source, _number(self.weight)]

    def to_dict(self) -> dict:
        return asdict(self) | {"date": self.date.isoformat()}


def _number(x: float) -> str:
    """Short (``1``, ``0.5``) where that is exact, else every digit: the weight reads back equal."""
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


@dataclass(frozen=True)
class LedgerEntry:
    """An event with where it sits in the file."""

    event: Event
    line: int


def _shown(value: Any, limit: int = 60) -> str:
    """``value`` as a message shows it: repr of text, at most ``limit`` characters."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, set)):
        return "a list"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 4] + "...'"


def check_event(raw: dict, scenario: Scenario | None, catalogue: Catalogue, line: int | None) -> tuple[Event | None, list[Problem]]:
    """Validate one raw row (strings or YAML values) into an Event, collecting every problem."""
    problems = []
    values: dict[str, Any] = {k: raw.get(k) for k in FIELDS}

    def bad(field: str, message: str) -> None:
        problems.append(Problem((field,), message, line))

    for field in TEXT_FIELDS + ("date", "weight"):  # from YAML a value may be a list or a mapping
        if isinstance(values[field], (list, dict, set, bytes)):
            bad(field, f"found {_shown(values[field])}; expected " + ("a number" if field == "weight" else "text"))
            values[field] = None
    date: dt.date | None
    try:
        date = parse_date(values["date"])
    except ValueError:
        bad("date", f"found {_shown(values['date'] if values['date'] is not None else '')}; expected a date as YYYY-MM-DD")
        date = None
    actors = scenario.actors() if scenario else None
    for field in ("actor", "target"):
        value = str(values[field] or "").strip()
        if not value:
            bad(field, "empty; expected a party id")
        elif scenario is not None and actors is not None and value not in actors:
            ident = scenario.actor_id(value)  # a name or another case names the same actor
            if ident is not None:
                values[field] = ident
                continue
            names = scenario.actor_names()
            close = difflib.get_close_matches(value.casefold(), [n.casefold() for n in [*names, *names.values()]], 1, 0.6)
            hint = ""
            if close:
                match = scenario.actor_id(close[0])
                hint = f"; did you mean '{match}' ({names[match]})?" if match else ""
            listed = ", ".join(f"{i} ({n})" for i, n in names.items())
            bad(field, f"found {_shown(value)}; expected one of the parties or declared third parties: {listed}{hint}")
    etype = str(values["type"] or "").strip()
    if etype not in catalogue:
        bad("type", f"found {_shown(etype)}, not in the event catalogue; {did_you_mean(etype[:100], catalogue.names())}")
    if not str(values["description"] or "").strip():
        bad("description", "empty; expected a one-line description")
    if not str(values["source"] or "").strip():
        bad("source", "empty; expected a URL or a publication and date")
    for field in FIELDS:
        text = values[field]
        if isinstance(text, str) and not _encodable(text):
            bad(field, "not valid Unicode text (a byte that is not UTF-8, or a lone surrogate); expected text")
    weight_raw = values["weight"]
    weight = 1.0
    if weight_raw not in (None, ""):
        try:
            weight = float(weight_raw)
            if isinstance(weight_raw, bool) or not 0.0 < weight <= 1.0:
                raise ValueError
        except (TypeError, ValueError):
            bad("weight", f"found {_shown(weight_raw)}; expected a number in (0, 1]")
    if actors is not None and values["actor"] and str(values["actor"]).strip() == str(values["target"] or "").strip():
        bad("target", "same as actor; expected an event between two sides")
    if problems or date is None:  # date is None only after a problem
        return None, problems
    return Event(date, str(values["actor"]).strip(), str(values["target"]).strip(), etype,
                 str(values["description"]).strip(), str(values["source"]).strip(), weight), []


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def _raw_rows(path: Path, text: str) -> list[tuple[dict, int]]:
    """Rows as dicts with their 1-based line numbers; raises LedgerError on a wrong header."""
    file = str(path)
    if _is_yaml(path):
        doc = parse_yaml(text, file, LedgerError)  # bounded: aliases, values, nesting; dates stay text
        data = doc.data
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise LedgerError(file, [Problem((), "expected a list of events, each a mapping of "
                                             + ", ".join(FIELDS), doc.line(()))])
        rows = []
        for i, raw in enumerate(data):
            line = doc.line((i,)) or 1
            unknown = sorted(str(k) for k in raw if k not in FIELDS)
            if unknown:
                raise LedgerError(file, [Problem((_shown(unknown[0], 30),), f"unknown field; {did_you_mean(unknown[0], list(FIELDS))}",
                                                 line)])
            rows.append((raw, line))
        return rows
    limit = csv.field_size_limit(MAX_INPUT_BYTES)  # a field may be as long as the file (the default is 131,072)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            return []
        except csv.Error as exc:
            raise LedgerError(file, [Problem((), f"not a CSV ledger ({exc}); expected the header {HEADER!r}", 1)]) from None
        if tuple(h.strip() for h in header) != FIELDS:
            # a header of a few short names is a ledger's with a typo: show it; anything else may be
            # another file altogether (a scenario's evidence: can point anywhere): do not echo its contents
            if 2 <= len(header) <= 12 and all(re.fullmatch(r"[A-Za-z_ ]{1,30}", h) for h in header):
                found = f"found header {','.join(header)!r}"
            else:
                found = "found a first line that is not a ledger header (not shown: this may not be a ledger)"
            raise LedgerError(file, [Problem((), f"{found}; expected {HEADER!r}", 1)])
        rows = []
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # e.g. a quote opened and never closed
                raise LedgerError(file, [Problem((), f"broken CSV ({exc}); expected one quoted or plain field "
                                                 "between commas", start)]) from None
            line, start = start, reader.line_num + 1
            if not record:
                continue
            if len(record) != len(FIELDS):
                rows.append(({"__width__": len(record)}, line))
                continue
            raw = dict(zip(FIELDS, record))
            rows.append((raw | {f: unneutralise(raw[f]) for f in TEXT_FIELDS}, line))
        return rows
    finally:
        csv.field_size_limit(limit)


def _read_bytes(path: Path) -> bytes:
    """The ledger's bytes, at most MAX_INPUT_BYTES; a file that cannot be read is a LedgerError."""
    try:
        return read_capped(path, what="ledger")
    except UnsafeFile as exc:
        raise LedgerError(str(path), [Problem((), str(exc.strerror))]) from None
    except IsADirectoryError:
        raise LedgerError(str(path), [Problem((), "is a directory; expected a CSV or YAML ledger file")]) from None
    except FileNotFoundError:
        raise LedgerError(str(path), [Problem((), "not found (a broken link?); expected a CSV or YAML ledger file")]) from None
    except OSError as exc:
        raise LedgerError(str(path), [Problem((), f"cannot read the ledger ({exc.strerror or exc})")]) from None


def _read_text(path: Path) -> str:
    """The ledger's text: UTF-8 (a byte-order mark allowed)."""
    raw = _read_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LedgerError(str(path), [Problem((), f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                          "expected a CSV or YAML ledger")]) from None


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
    if not path.exists() and not path.is_symlink():
        return []
    text = _read_text(path)
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


class _LedgerDumper(yaml.SafeDumper):
    """Strings that PyYAML's plain or single-quoted styles would not give back unchanged go double-quoted."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    risky = not text.isprintable() or any(c in text for c in "\x85\u2028\u2029\ufeff")
    style = '"' if risky else (None if reads_as_text(text) else "'")  # '1e308' or 'no' stay text
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_LedgerDumper.add_representer(str, _represent_text)


def csv_field(text: str) -> str:
    """One CSV field, quoted when it holds a comma, a quote or any line break (the csv module leaves a lone
    carriage return unquoted, which no reader then reads back)."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _render(path: Path, events: list[Event], newline: str, with_header: bool) -> str:
    if _is_yaml(path):
        return yaml.dump([e.to_dict() for e in events], Dumper=_LedgerDumper, sort_keys=False, allow_unicode=True)
    lines = [HEADER] if with_header else []
    for e in events:
        row = dict(zip(FIELDS, e.row()))
        row |= {f: neutralise(row[f]) for f in TEXT_FIELDS}
        lines.append(",".join(csv_field(row[f]) for f in FIELDS))
    return "".join(line + newline for line in lines)


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
    create_outside: bool = False,
) -> AppendResult:
    """Append events to the ledger atomically, keeping every existing byte.

    Parameters
    ----------
    path : path
        The ledger (created with its header when missing).
    events : list of Event
        Already checked events (see ``check_event``).
    scenario : Scenario
        For the as-of date and the checks of the existing rows.
    allow_duplicate : bool
        Accept events with the same date, actor, type and source as one already there.
    after_as_of : bool
        Accept events dated after the scenario's ``as_of`` (they are flagged when listed).
    skip_duplicates : bool
        Leave duplicates out instead of refusing the whole append (for imports).
    create_outside : bool
        Start a missing ledger even outside the scenario file's folder (a scenario's ``evidence:``
        path could otherwise make a write land anywhere the user can write).

    Raises
    ------
    LedgerError
        When a duplicate or a future event is refused, or a new ledger would lie outside the
        scenario's folder; nothing is written then.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise LedgerError(str(path), [Problem((), f"directory {path.parent} does not exist; expected an existing directory")])
    home = scenario.source_path.parent if scenario.source_path else None
    if (not create_outside and home is not None and not path.exists() and not path.is_symlink()
            and not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(home))):
        raise LedgerError(str(path), [Problem((), f"no ledger there, and it lies outside the scenario's folder {home}; "
                                                  "expected a ledger beside the scenario or below it")]).with_remedies(REMEDY_OUTSIDE)
    try:
        return _append(path, events, scenario, allow_duplicate, after_as_of, skip_duplicates)
    except UnsafeFile as exc:
        raise LedgerError(str(path), [Problem((), str(exc.strerror))]) from None
    except OSError as exc:
        raise LedgerError(str(path), [Problem((), f"cannot write the ledger ({exc.strerror or exc}); it was left unchanged")]) from None


def _append(path: Path, events: list[Event], scenario: Scenario, allow_duplicate: bool, after_as_of: bool,
            skip_duplicates: bool) -> AppendResult:
    with locked(path):
        existing = _read_bytes(path) if path.exists() or path.is_symlink() else b""
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
        data = existing + tail + new
        if len(data) > MAX_INPUT_BYTES:
            raise LedgerError(str(path), [Problem((), f"the ledger would grow to {len(data):,} bytes, more than the "
                                                  f"{MAX_INPUT_BYTES:,} a ledger may hold; start a new ledger")])
        replace_atomically(path, data)
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
