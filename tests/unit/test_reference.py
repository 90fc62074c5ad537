"""Checks of the shipped reference class (data), independent of the loader where it matters."""

import csv
import datetime as dt

import pytest

from negotiate.evidence.catalogue import Catalogue
from negotiate.evidence.ledger import LedgerError
from negotiate.evidence.reference import DEFAULT_REFERENCE, load_reference

EPISODES = list(csv.DictReader((DEFAULT_REFERENCE / "episodes.csv").read_text(encoding="utf-8").splitlines()))
EVENTS = list(csv.DictReader((DEFAULT_REFERENCE / "events.csv").read_text(encoding="utf-8").splitlines()))


def test_headers():
    assert list(EPISODES[0]) == ["id", "title", "party_a", "party_b", "start", "deadline", "question",
                                 "outcome", "resolved_on", "source"]
    assert list(EVENTS[0]) == ["episode", "date", "actor", "target", "type", "description", "source", "weight"]


def test_size_and_both_outcomes():
    outcomes = [int(e["outcome"]) for e in EPISODES]
    assert len(EPISODES) >= 30
    assert outcomes.count(0) >= 10 and outcomes.count(1) >= 10


def test_every_episode_and_event_has_a_source():
    assert all(e["source"].strip() for e in EPISODES)
    assert all(e["source"].strip() for e in EVENTS)


def test_events_before_deadline_and_resolution_and_enough_of_them():
    by_id = {e["id"]: e for e in EPISODES}
    counts = {k: 0 for k in by_id}
    for ev in EVENTS:
        ep = by_id[ev["episode"]]
        date = dt.date.fromisoformat(ev["date"])
        assert date <= dt.date.fromisoformat(ep["deadline"]), ev
        assert date <= dt.date.fromisoformat(ep["resolved_on"]), ev
        assert dt.date.fromisoformat(ep["start"]) <= date, ev
        counts[ev["episode"]] += 1
    assert min(counts.values()) >= 5


def test_types_in_catalogue_and_weights_in_range():
    catalogue = Catalogue()
    for ev in EVENTS:
        assert ev["type"] in catalogue, ev
        assert 0 < float(ev["weight"]) <= 1


def test_reserved_negotiations_are_left_out():
    for e in EPISODES:
        pair = {e["party_a"], e["party_b"]}
        year = dt.date.fromisoformat(e["deadline"]).year
        deadline = dt.date.fromisoformat(e["deadline"])
        assert not (pair == {"US", "MX"} and year == 2019), e["id"]
        assert not (pair == {"US", "KP"} and year == 2019), e["id"]
        assert not (pair & {"CA", "IN", "EU", "JP"} and "US" in pair and year == 2025), e["id"]
        assert not (pair == {"US", "CN"} and deadline >= dt.date(2025, 10, 1)), e["id"]


def test_loader_accepts_the_shipped_files():
    episodes = load_reference()
    assert len(episodes) == len(EPISODES)
    assert sum(len(e.events) for e in episodes) == len(EVENTS)


def test_loader_reports_problems_with_lines(tmp_path):
    (tmp_path / "episodes.csv").write_text(
        "id,title,party_a,party_b,start,deadline,question,outcome,resolved_on,source\n"
        "e1,T,US,CN,2020-01-01,2020-02-01,Q?,2,2020-02-01,https://x\n")
    (tmp_path / "events.csv").write_text(
        "episode,date,actor,target,type,description,source,weight\n"
        "e1,2020-03-01,US,CN,consult,late,https://x,1\n")
    with pytest.raises(LedgerError, match=r"episodes.csv:2: outcome: found '2'; expected 1 \(deal\) or 0 \(no deal\)"):
        load_reference(tmp_path)
    (tmp_path / "episodes.csv").write_text((tmp_path / "episodes.csv").read_text().replace(",2,", ",1,"))
    with pytest.raises(LedgerError, match=r"events.csv:2: date: 2020-03-01 is after the episode's deadline 2020-02-01"):
        load_reference(tmp_path)
