"""POLECAT (PLOVER-coded) event files: tab-separated with a header, ISO alpha-3 countries.

Columns used, by name: Event ID, Event Date (YYYY-MM-DD), Event Type (a PLOVER type such as
CONSULT), Event Mode, Actor Name, Actor Country, Recipient Name, Recipient Country, Source,
Publication Date. Several actors in one field are ';'-separated: only the first is used.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from negotiate.evidence.importers.tabular import read_named

WANTED = {
    "event_id": ("Event ID",), "date": ("Event Date",), "code": ("Event Type",), "mode": ("Event Mode",),
    "actor_name": ("Actor Name",), "actor_code": ("Actor Country",),
    "target_name": ("Recipient Name",), "target_code": ("Recipient Country",),
    "publisher": ("Source",), "published": ("Publication Date",),
}


def read(path: Path, report) -> tuple[pd.DataFrame, str]:
    frame = read_named(path, report, WANTED)
    for col in ("actor_code", "target_code", "actor_name", "target_name"):
        frame[col] = frame[col].str.split(";").str[0].str.strip().replace("None", "")
    mode = frame["mode"].where(~frame["mode"].isin(["", "None"]), "")
    frame["description"] = ("POLECAT: " + frame["actor_name"] + " -> " + frame["target_name"] + ": "
                            + frame["code"].str.lower() + mode.map(lambda m: f" ({m})" if m else ""))
    frame["source"] = "POLECAT event " + frame["event_id"] + " (" + frame["publisher"] + ", " + frame["published"] + ")"
    return frame, "plover"
