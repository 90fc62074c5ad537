"""The reference class: past negotiations with dated events and a known outcome (DESIGN section 6).

A directory with ``episodes.csv`` and ``events.csv`` (episode plus the ledger fields); the columns
are documented in ``seeds/reference/README.md``. Version 2 adds ``domain``, ``deadline_kind``,
``cluster`` and ``summit_at_deadline`` to the episodes; files of version 1 (without them) still load,
each episode then its own cluster. Loading checks every row and reports all problems at once with
file and line; ``check_reference`` adds the curation rules of the shipped class.

The shipped class (``DEFAULT_REFERENCE``) is read-only: it is package data of an installed
distribution, built from ``seeds/reference`` (its one copy in the repository, read directly from a
source checkout). A user's additions (``resolve --add-to-reference``) go to ``reference/`` in the user
data directory (``negotiate.userdirs.data_dir``), and wherever the shipped class is read, those
additions are read with it (``reference_dirs``).
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import datetime as dt
import importlib.resources
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from negotiate.dates import parse_date
from negotiate.errors import NegotiateError, Problem
from negotiate.evidence.catalogue import Catalogue
from negotiate.evidence.ledger import FIELDS as EVENT_FIELDS
from negotiate.evidence.ledger import Event, LedgerError, check_event, neutralise, read_ledger, sorted_events, unneutralise
from negotiate.scenario.ledger_file import existing_ledger
from negotiate.scenario.schema import DEADLINE_KINDS, DOMAINS, Scenario
from negotiate.userdirs import data_dir

EPISODE_FIELDS_V1 = ("id", "title", "party_a", "party_b", "start", "deadline", "question", "outcome",
                     "resolved_on", "source")
EPISODE_FIELDS = EPISODE_FIELDS_V1 + ("domain", "deadline_kind", "cluster", "summit_at_deadline")
REFERENCE_EVENT_FIELDS = ("episode",) + EVENT_FIELDS


def _shipped_reference() -> Path:
    """The reference class that comes with negotiate: package data when installed, seeds/reference in a checkout."""
    data = importlib.resources.files("negotiate.evidence") / "data" / "reference"
    if data.is_dir():
        if isinstance(data, Path):
            return data
        # imported from a zip file: extract the two files once, for the life of the process
        stack = contextlib.ExitStack()
        atexit.register(stack.close)
        return stack.enter_context(importlib.resources.as_file(data))
    return Path(__file__).resolve().parents[2] / "seeds" / "reference"


DEFAULT_REFERENCE = _shipped_reference()

MIN_EVENTS = 6  # per episode in the shipped class: fewer says too little about the run-up


@dataclass(frozen=True)
class Episode:
    """One past negotiation with its question, deadline, outcome and attributes known at its start."""

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
    domain: str = "other"
    deadline_kind: str = "other"
    cluster: str = ""  # rounds of one dispute share it; empty means the episode's own id
    summit_at_deadline: bool = False

    @property
    def group(self) -> str:
        """The cluster, or the episode's own id when it has none: the unit of cross-validation."""
        return self.cluster or self.id


def _date(value: str, column: str, line: int, problems: list[Problem]) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.append(Problem((column,), str(exc), line))
        return None


def _rows(path: Path, *headers: tuple[str, ...]) -> list[tuple[dict, int]]:
    """Rows of a CSV file whose header is one of ``headers`` (the newest first), with their lines."""
    if not path.exists():
        raise NegotiateError(f"{path}: file not found; a reference directory holds episodes.csv and events.csv")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        found = tuple(h.strip() for h in next(reader, []))
        if found not in headers:
            raise LedgerError(str(path), [Problem((), f"found header {','.join(found)!r}; expected {','.join(headers[0])!r}", 1)])
        header = found
        rows = []
        for record in reader:
            if record:
                if len(record) != len(header):
                    raise LedgerError(str(path), [Problem((), f"found {len(record)} fields; expected {len(header)}", reader.line_num)])
                rows.append(({h: unneutralise(v) for h, v in zip(header, record)}, reader.line_num))
        return rows


