"""Tab-separated files with a header row (ICEWS, POLECAT): columns found by name, not position."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from negotiate.errors import NegotiateError
from negotiate.evidence.importers import no_row_parses, read_lines


def read_named(path: Path, report, wanted: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """Rows of a headed TSV with the columns of ``wanted`` (our name -> accepted header names).

    Rows whose field count differs from the header's are counted as malformed and skipped.
    """
    lines = read_lines(path)
    if not lines:
        raise NegotiateError(f"{path}: empty file; expected a header row")
    header = [h.strip() for h in lines[0].split("\t")]
    rows = lines[1:]
    report.read = len(rows)
    missing = [names[0] for names in wanted.values() if not any(n in header for n in names)]
    if missing:
        raise NegotiateError(f"{path}: header lacks {', '.join(repr(m) for m in missing)}; "
                             f"expected the published column names (found: {', '.join(header[:8])}, ...)")
    width = len(header)
    good = [line for line in rows if line.count("\t") == width - 1]
    report.skipped["wrong number of columns"] += len(rows) - len(good)
    if rows and not good:
        raise no_row_parses(path, rows, width, "rows as wide as the header")
    positions = {ours: next(header.index(n) for n in names if n in header) for ours, names in wanted.items()}
    if not good:
        return pd.DataFrame(columns=list(wanted))
    frame = pd.read_csv(io.StringIO("\n".join(good)), sep="\t", header=None, usecols=sorted(positions.values()),
                        dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
    by_position = {pos: ours for ours, pos in positions.items()}
    return frame.rename(columns=by_position)[list(wanted)]
