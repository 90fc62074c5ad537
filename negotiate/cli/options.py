"""Options, arguments and error handling shared by every command."""

from __future__ import annotations

import functools
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

from negotiate.versions import DISTRIBUTION

# solve, update and report draw with one default seed, so that they show the same Monte Carlo numbers
DEFAULT_SEED = 7

# How the library's messages name what-if requests, for someone at the command line: by their flags.
FLAG_NAMES = {"set": "--set", "fix": "--fix", "grid": "--grid"}

# What the library's remedy keys (negotiate.errors) mean for someone at the command line.
REMEDY_HINTS = {
    "overwrite": "pass --force to overwrite",
    "refit": "run again with --refit",
    "amend": "pass --amend with --reason to record a different resolution (both are kept)",
    "after_as_of": "pass --after-as-of to record it anyway",
    "duplicate": "pass --allow-duplicate to add it anyway",
    "outside": "pass --create-outside to start it there anyway",
    "fix": "pass --fix LEVER=OPTION, repeatable, to commit levers to one option; or merge or drop options",
}


# What a terminal acts on instead of showing: C0 and C1 controls (escape sequences, bells, carriage
# returns, backspaces), DEL, and the bidirectional overrides that reorder what is shown.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object, newlines: bool = False) -> str:
    """``text`` safe to print on a terminal: every control character shown as an escape (``\\x1b``, ``\\n``).

    ``newlines`` keeps line breaks (for multi-line messages); table cells escape them too.
    """

    def escape(match: re.Match) -> str:
        c = match.group()
        if newlines and c == "\n":
            return c
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")

    return _CONTROL.sub(escape, str(text))


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # running from a source tree without installing
        return "0+unknown"


def reports_errors(func):
    """Turn the library's NegotiateError into a clean message (with flag hints) and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from negotiate.errors import NegotiateError
        from negotiate.fileio import UnsafeFile

        try:
            return func(*args, **kwargs)
        except NegotiateError as exc:
            hints = [REMEDY_HINTS[k] for k in sorted(exc.remedies) if k in REMEDY_HINTS]
            raise click.ClickException(printable(exc, newlines=True) + "".join(f"\n({h})" for h in hints)) from None
        except UnsafeFile as exc:  # a write refused for the data's safety (a link, a read-only file)
            raise click.ClickException(printable(exc, newlines=True)) from None
        except OSError as exc:  # what the file system refused (permissions, a full disk, a missing directory)
            where = f"{exc.filename}: " if exc.filename else ""
            what = (exc.strerror or str(exc)).lower()
            raise click.ClickException(printable(f"{where}{what}; nothing else was changed")) from None

    return wrapper


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object with stable keys instead of a table.")(func)


scenario_argument = click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))


class IsoDate(click.ParamType):
    """A date given as YYYY-MM-DD. A bad date is bad input (exit 1), as in ``evidence add --date``, not a usage error."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        from negotiate.dates import parse_date

        try:
            return parse_date(value)
        except ValueError:
            option = param.opts[0] if param is not None and param.opts else "date"
            raise click.ClickException(f"{option}: found {value!r}; expected a date as YYYY-MM-DD") from None


DATE = IsoDate()


class Weight(click.ParamType):
    """An event's weight in (0, 1]: the same type and message in ``evidence add`` and ``evidence import``."""

    name = "NUMBER"

    def convert(self, value, param, ctx):
        try:
            weight = float(value)
            if not 0.0 < weight <= 1.0:
                raise ValueError
        except (TypeError, ValueError):
            raise click.ClickException(f"--weight: found {value!r}; expected a number in (0, 1]") from None
        return weight


WEIGHT = Weight()


class Assignment(click.ParamType):
    """``PATH=VALUE`` (--set) or ``LEVER=OPTION`` (--fix): the form is checked here (usage error, exit 2);
    whether the path, lever or value exists is the library's to say (exit 1)."""

    def __init__(self, name: str, parse):
        self.name = name
        self._parse = parse

    def convert(self, value, param, ctx):
        from negotiate.errors import NegotiateError

        try:
            self._parse(value)
        except NegotiateError as exc:
            self.fail(str(exc), param, ctx)
        return value


def _parse_set(text):
    from negotiate.scenario.overrides import parse_override

    return parse_override(text)


def _parse_fix(text):
    from negotiate.scenario.overrides import parse_fix

    return parse_fix(text)


SET = Assignment("PATH=VALUE", _parse_set)
FIX = Assignment("LEVER=OPTION", _parse_fix)


def db_option(func):
    return click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="NEGOTIATE_DB",
                        help="Track-record database (default: $NEGOTIATE_DB, else negotiate.sqlite in your data directory).")(func)


def record_options(func):
    func = click.option("--no-record", is_flag=True, help="Do not record this forecast in the track record.")(func)
    return db_option(func)


def record(db, scenario, result, command: str):
    """Record a forecast in the track record at ``db``; what `--json` shows under ``record``."""
    from negotiate.record.track import TrackRecord, record_forecast

    with TrackRecord(db) as track:
        return record_forecast(track, scenario, result, command, f"negotiate {package_version()}")


def columns(header: list[str], rows: list[list[str]]) -> str:
    """A left-aligned text table, one line a row, the last column running free; cells printed inert
    (``printable``), so user text cannot move the cursor, recolour or clear the terminal."""
    from negotiate.report.tables import render_columns

    safe = [[printable(cell) for cell in row] for row in rows]
    return "\n".join(render_columns([printable(h) for h in header], safe)) + "\n"
