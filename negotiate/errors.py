"""The one family of exceptions the library raises for problems a person can fix."""

from __future__ import annotations

from dataclasses import dataclass


class NegotiateError(Exception):
    """Base class: a problem with the input or the request, with a message a person can act on."""


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


class ScenarioError(NegotiateError):
    """A scenario file that cannot be used; carries every problem found, not just the first."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.field()))
        super().__init__(self.render())

    def render(self) -> str:
        lines = []
        for p in self.problems:
            where = f"{self.file}:{p.line}" if p.line else self.file
            lines.append(f"{where}: {p.field()}: {p.message}")
        return "\n".join(lines)


class GameError(NegotiateError):
    """A game that cannot be built or solved as asked (bad matrix shapes, non-finite payoffs...)."""