def user_reference_dir() -> Path:
    """Where a user's additions to the shipped class are written: ``reference/`` in the user data directory."""
    return data_dir() / "reference"


def _is_shipped(directory: str | Path) -> bool:
    return Path(directory).resolve() == DEFAULT_REFERENCE.resolve()


def reference_dirs(directory: str | Path = DEFAULT_REFERENCE) -> list[Path]:
    """The directories read for ``directory``: the shipped class comes with the user's additions, if any."""
    dirs = [Path(directory)]
    additions = user_reference_dir()
    if _is_shipped(directory) and (additions / "episodes.csv").is_file():
        dirs.append(additions)
    return dirs


def load_reference(directory: str | Path = DEFAULT_REFERENCE, additions: bool = True) -> list[Episode]:
    """Episodes with their events, checked: dates, outcomes, sources, types, parties, order.

    The shipped class is read together with the user's additions (``additions=False``: alone).

    Raises
    ------
    LedgerError
        With every problem found, each with its file and line.
    """
    dirs = reference_dirs(directory) if additions else [Path(directory)]
    episodes = _load_directory(dirs[0])
    for extra in dirs[1:]:
        known = {e.id for e in episodes}
        added = _load_directory(extra)
        clash = [Problem(("id",), f"episode {e.id!r} is also in {dirs[0]}; expected each episode once")
                 for e in added if e.id in known]
        if clash:
            raise LedgerError(str(extra / "episodes.csv"), clash)
        episodes += added
    return episodes


def _load_directory(directory: Path) -> list[Episode]:
    """The episodes of one reference directory."""
    ep_path, ev_path = directory / "episodes.csv", directory / "events.csv"
    problems: dict[str, list[Problem]] = {str(ep_path): [], str(ev_path): []}
    episodes: dict[str, dict] = {}
    for raw, line in _rows(ep_path, EPISODE_FIELDS, EPISODE_FIELDS_V1):
        p = problems[str(ep_path)]
        if raw["id"] in episodes:
            p.append(Problem(("id",), f"duplicate episode id {raw['id']!r}", line))
        _check_attributes(raw, line, p)
        dates = {c: _date(raw[c], c, line, p) for c in ("start", "deadline", "resolved_on")}
        if raw["outcome"].strip() not in ("0", "1"):
            p.append(Problem(("outcome",), f"found {raw['outcome']!r}; expected 1 (deal) or 0 (no deal)", line))
        for column in ("title", "question", "source", "party_a", "party_b"):
            if not raw[column].strip():
                p.append(Problem((column,), "empty; expected a value", line))
        start, deadline = dates["start"], dates["deadline"]
        if start is not None and deadline is not None and not start <= deadline:
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
                int(e["outcome"]), e["resolved_on"], e["source"], tuple(sorted(e["events"], key=lambda x: x.date)),
                e.get("domain") or "other", e.get("deadline_kind") or "other", (e.get("cluster") or "").strip(),
                e.get("summit_at_deadline", "0").strip() == "1")
        for e in episodes.values()
    ]


def _check_attributes(raw: dict, line: int, p: list[Problem]) -> None:
    """The version-2 columns, when the file has them."""
    if "domain" not in raw:
        return
    for column, allowed in (("domain", DOMAINS), ("deadline_kind", DEADLINE_KINDS)):
        if raw[column].strip() not in allowed:
            p.append(Problem((column,), f"found {raw[column]!r}; expected one of: {', '.join(allowed)}", line))
    if not raw["cluster"].strip():
        p.append(Problem(("cluster",), "empty; expected a cluster id (the episode's own id when it stands alone)", line))
    if raw["summit_at_deadline"].strip() not in ("0", "1"):
        p.append(Problem(("summit_at_deadline",), f"found {raw['summit_at_deadline']!r}; expected 1 or 0", line))


