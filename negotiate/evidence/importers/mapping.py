"""Shared, vectorised step of every importer: dates, parties, window and event types."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from negotiate.evidence.catalogue import catalogue_for
from negotiate.evidence.countries import codes_for
from negotiate.evidence.ledger import Event
from negotiate.scenario.schema import Scenario

COLUMNS = ["date", "actor_code", "target_code", "code", "description", "source"]


def to_events(table: pd.DataFrame, code_kind: str, scenario: Scenario, since: dt.date, until: dt.date,
              weight: float, report) -> None:
    """Filter ``table`` to the scenario's two parties and window, map codes, fill ``report``.

    ``table`` has the columns of ``COLUMNS`` as strings, ``date`` as ``YYYY-MM-DD`` or
    ``YYYYMMDD``; ``code_kind`` is ``"cameo"`` or ``"plover"``.
    """
    if table.empty:
        return
    dates = pd.to_datetime(table["date"].str.strip(), format="mixed", errors="coerce")
    bad_date = dates.isna()
    report.skipped["bad date"] += int(bad_date.sum())

    lookup = {}
    for pid in scenario.party_ids:
        for code in codes_for(pid, scenario.parties[pid].aliases):
            lookup[code] = pid
    actor = table["actor_code"].str.strip().str.upper().map(lookup)
    target = table["target_code"].str.strip().str.upper().map(lookup)
    between = actor.notna() & target.notna() & (actor != target) & ~bad_date
    day = dates.dt.normalize()  # compared as timestamps: .dt.date of an all-invalid column is no date at all
    window = ((day >= pd.Timestamp(since)) & (day <= pd.Timestamp(until))).fillna(False).astype(bool)
    outside = ~bad_date & ~window
    report.skipped["outside the date window"] += int(outside.sum())
    other = ~bad_date & window & ~between
    report.skipped["not between the two parties"] += int(other.sum())
    keep = between & window
    report.kept = int(keep.sum())

    catalogue = catalogue_for(scenario)
    convert = catalogue.from_cameo if code_kind == "cameo" else catalogue.from_plover
    codes = table.loc[keep, "code"].str.strip()
    mapping = {c: convert(c) for c in codes.unique()}
    types = codes.map(mapping)
    if code_kind == "cameo":
        numeric = codes.str.fullmatch(r"\d{2,4}")
        dropped = numeric & codes.str[:2].isin(["01", "02"])
        report.skipped["no PLOVER type (CAMEO 01 statements, 02 appeals)"] += int((types.isna() & dropped).sum())
        report.skipped["unknown event code"] += int((types.isna() & ~dropped).sum())
    else:
        report.skipped["unknown event code"] += int(types.isna().sum())
    mapped = types.notna()
    report.mapped = int(mapped.sum())

    rows = table.loc[keep][mapped]
    seen = set()
    for date, a, t, etype, desc, src in zip(dates[keep][mapped].dt.date, actor[keep][mapped], target[keep][mapped],
                                             types[mapped], rows["description"], rows["source"]):
        event = Event(date, a, t, etype, desc.strip() or f"{etype} event", src.strip(), weight)
        if event.key() in seen:
            report.skipped["same date, actor, type and source twice in the file"] += 1
            continue
        seen.add(event.key())
        report.events.append(event)
    report.skipped = +report.skipped  # drop zero counts
