"""Plain-text tables for terminals: aligned columns, the last one left to run free."""

from __future__ import annotations

from collections.abc import Sequence


def render_columns(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "left",
                   indent: str = "") -> list[str]:
    """Lines of a table whose columns line up; the last column is never padded (long text).

    ``align`` is ``"left"`` (words) or ``"right"`` (numbers) for every column but the last.
    """
    table = [[str(c) for c in r] for r in [header, *rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    pad = str.rjust if align == "right" else str.ljust
    return [(indent + "  ".join([*(pad(c, w) for c, w in zip(r[:-1], widths)), r[-1]])).rstrip() for r in table]
