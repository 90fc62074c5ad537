"""Importers for public event data: GDELT 2.0, ICEWS and POLECAT, into ledger events.

Each reader turns its file into a table with the same columns (date, actor and target codes, the
dataset's event code, description, source); ``to_events`` then filters and maps that table for
a scenario, vectorised with pandas. Malformed rows are counted and skipped, never fatal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from negotiate.errors import NegotiateError
from negotiate.evidence.ledger import Event
from negotiate.fileio import UnsafeFile, read_capped
from negotiate.scenario.schema import Scenario

FORMATS = ("gdelt", "icews", "polecat")


@dataclass
class ImportReport:
    """What an import read, kept, mapped and skipped (with reasons)."""

    format: str
    file: str
    read: int = 0
    kept: int = 0
    mapped: int = 0
    skipped: Counter = field(default_factory=Counter)
    events: list[Event] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"format": self.format, "file": self.file, "read": self.read, "kept": self.kept,
                "mapped": self.mapped, "skipped": dict(self.skipped)}


# An event data file is read whole: a day of GDELT 2.0 exports is well under this (zipped or unzipped).
MAX_IMPORT_BYTES = 256 * 1024 * 1024


def read_lines(path: Path) -> list[str]:
    """The file's lines; UTF-8, or Latin-1 for the older releases that use it. A zip file (as GDELT
    publishes its exports, ``.export.CSV.zip``) is read through: its one data file's lines. At most
    MAX_IMPORT_BYTES are read, of the file and of its unzipped data (an endless file or a zip bomb ends)."""
    try:
        raw = read_capped(path, MAX_IMPORT_BYTES, what="event data file")
    except UnsafeFile as exc:
        raise NegotiateError(f"{path}: {exc.strerror}; split it into smaller files") from None
    except FileNotFoundError:
        raise NegotiateError(f"{path}: file not found; expected an event data file") from None
    except IsADirectoryError:
        raise NegotiateError(f"{path}: is a directory; expected an event data file") from None
    except OSError as exc:
        raise NegotiateError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if raw.startswith(b"PK\x03\x04"):
        raw = _unzipped(path, raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return [line for line in text.splitlines() if line.strip()]


def _unzipped(path: Path, raw: bytes) -> bytes:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                names = ", ".join(m.filename for m in members) or "none"
                raise NegotiateError(f"{path}: a zip file with {len(members)} files ({names}); expected one event data file")
            with archive.open(members[0]) as member:
                data = member.read(MAX_IMPORT_BYTES + 1)
            if len(data) > MAX_IMPORT_BYTES:
                raise NegotiateError(f"{path}: {members[0].filename} unzips to more than {MAX_IMPORT_BYTES // 2**20} MB, "
                                     "the most an event data file may hold; split it into smaller files")
            return data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        raise NegotiateError(f"{path}: cannot read the zip file ({exc})") from None


def no_row_parses(path: Path, rows: list[str], width: int, what: str) -> NegotiateError:
    """The error for a file none of whose rows has the expected number of fields: it is not that format."""
    found = Counter(line.count("\t") + 1 for line in rows).most_common(1)[0][0]
    return NegotiateError(f"{path}: none of its {len(rows)} rows has {width} tab-separated fields (most have {found}); "
                          f"expected {what}")


def import_file(
    fmt: str,
    path: str | Path,
    scenario: Scenario,
    since: dt.date | None = None,
    until: dt.date | None = None,
    weight: float = 0.5,
) -> ImportReport:
    """Read an event data file and keep the events between the scenario's two parties.

    Parameters
    ----------
    fmt : {"gdelt", "icews", "polecat"}
    path : path
        GDELT 2.0 events export (tab-separated, 61 columns, no header), ICEWS event file
        (tab-separated, header) or POLECAT file (tab-separated, header).
    scenario : Scenario
    since, until : date, optional
        Date window; by default the 180 days up to the scenario's ``as_of``.
    weight : float
        Weight of every imported event (machine-coded events: 0.5 by default).

    Returns
    -------
    ImportReport
    """
    from negotiate.evidence.importers import gdelt, icews, polecat
    from negotiate.evidence.importers.mapping import to_events

    readers = {"gdelt": gdelt.read, "icews": icews.read, "polecat": polecat.read}
    if fmt not in readers:
        raise NegotiateError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if not 0.0 < weight <= 1.0:
        raise NegotiateError(f"weight {weight:g}: expected a number in (0, 1]")
    until = until or scenario.as_of
    since = since or (until - dt.timedelta(days=180))
    if since > until:
        raise NegotiateError(f"the window starts on {since}, after its end {until}; expected an ordered window")
    path = Path(path)
    report = ImportReport(fmt, str(path))
    table, code_kind = readers[fmt](path, report)
    to_events(table, code_kind, scenario, since, until, weight, report)
    return report