def check_reference(directory: str | Path = DEFAULT_REFERENCE, min_events: int = MIN_EVENTS) -> list[str]:
    """Curation rules of a reference class beyond what loading checks; the problems found, one line each.

    Every episode: a cluster, a deadline on or after its start, a resolution on the deadline when
    there was no deal and on or before it when there was, at least ``min_events`` events. Every
    event: on or after the episode's start and strictly before its resolution (an event on the day
    the outcome was settled is the outcome or a report of it), between the episode's two parties,
    typed from the catalogue, with a source, and not a duplicate row. Loading errors (bad dates, unknown types, strangers) come first, as raised.
    One directory is checked: the shipped class without the user's additions.

    Raises
    ------
    LedgerError
        When the files cannot be loaded at all.
    """
    directory = Path(directory)
    episodes = load_reference(directory, additions=False)
    ep_file, ev_file = directory / "episodes.csv", directory / "events.csv"
    found: list[str] = []
    lines = {raw["id"]: line for raw, line in _rows(ep_file, EPISODE_FIELDS, EPISODE_FIELDS_V1)}
    header = tuple(next(csv.reader(ep_file.read_text(encoding="utf-8-sig").splitlines()), []))
    if header != EPISODE_FIELDS:
        found.append(f"{ep_file}:1: header: found the version-1 columns; expected {','.join(EPISODE_FIELDS)} "
                     "(domain, deadline_kind, cluster and summit_at_deadline on every row)")
    for e in episodes:
        where = f"{ep_file}:{lines[e.id]}: {e.id}"
        if e.outcome == 0 and e.resolved_on != e.deadline:
            found.append(f"{where}: resolved_on {e.resolved_on}; expected the deadline {e.deadline} for an episode without a deal")
        if e.outcome == 1 and not e.start <= e.resolved_on <= e.deadline:
            found.append(f"{where}: resolved_on {e.resolved_on}; expected a deal announced between start {e.start} "
                         f"and the deadline {e.deadline}")
        if len(e.events) < min_events:
            found.append(f"{where}: {len(e.events)} events; expected at least {min_events} before the resolution")
    by_id = {e.id: e for e in episodes}
    seen: Counter[tuple] = Counter()
    for raw, line in _rows(ev_file, REFERENCE_EVENT_FIELDS):
        e = by_id[raw["episode"]]
        where = f"{ev_file}:{line}: {e.id}"
        date = parse_date(raw["date"])
        key = tuple(v.strip() for v in raw.values())
        seen[key] += 1
        if seen[key] == 2:
            found.append(f"{where}: duplicate row; expected each event once")
        if date < e.start:
            found.append(f"{where}: event on {date}, before the episode's start {e.start}")
        if date >= e.resolved_on:
            found.append(f"{where}: event on {date}, not before the resolution {e.resolved_on}: "
                         "the outcome itself or a report of it does not belong in the run-up")
    return found


