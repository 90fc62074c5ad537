"""GDELT 2.0 events export: tab-separated, 61 columns, no header, CAMEO-coded.

Column indices from the GDELT 2.0 event codebook: SQLDATE 1 (YYYYMMDD), Actor1Name 6,
Actor1CountryCode 7, Actor2Name 16, Actor2CountryCode 17, EventCode 26, QuadClass 29,
GoldsteinScale 30, SOURCEURL 60. Country codes are CAMEO codes (ISO alpha-3 for states).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from negotiate.evidence.importers import no_row_parses, read_lines
from negotiate.evidence.importers.mapping import COLUMNS

WIDTH = 61
USE = {1: "date", 6: "actor_name", 7: "actor_code", 16: "target_name", 17: "target_code", 26: "code", 60: "source"}


def read(path: Path, report) -> tuple[pd.DataFrame, str]:
    """GDELT rows as the importers' common table; rows without 61 fields are counted and skipped."""
    lines = read_lines(path)
    report.read = len(lines)
    good = [line for line in lines if line.count("\t") == WIDTH - 1]
    report.skipped["wrong number of columns"] += len(lines) - len(good)
    if lines and not good:
        raise no_row_parses(path, lines, WIDTH, "a GDELT 2.0 events export (.export.CSV, or the .zip it comes in)")
    if not good:
        return pd.DataFrame(columns=COLUMNS), "cameo"
    frame = pd.read_csv(io.StringIO("\n".join(good)), sep="\t", header=None, usecols=list(USE), dtype=str,
                        keep_default_na=False, quoting=csv.QUOTE_NONE, engine="c")
    frame = frame.rename(columns=USE)
    frame["description"] = ("GDELT: " + frame["actor_name"] + " -> " + frame["target_name"]
                            + ", CAMEO " + frame["code"])
    return frame, "cameo"
