"""The one family of exceptions the library raises for problems a person can fix."""

from __future__ import annotations

from dataclasses import dataclass


class NegotiateError(Exception):
    """Base class: a problem with the input or the request, with a message a person can act on.

    ``remedies`` names, as keys, what the caller may do about it (``"overwrite"``, ``"refit"``...);
    the library says what is wrong in its own words and a front end (the CLI) turns each key into
    its own advice, such as a flag to pass.
    """

    remedies: frozenset[str] = frozenset()

    def with_remedies(self, *keys: str) -> NegotiateError:
        """This error with ``keys`` added to its remedies (for ``raise ....with_remedies(...)``)."""
        self.remedies = self.remedies | frozenset(keys)
        return self


# Remedy keys the library uses; cli/ maps each to its advice.
REMEDY_OVERWRITE = "overwrite"  # the target exists; writing over it was not asked for
REMEDY_REFIT = "refit"  # a stored fit cannot be used; fitting again would replace it
REMEDY_AMEND = "amend"  # a different resolution is already recorded
REMEDY_AFTER_AS_OF = "after_as_of"  # an event is dated after the scenario's as_of
REMEDY_DUPLICATE = "duplicate"  # an event is already in the ledger
REMEDY_OUTSIDE = "outside"  # a new ledger would be created outside the scenario's folder
REMEDY_FIX = "fix"  # the game is too large; committing a lever to one option shrinks it


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    path : tuple
        Field path inside the document, e.g. ``("levers", "tariffs", "owner")``.
    message : str
        What was found and what is expected.
    line : int or None
        1-based line in the file, when the YAML parser gives one.
    """

    path: tuple
    message: str
    line: int | None = None

    def field(self) -> str:
        return ".".join(str(p) for p in self.path) if self.path else "(top level)"

    def render(self, file: str) -> str:
        """``file:line: field: message`` (line and field left out when unknown)."""
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {self.field()}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(NegotiateError):
    """A scenario file that cannot be used; carries every problem found, not just the first."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.field()))
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(p.render(self.file) for p in self.problems)


class GameError(NegotiateError):
    """A game that cannot be built or solved as asked (bad matrix shapes, non-finite payoffs...)."""
