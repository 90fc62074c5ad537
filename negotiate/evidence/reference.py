"""The reference class: past negotiations with dated events and a known outcome (DESIGN section 6).

A directory with ``episodes.csv`` (id, title, party_a, party_b, start, deadline, question, outcome,
resolved_on, source) and ``events.csv`` (episode plus the ledger fields). Loading checks every row
and reports all problems at once with file and line.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from negotiate.dates import parse_date
from negotiate.errors import NegotiateError, Problem
from negotiate.evidence.catalogue import Catalogue
from negotiate.evidence.ledger import FIELDS as EVENT_FIELDS
from negotiate.evidence.ledger import Event, LedgerError, check_event, read_ledger, sorted_events
from negotiate.scenario.schema import Scenario

EPISODE_FIELDS = ("id", "title", "party_a", "party_b", "start", "deadline", "question", "outcome",
                  "resolved_on", "source")
REFERENCE_EVENT_FIELDS = ("episode",) + EVENT_FIELDS
DEFAULT_REFERENCE = Path(__file__).resolve().parents[2] / "seeds" / "reference"


@dataclass(frozen=True)
class Episode:
    """One past negotiation with its question, deadline and outcome."""

    id: str
    title: str
    party_a: str
    party_b: str
    start: dt.date
    deadline: dt.date
    question: str
    outcome: int
    resolved_on: dt.date
    source: str
    events: tuple[Event, ...] = field(default=(), compare=False)


def _date(value: str, column: str, line: int, problems: list[Problem]) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.append(Problem((column,), str(exc), line))
        return None


def _rows(path: Path, header: tuple[str, ...]) -> list[tuple[dict, int]]:
    if not path.exists():
        raise NegotiateError(f"{path}: file not found; a reference directory holds episodes.csv and events.csv")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        found = next(reader, [])
        if tuple(h.strip() for h in found) != header:
            raise LedgerError(str(path), [Problem((), f"found header {','.join(found)!r}; expected {','.join(header)!r}", 1)])
        rows = []
        for record in reader:
            if record:
                if len(record) != len(header):
                    raise LedgerError(str(path), [Problem((), f"found {len(record)} fields; expected {len(header)}", reader.line_num)])
                rows.append((dict(zip(header, record)), reader.line_num))
        return rows


def load_reference(directory: str | Path = DEFAULT_REFERENCE) -> list[Episode]:
    """Episodes with their events, checked: dates, outcomes, sources, types, parties, order.

    Raises
    ------
    LedgerError
        With every problem found, each with its file and line.
    """
    directory = Path(directory)
    ep_path, ev_path = directory / "episodes.csv", directory / "events.csv"
    problems: dict[str, list[Problem]] = {str(ep_path): [], str(ev_path): []}
    episodes: dict[str, dict] = {}
    for raw, line in _rows(ep_path, EPISODE_FIELDS):
        p = problems[str(ep_path)]
        if raw["id"] in episodes:
            p.append(Problem(("id",), f"duplicate episode id {raw['id']!r}", line))
        dates = {c: _date(raw[c], c, line, p) for c in ("start", "deadline", "resolved_on")}
        if raw["outcome"].strip() not in ("0", "1"):
            p.append(Problem(("outcome",), f"found {raw['outcome']!r}; expected 1 (deal) or 0 (no deal)", line))
        for column in ("title", "question", "source", "party_a", "party_b"):
            if not raw[column].strip():
                p.append(Problem((column,), "empty; expected a value", line))
        if None not in dates.values() and not dates["start"] <= dates["deadline"]:
            p.append(Problem(("deadline",), f"found {dates['deadline']}, before start {dates['start']}", line))
        episodes[raw["id"]] = raw | dates | {"line": line, "events": []}
    catalogue = Catalogue()
    for raw, line in _rows(ev_path, REFERENCE_EVENT_FIELDS):
        p = problems[str(ev_path)]
        episode = episodes.get(raw["episode"])
        if episode is None:
            p.append(Problem(("episode",), f"unknown episode {raw['episode']!r}", line))
            continue
        event, found = check_event(raw, None, catalogue, line)
        p.extend(found)
        if event is None:
            continue
        if {event.actor, event.target} - {episode["party_a"], episode["party_b"]}:
            p.append(Problem(("actor",), f"{event.actor} -> {event.target} is not between the episode's parties "
                             f"{episode['party_a']} and {episode['party_b']}", line))
        if episode["deadline"] and event.date > episode["deadline"]:
            p.append(Problem(("date",), f"{event.date} is after the episode's deadline {episode['deadline']}", line))
        if episode["resolved_on"] and event.date > episode["resolved_on"]:
            p.append(Problem(("date",), f"{event.date} is after the episode's resolution {episode['resolved_on']}", line))
        episode["events"].append(event)
    found = [Problem(pr.path, pr.message, pr.line) for pr in problems[str(ep_path)]]
    if found:
        raise LedgerError(str(ep_path), found)
    if problems[str(ev_path)]:
        raise LedgerError(str(ev_path), problems[str(ev_path)])
    return [
        Episode(e["id"], e["title"], e["party_a"], e["party_b"], e["start"], e["deadline"], e["question"],
                int(e["outcome"]), e["resolved_on"], e["source"], tuple(sorted(e["events"], key=lambda x: x.date)))
        for e in episodes.values()
    ]


def add_episode(directory: str | Path, episode: Episode) -> None:
    """Append a resolved negotiation and its events to a reference directory (atomic, locked).

    Existing rows are kept byte for byte; an episode id already present is refused.
    """
    import io

    from negotiate.fileio import locked, replace_atomically

    directory = Path(directory)
    ep_path, ev_path = directory / "episodes.csv", directory / "events.csv"
    if not ep_path.exists() or not ev_path.exists():
        raise NegotiateError(f"{directory}: expected a reference directory with episodes.csv and events.csv")
    with locked(ep_path), locked(ev_path):
        existing = load_reference(directory)
        if any(e.id == episode.id for e in existing):
            raise NegotiateError(f"{ep_path}: episode {episode.id!r} is already in the reference class")

        def rows(values: list[list[str]]) -> bytes:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(values)
            return buffer.getvalue().encode()

        def tail(data: bytes) -> bytes:
            return data if data.endswith(b"\n") or not data else data + b"\n"

        ep_row = [episode.id, episode.title, episode.party_a, episode.party_b, episode.start.isoformat(),
                  episode.deadline.isoformat(), episode.question, str(episode.outcome),
                  episode.resolved_on.isoformat(), episode.source]
        ev_rows = [[episode.id] + e.row() for e in episode.events]
        # events first: an episode row never points at events that are not there yet
        replace_atomically(ev_path, tail(ev_path.read_bytes()) + rows(ev_rows))
        replace_atomically(ep_path, tail(ep_path.read_bytes()) + rows([ep_row]))


def hash_reference(h, directory: str | Path) -> None:
    """Feed a reference directory's two files (names and bytes; missing ones as empty) into ``h``."""
    for name in ("episodes.csv", "events.csv"):
        path = Path(directory) / name
        h.update(name.encode())
        h.update(path.read_bytes() if path.exists() else b"")


