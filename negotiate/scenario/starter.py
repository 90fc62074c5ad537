"""The commented starter scenario written by ``negotiate new``."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from negotiate.errors import REMEDY_OVERWRITE, NegotiateError
from negotiate.fileio import replace_atomically


def starter_text() -> str:
    """The starter scenario as YAML text, comments included."""
    return files("negotiate.scenario").joinpath("templates/starter.yaml").read_text(encoding="utf-8")


def write_starter(path: str | Path, overwrite: bool = False) -> Path:
    """Write the starter scenario to ``path``; refuse to replace an existing file unless asked.

    The file is written aside and moved into place, so an interrupted write never leaves half a
    scenario.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise NegotiateError(f"{path}: file exists; expected a new path").with_remedies(REMEDY_OVERWRITE)
    if not path.parent.exists():
        raise NegotiateError(f"{path}: directory {path.parent} does not exist; expected an existing directory")
    try:
        replace_atomically(path, starter_text().encode("utf-8"))
    except OSError as exc:
        raise NegotiateError(f"{path}: cannot write ({exc.strerror})") from None
    return path
