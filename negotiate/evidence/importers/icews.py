"""ICEWS coded event files: tab-separated with a header, CAMEO-coded, countries as English names.

Published columns: Event ID, Event Date (YYYY-MM-DD), Source Name, Source Sectors, Source Country,
Event Text, CAMEO Code, Intensity, Target Name, Target Sectors, Target Country, Story ID, Sentence
Number, Publisher, City, District, Province, Country, Latitude, Longitude.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from negotiate.evidence.importers.tabular import read_named

WANTED = {
    "event_id": ("Event ID",), "date": ("Event Date",), "actor_name": ("Source Name",),
    "actor_code": ("Source Country",), "text": ("Event Text",), "code": ("CAMEO Code",),
    "target_name": ("Target Name",), "target_code": ("Target Country",), "publisher": ("Publisher",),
}


def read(path: Path, report) -> tuple[pd.DataFrame, str]:
    frame = read_named(path, report, WANTED)
    frame["description"] = "ICEWS: " + frame["actor_name"] + " -> " + frame["target_name"] + ": " + frame["text"]
    frame["source"] = "ICEWS event " + frame["event_id"] + " (" + frame["publisher"] + ")"
    return frame, "cameo"