def episode_from_scenario(scenario: Scenario, outcome: str, on: dt.date, source: str) -> Episode:
    """The reference episode a resolved scenario makes: its question, deadline, outcome and ledger.

    Only events between the two parties and before the resolution are kept (the resolution is the
    deal's date, or the deadline when there was none).

    Raises
    ------
    NegotiateError
        For a void question, a deal after the deadline, or a ledger with nothing before the resolution.
    """
    if outcome == "void":
        raise NegotiateError("a void question has no outcome to learn from; not added to the reference class")
    if outcome == "deal" and on > scenario.deadline:
        raise NegotiateError(f"the deal came on {on}, after the deadline {scenario.deadline}: by the question's terms "
                             "that is no deal by the deadline; resolve it as no-deal to add it")
    path = scenario.evidence_path()
    resolved = on if outcome == "deal" else scenario.deadline
    events = [e for e in (sorted_events(read_ledger(path, scenario)) if path else [])
              if e.date < resolved and e.actor in scenario.parties and e.target in scenario.parties]
    if not events:
        raise NegotiateError("the ledger has no events before the resolution; nothing to learn from")
    a, b = scenario.party_ids
    return Episode(scenario.id, scenario.title, a, b, min(events[0].date, scenario.as_of), scenario.deadline,
                   scenario.question, int(outcome == "deal"), resolved, source, tuple(events))
