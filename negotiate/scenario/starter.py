"""The commented starter scenario written by ``negotiate new``, with an empty ledger beside it."""

from __future__ import annotations

import contextlib
from importlib.resources import files
from pathlib import Path

from negotiate.errors import REMEDY_OVERWRITE, NegotiateError
from negotiate.fileio import replace_atomically

_TEMPLATES = files("negotiate.scenario").joinpath("templates")


def starter_text() -> str:
    """The starter scenario as YAML text, comments included."""
    return _TEMPLATES.joinpath("starter.yaml").read_text(encoding="utf-8")


def starter_ledger(path: str | Path) -> Path:
    """The ledger the starter scenario at ``path`` names: ``<stem>.events.csv`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.events.csv")


def write_starter(path: str | Path, overwrite: bool = False) -> Path:
    """Write the starter scenario to ``path``, and its ledger (the header only) beside it unless one is there.

    An existing scenario is replaced only when asked; an existing ledger is never touched. The
    scenario is written aside and moved into place, so an interrupted write never leaves half a
    scenario.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise NegotiateError(f"{path}: file exists; expected a new path").with_remedies(REMEDY_OVERWRITE)
    if not path.parent.exists():
        raise NegotiateError(f"{path}: directory {path.parent} does not exist; expected an existing directory")
    ledger = starter_ledger(path)
    text = starter_text().replace("evidence: events.csv", f"evidence: {ledger.name}", 1)
    try:
        replace_atomically(path, text.encode("utf-8"))
        with contextlib.suppress(FileExistsError), open(ledger, "x", encoding="utf-8", newline="") as handle:
            handle.write(_TEMPLATES.joinpath("starter.events.csv").read_text(encoding="utf-8"))
    except OSError as exc:
        raise NegotiateError(f"{exc.filename or path}: cannot write ({exc.strerror})") from None
    return path