def add_episode(directory: str | Path, episode: Episode, replace: bool = False) -> Path:
    """Append a resolved negotiation and its events to a reference directory (atomic, locked); that directory.

    Additions to the shipped class go to ``user_reference_dir`` (created on first use), never into
    the installed package. Existing rows are kept byte for byte; an episode id already present (in
    the shipped class or the additions) is refused, unless ``replace`` (an amended resolution): then
    its rows in that directory are replaced by the new ones (the shipped class's own are never changed).
    """
    import io

    from negotiate.fileio import locked, replace_atomically

    shipped = _is_shipped(directory)
    directory = user_reference_dir() if shipped else Path(directory)
    ep_path, ev_path = directory / "episodes.csv", directory / "events.csv"
    if shipped:
        _refuse_known(load_reference(DEFAULT_REFERENCE), episode, ep_path)  # before any file is made
        directory.mkdir(parents=True, exist_ok=True)
        for path, header in ((ep_path, EPISODE_FIELDS), (ev_path, REFERENCE_EVENT_FIELDS)):
            if not path.exists():
                with locked(path):
                    if not path.exists():
                        replace_atomically(path, (",".join(header) + "\n").encode())
    if not ep_path.exists() or not ev_path.exists():
        raise NegotiateError(f"{directory}: expected a reference directory with episodes.csv and events.csv")
    with locked(ep_path), locked(ev_path):
        known = load_reference(DEFAULT_REFERENCE if shipped else directory)
        ep_bytes, ev_bytes = ep_path.read_bytes(), ev_path.read_bytes()
        if replace and any(e.id == episode.id for e in known):
            ep_bytes, found = _without_rows(ep_bytes, "id", episode.id)
            if not found:
                raise NegotiateError(f"{ep_path}: episode {episode.id!r} is in the shipped reference class, which "
                                     "is never changed; it cannot be amended there")
            ev_bytes, _ = _without_rows(ev_bytes, "episode", episode.id)
        else:
            _refuse_known(known, episode, ep_path)

        def rows(values: list[list[str]]) -> bytes:
            buffer = io.StringIO()
            # the same policy as ledgers: text a spreadsheet would run as a formula gets an apostrophe in front
            csv.writer(buffer, lineterminator="\n").writerows([[neutralise(v) for v in row] for row in values])
            return buffer.getvalue().encode()

        def tail(data: bytes) -> bytes:
            return data if data.endswith(b"\n") or not data else data + b"\n"

        ep_row = [episode.id, episode.title, episode.party_a, episode.party_b, episode.start.isoformat(),
                  episode.deadline.isoformat(), episode.question, str(episode.outcome),
                  episode.resolved_on.isoformat(), episode.source]
        if ep_path.read_text(encoding="utf-8-sig").startswith(",".join(EPISODE_FIELDS)):
            ep_row += [episode.domain, episode.deadline_kind, episode.group, str(int(episode.summit_at_deadline))]
        ev_rows = [[episode.id] + e.row() for e in episode.events]
        limit = csv.field_size_limit()  # what the reference reader takes in one field
        for row in [ep_row, *ev_rows]:
            if any(len(value) > limit for value in row):
                raise NegotiateError(f"{ep_path}: episode {episode.id!r} has a field of more than {limit:,} characters, "
                                     "more than the reference class reads; shorten it")
        # events first: an episode row never points at events that are not there yet
        replace_atomically(ev_path, tail(ev_bytes) + rows(ev_rows))
        replace_atomically(ep_path, tail(ep_bytes) + rows([ep_row]))
    return directory


def _without_rows(data: bytes, column: str, value: str) -> tuple[bytes, bool]:
    """``data`` (a CSV file with a header) without the rows whose ``column`` is ``value``, every other byte
    kept; and whether any row was taken out."""
    import io

    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    lines = io.StringIO(data[len(bom):].decode("utf-8"), newline="").readlines()
    reader = csv.reader(iter(lines))
    header = [h.strip() for h in next(reader, [])]
    if column not in header:
        return data, False
    at, kept, start, found = header.index(column), lines[:reader.line_num], reader.line_num, False
    for record in reader:
        end = reader.line_num
        if len(record) > at and record[at].strip() == value:
            found = True
        else:
            kept += lines[start:end]
        start = end
    return bom + "".join(kept).encode("utf-8"), found


def _refuse_known(existing: list[Episode], episode: Episode, ep_path: Path) -> None:
    if any(e.id == episode.id for e in existing):
        raise NegotiateError(f"{ep_path}: episode {episode.id!r} is already in the reference class")


def hash_reference(h, directory: str | Path) -> None:
    """Feed a reference directory's two files (names and bytes; missing ones as empty) into ``h``.

    For the shipped class, the user's additions follow, when there are any.
    """
    for i, d in enumerate(reference_dirs(directory)):
        if i:
            h.update(b"additions")
        for name in ("episodes.csv", "events.csv"):
            path = d / name
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
    path = existing_ledger(scenario)
    resolved = on if outcome == "deal" else scenario.deadline
    events = [e for e in (sorted_events(read_ledger(path, scenario)) if path else [])
              if e.date < resolved and e.actor in scenario.parties and e.target in scenario.parties]
    if not events:
        raise NegotiateError("the ledger has no events before the resolution; nothing to learn from")
    a, b = scenario.party_ids
    setting = scenario.setting
    return Episode(scenario.id, scenario.title, a, b, min(events[0].date, scenario.as_of), scenario.deadline,
                   scenario.question, int(outcome == "deal"), resolved, source, tuple(events),
                   setting.domain, setting.deadline_kind, scenario.id, setting.summit_at_deadline)
