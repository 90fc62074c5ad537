"""The track record: every forecast made, resolutions, in an embedded SQLite database.

Versioned schema (``PRAGMA user_version``) with forward migrations; WAL journal; every write in
an immediate transaction, so concurrent writers queue instead of losing rows and a killed process
leaves the last committed state. A database from a newer schema is refused without being touched.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from negotiate.dates import parse_date
from negotiate.errors import REMEDY_AMEND, NegotiateError
from negotiate.evidence.forecast import PreviousForecast, RecordInfo, UpdateResult
from negotiate.userdirs import data_dir

DEFAULT_DB = "negotiate.sqlite"
OUTCOMES = ("deal", "no-deal", "void")

MIGRATIONS: list[str] = [
    # version 1
    """
    CREATE TABLE forecasts (
        id INTEGER PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        question TEXT NOT NULL,
        deadline TEXT NOT NULL,
        made_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        p REAL NOT NULL CHECK (p >= 0 AND p <= 1),
        lo REAL,
        hi REAL,
        model_version TEXT NOT NULL,
        input_hash TEXT NOT NULL,
        command TEXT NOT NULL
    );
    CREATE INDEX forecasts_by_scenario ON forecasts (scenario_id, as_of, made_at);
    CREATE TABLE resolutions (
        id INTEGER PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('deal', 'no-deal', 'void')),
        resolved_on TEXT NOT NULL,
        source TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        amends INTEGER REFERENCES resolutions (id),
        reason TEXT
    );
    CREATE INDEX resolutions_by_scenario ON resolutions (scenario_id, id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


# What makes two forecasts one: the same scenario, input bytes, as-of date and model.
_SAME_INPUT = "scenario_id = ? AND input_hash = ? AND as_of = ? AND model_version = ?"


def default_db() -> Path:
    """``$NEGOTIATE_DB``, else ``negotiate.sqlite`` in the user data directory (one track record wherever a
    command runs; ``~/.local/share/negotiate`` on Linux, or ``$NEGOTIATE_DATA``)."""
    if os.environ.get("NEGOTIATE_DB"):
        return Path(os.environ["NEGOTIATE_DB"])
    return data_dir() / DEFAULT_DB


@dataclass(frozen=True)
class Forecast:
    scenario_id: str
    question: str
    deadline: str
    as_of: str
    p: float
    lo: float | None
    hi: float | None
    model_version: str
    input_hash: str
    command: str
    made_at: str = ""
    id: int | None = None

    def summary(self) -> PreviousForecast:
        """What a later forecast shows of this one."""
        return {"p_deal": self.p, "made_at": self.made_at, "as_of": self.as_of}


@dataclass(frozen=True)
class Resolution:
    scenario_id: str
    outcome: str
    resolved_on: str
    source: str
    recorded_at: str = ""
    amends: int | None = None
    reason: str | None = None
    id: int | None = None


def _writable(path: Path) -> bool:
    """A write bit set and writable by this user (root included: ``chmod 444`` means read-only)."""
    return bool(path.stat().st_mode & 0o222) and os.access(path, os.W_OK)


def _real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _date_text(value: object) -> bool:
    try:
        parse_date(value)
    except ValueError:
        return False
    return isinstance(value, str)


def _forecast_problem(f: Forecast) -> str | None:
    """What is wrong with a forecast row (edited by hand or damaged), or None."""
    for name in ("scenario_id", "question", "model_version", "input_hash", "command", "made_at"):
        if not isinstance(getattr(f, name), str):
            return f"{name} is {_short(getattr(f, name))}; expected text"
    for name in ("as_of", "deadline"):
        if not _date_text(getattr(f, name)):
            return f"{name} is {_short(getattr(f, name))}; expected a date as YYYY-MM-DD"
    if not (_real(f.p) and 0 <= f.p <= 1):
        return f"p is {_short(f.p)}; expected a probability"
    for name in ("lo", "hi"):
        value = getattr(f, name)
        if value is not None and not (_real(value) and 0 <= value <= 1):
            return f"{name} is {_short(value)}; expected a probability or nothing"
    return None


def _resolution_problem(r: Resolution) -> str | None:
    for name in ("scenario_id", "source", "recorded_at"):
        if not isinstance(getattr(r, name), str):
            return f"{name} is {_short(getattr(r, name))}; expected text"
    if r.outcome not in OUTCOMES:
        return f"outcome is {_short(r.outcome)}; expected one of {', '.join(OUTCOMES)}"
    if not _date_text(r.resolved_on):
        return f"resolved_on is {_short(r.resolved_on)}; expected a date as YYYY-MM-DD"
    return None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class TrackRecord:
    """A connection to the track-record database, created and migrated on first use.

    Every failure is a ``NegotiateError`` that says what is wrong: a directory that does not exist,
    a read-only file, another application's database, a damaged file (SQLite's own error), a row whose
    values are not what negotiate writes (named by its id).

    Parameters
    ----------
    path : path
        The SQLite file (created when missing, unless ``readonly``).
    readonly : bool
        Only read (``history``, ``score``): a missing file is an empty record and is not created, and a
        read-only file (no write bit) can be read. Without it, a read-only file is refused.
    """

    def __init__(self, path: str | Path | None = None, readonly: bool = False):
        self.path = Path(path or default_db())
        self.readonly = readonly
        p = self.path
        if p.is_dir():
            raise NegotiateError(f"{p}: is a directory; expected a database file")
        if p.is_symlink() and not p.exists():
            raise NegotiateError(f"{p}: a link to a file that does not exist; expected a database file")
        empty = not p.exists() or p.stat().st_size == 0
        if readonly and empty:  # nothing recorded yet: an empty record in memory, no file made
            self.conn = sqlite3.connect(":memory:", isolation_level=None)
            self._migrate(0)
            return
        if not readonly:
            if path is None and not p.parent.exists():  # the user data directory, made on first record
                try:
                    p.parent.mkdir(parents=True)
                except OSError as exc:
                    raise NegotiateError(f"{p}: cannot create the user data directory ({exc.strerror})") from None
            if not p.parent.is_dir():
                raise NegotiateError(f"{p}: directory {p.parent} does not exist; expected an existing directory")
            if p.exists() and not _writable(p):
                raise NegotiateError(f"{p}: the database is read-only; it was left unchanged (make it writable to record "
                                     "in it, or choose another database)")
            if not p.exists() and not os.access(p.parent, os.W_OK):
                raise NegotiateError(f"{p}: cannot create the database: directory {p.parent} is not writable")
        try:
            if readonly:
                self.conn = sqlite3.connect(p.resolve().as_uri() + "?mode=ro", uri=True, timeout=60, isolation_level=None)
            else:
                self.conn = sqlite3.connect(p, timeout=60, isolation_level=None)
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise NegotiateError(f"{p}: not a negotiate database or corrupted ({exc}); "
                                 "expected the SQLite file written by negotiate (move it aside to start a new one)") from None
        if version > SCHEMA_VERSION:
            self.conn.close()
            raise NegotiateError(f"{p}: written by a newer negotiate (schema version {version}, this one "
                                 f"knows up to {SCHEMA_VERSION}); upgrade negotiate to use it. The file was not changed.")
        self._refuse_foreign(version)
        if readonly:
            if version < SCHEMA_VERSION:
                self.conn.close()
                raise NegotiateError(f"{p}: written by an older negotiate (schema version {version}); a command that "
                                     "records a forecast upgrades it")
            return
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise self._failure(exc) from None
        self._migrate(version)

    def _failure(self, exc: sqlite3.DatabaseError) -> NegotiateError:
        """What an SQLite error means for the person at hand."""
        text = str(exc)
        if "readonly" in text or "read-only" in text:
            return NegotiateError(f"{self.path}: the database or its directory is read-only; nothing was recorded "
                                  "(make both writable, or choose another database)")
        if "locked" in text or "busy" in text:
            return NegotiateError(f"{self.path}: another process has held the database for a minute; try again")
        if "disk is full" in text or "disk I/O" in text:
            return NegotiateError(f"{self.path}: cannot write the database ({text}); nothing was recorded")
        return NegotiateError(f"{self.path}: the track record is damaged ({text}); move it aside to start a new "
                              "one (negotiate never repairs it in place)")

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of a query; a damaged file or text that is not UTF-8 is a NegotiateError."""
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None

    def _refuse_foreign(self, version: int) -> None:
        """Refuse, untouched, an SQLite file that is neither empty nor a track record (another application's)."""
        try:
            tables = {row[0] for row in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")}
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise NegotiateError(f"{self.path}: not a negotiate database or corrupted ({exc}); expected the SQLite "
                                 "file written by negotiate (move it aside to start a new one)") from None
        ours = {"forecasts", "resolutions"}
        if (version == 0 and tables) or (version > 0 and not ours <= tables):
            self.conn.close()
            shown = ", ".join(sorted(map(str, tables))[:6]) + (", ..." if len(tables) > 6 else "")
            raise NegotiateError(f"{self.path}: not a negotiate database: an SQLite file with other tables ({shown}); "
                                 "it was left unchanged. Choose another file for the track record.")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> TrackRecord:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self):
        """An immediate (write-locking) transaction: committed on success, rolled back on error.

        SQLite's errors come out as NegotiateError (read-only, damaged, busy); nothing is then recorded.
        """
        if self.readonly and self.path.exists():
            raise NegotiateError(f"{self.path}: opened for reading only; nothing was recorded")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None
        try:
            yield self.conn
        except BaseException as exc:
            with suppress(sqlite3.DatabaseError):
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise self._failure(exc) from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            with suppress(sqlite3.DatabaseError):
                self.conn.execute("ROLLBACK")
            raise self._failure(exc) from None

    def _migrate(self, version: int) -> None:
        with self.transaction() as c:
            # re-read under the write lock: another process may have migrated meanwhile
            current = c.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in filter(str.strip, script.split(";")):
                    c.execute(statement)
                c.execute(f"PRAGMA user_version = {number}")

    # ---------------------------------------------------------------- forecasts

    def record(self, f: Forecast) -> int:
        """Store one forecast, once per distinct input; returns its id.

        A forecast of the same scenario and ledger bytes (``input_hash``), as-of date and model
        (``model_version``: package and fit key) as one already recorded is that forecast: its id is
        returned and nothing is written (``update`` then ``report`` of one input record one forecast).
        """
        with self.transaction() as c:
            same = c.execute("SELECT MIN(id) FROM forecasts WHERE " + _SAME_INPUT,
                             (f.scenario_id, f.input_hash, f.as_of, f.model_version)).fetchone()[0]
            if same is not None:
                return int(same)
            cur = c.execute(
                "INSERT INTO forecasts (scenario_id, question, deadline, made_at, as_of, p, lo, hi, model_version,"
                " input_hash, command) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (f.scenario_id, f.question, f.deadline, f.made_at or _now(), f.as_of, f.p, f.lo, f.hi,
                 f.model_version, f.input_hash, f.command))
            return int(cur.lastrowid)

    def forecasts(self, scenario_id: str | None = None) -> list[Forecast]:
        """Distinct forecasts in the order they were made (optionally of one scenario).

        Rows of one input (see ``record``) that an older version recorded more than once count once:
        the first made.
        """
        sql = ("SELECT scenario_id, question, deadline, as_of, p, lo, hi, model_version, input_hash, command,"
               " made_at, id FROM forecasts WHERE id IN (SELECT MIN(id) FROM forecasts"
               + (" WHERE scenario_id = ?" if scenario_id else "")
               + " GROUP BY scenario_id, input_hash, as_of, model_version) ORDER BY made_at, id")
        found = [Forecast(*r) for r in self._rows(sql, (scenario_id,) if scenario_id else ())]
        for f in found:
            problem = _forecast_problem(f)
            if problem:
                raise self._bad_row("forecast", f.id, problem)
        return found

    def _bad_row(self, kind: str, row_id: object, problem: str) -> NegotiateError:
        return NegotiateError(f"{self.path}: {kind} #{row_id}: {problem}; the database was edited or damaged "
                              "(correct or delete that row, or move the file aside to start a new one)")

    def previous(self, scenario_id: str, before: int | None = None) -> Forecast | None:
        """The most recently made forecast of a scenario (other than the one with id ``before``)."""
        found = [f for f in self.forecasts(scenario_id) if f.id != before]
        return found[-1] if found else None

    # ---------------------------------------------------------------- resolutions

    def resolutions(self, scenario_id: str | None = None) -> list[Resolution]:
        sql = ("SELECT scenario_id, outcome, resolved_on, source, recorded_at, amends, reason, id FROM resolutions"
               + (" WHERE scenario_id = ?" if scenario_id else "") + " ORDER BY id")
        found = [Resolution(*r) for r in self._rows(sql, (scenario_id,) if scenario_id else ())]
        for r in found:
            problem = _resolution_problem(r)
            if problem:
                raise self._bad_row("resolution", r.id, problem)
        return found

    def current_resolution(self, scenario_id: str) -> Resolution | None:
        found = self.resolutions(scenario_id)
        return found[-1] if found else None

    def resolved_questions(self) -> list[dict]:
        """Resolved (not void) questions with the forecasts made up to their resolution, for scoring."""
        questions = []
        ids = [row[0] for row in self._rows("SELECT DISTINCT scenario_id FROM resolutions ORDER BY scenario_id")]
        for sid in ids:
            r = self.current_resolution(sid)
            if r is None or r.outcome == "void":
                continue
            resolved = parse_date(r.resolved_on)
            made = sorted((f for f in self.forecasts(sid) if parse_date(f.as_of) <= resolved),
                          key=lambda f: (f.as_of, f.made_at, f.id))
            questions.append({"scenario_id": sid, "outcome": int(r.outcome == "deal"), "resolved_on": resolved,
                              "forecasts": [(parse_date(f.as_of), f.p) for f in made]})
        return questions

    def resolve(self, r: Resolution, amend: bool = False,
                also: Callable[[Resolution], object] | None = None) -> tuple[Resolution, bool]:
        """Record a resolution. A different second one needs ``amend`` and a reason; both are kept.

        ``also`` is called with the resolution in force inside the same transaction, after the row is
        written (or found already there): when it raises, nothing is recorded, so a step that must go
        with the resolution (adding the episode to the reference class) happens with it or not at all.

        Returns the resolution in force and whether a row was written.
        """
        if r.outcome not in OUTCOMES:
            raise NegotiateError(f"outcome {r.outcome!r}: expected one of {', '.join(OUTCOMES)}")
        with self.transaction() as c:
            row = c.execute("SELECT scenario_id, outcome, resolved_on, source, recorded_at, amends, reason, id"
                            " FROM resolutions WHERE scenario_id = ? ORDER BY id DESC LIMIT 1", (r.scenario_id,)).fetchone()
            current = Resolution(*row) if row else None
            if current and (current.outcome, current.resolved_on) == (r.outcome, r.resolved_on):
                if also is not None:
                    also(current)
                return current, False
            if current and not amend:
                raise NegotiateError(
                    f"{r.scenario_id} is already resolved as {current.outcome} on {current.resolved_on}"
                ).with_remedies(REMEDY_AMEND)
            if current and not (r.reason or "").strip():
                raise NegotiateError("an amended resolution needs a reason: say why the resolution changes")
            cur = c.execute(
                "INSERT INTO resolutions (scenario_id, outcome, resolved_on, source, recorded_at, amends, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r.scenario_id, r.outcome, r.resolved_on, r.source, _now(), current.id if current else None, r.reason))
            written = Resolution(r.scenario_id, r.outcome, r.resolved_on, r.source, "", current.id if current else None,
                                 r.reason, int(cur.lastrowid))
            if also is not None:
                also(written)  # raising rolls the row back
            return written, True


def input_hash(scenario) -> str:
    """Hash of what a forecast was made from: the scenario file and its ledger, byte for byte."""
    import hashlib

    h = hashlib.sha256()
    for path in (scenario.source_path, scenario.evidence_path()):
        h.update(path.read_bytes() if path is not None and path.exists() else b"")
        h.update(b"\0")
    return h.hexdigest()[:16]


def record_forecast(track: TrackRecord, scenario, forecast: UpdateResult, command: str, software: str) -> RecordInfo:
    """Store one forecast of ``scenario`` made by ``command`` (once per distinct input, see
    ``TrackRecord.record``); returns its id and the latest other forecast of the scenario.

    ``software`` names what made it (package version); the fit key is added from ``forecast``.
    """
    fid = track.record(Forecast(
        scenario.id, scenario.question, scenario.deadline.isoformat(), forecast["scenario"]["as_of"],
        forecast["p_deal"], forecast["interval"][0], forecast["interval"][1],
        f"{software}; fit {forecast['fit']['key']}", input_hash(scenario), command))
    previous = track.previous(scenario.id, before=fid)
    return {"id": fid, "db": str(track.path), "previous": None if previous is None else previous.summary()}
