"""The shipped reference class (data, checked independently of the loader where it matters) and the
rules of ``check_reference``: one small bad fixture per rule, each caught with its exact message."""

import csv
import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest

from negotiate.evidence.catalogue import Catalogue
from negotiate.evidence.ledger import LedgerError
from negotiate.evidence.reference import DEFAULT_REFERENCE, check_reference, load_reference
from tests.conftest import DATA

EPISODES = list(csv.DictReader((DEFAULT_REFERENCE / "episodes.csv").read_text(encoding="utf-8").splitlines()))
EVENTS = list(csv.DictReader((DEFAULT_REFERENCE / "events.csv").read_text(encoding="utf-8").splitlines()))
EPISODE_HEADER = ["id", "title", "party_a", "party_b", "start", "deadline", "question", "outcome", "resolved_on",
                  "source", "domain", "deadline_kind", "cluster", "summit_at_deadline"]
EVENT_HEADER = ["episode", "date", "actor", "target", "type", "description", "source", "weight"]
DOMAINS = {"trade", "fiscal", "labour", "arms_control", "sovereign_debt", "conflict", "eu_treaty"}
DEADLINE_KINDS = {"measure", "expiry", "summit", "payment", "ultimatum", "other"}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ---------------------------------------------------------------------------------------------
# The shipped class


def test_headers():
    assert list(EPISODES[0]) == EPISODE_HEADER
    assert list(EVENTS[0]) == EVENT_HEADER
    raw = (DEFAULT_REFERENCE / "episodes.csv").read_bytes() + (DEFAULT_REFERENCE / "events.csv").read_bytes()
    assert b"\r" not in raw


def test_the_shipped_class_passes_every_check():
    assert check_reference() == []


def test_size_balance_and_domains():
    outcomes = Counter(int(e["outcome"]) for e in EPISODES)
    domains = Counter(e["domain"] for e in EPISODES)
    assert len(EPISODES) >= 120
    assert outcomes[0] >= 45 and outcomes[1] >= 45
    assert set(domains) <= DOMAINS and len(domains) >= 6
    assert max(domains.values()) <= 0.4 * len(EPISODES), domains


def test_episode_columns_are_valid():
    ids = [e["id"] for e in EPISODES]
    assert len(ids) == len(set(ids))
    for e in EPISODES:
        assert e["id"] == e["id"].strip().lower(), e["id"]
        assert e["party_a"] != e["party_b"], e["id"]
        assert e["deadline_kind"] in DEADLINE_KINDS, e["id"]
        assert e["cluster"].strip(), e["id"]
        assert e["summit_at_deadline"] in ("0", "1"), e["id"]
        assert e["outcome"] in ("0", "1"), e["id"]
        assert e["title"].strip() and e["question"].strip().endswith("?"), e["id"]
        start, deadline, resolved = _date(e["start"]), _date(e["deadline"]), _date(e["resolved_on"])
        assert start <= deadline, e["id"]
        if e["outcome"] == "0":
            assert resolved == deadline, e["id"]
        else:
            assert start <= resolved <= deadline, e["id"]


def test_every_episode_and_event_has_a_source():
    assert all(e["source"].strip() for e in EPISODES)
    assert all(e["source"].strip() for e in EVENTS)


def test_events_in_the_run_up_between_the_parties_and_enough_of_them():
    by_id = {e["id"]: e for e in EPISODES}
    counts = Counter()
    for ev in EVENTS:
        ep = by_id[ev["episode"]]
        date = _date(ev["date"])
        assert _date(ep["start"]) <= date < _date(ep["resolved_on"]), ev
        assert {ev["actor"], ev["target"]} <= {ep["party_a"], ep["party_b"]}, ev
        assert ev["actor"] != ev["target"], ev
        counts[ev["episode"]] += 1
    assert set(counts) == set(by_id)
    assert min(counts.values()) >= 6, [k for k, n in counts.items() if n < 6]


def test_no_duplicate_event_rows():
    rows = Counter(tuple(ev.values()) for ev in EVENTS)
    assert [r for r, n in rows.items() if n > 1] == []


def test_types_in_catalogue_and_weights_on_the_brief_scale():
    catalogue = Catalogue()
    for ev in EVENTS:
        assert ev["type"] in catalogue, ev
        assert ev["weight"] in ("1", "0.8", "0.5"), ev


def test_clusters_group_rounds_of_one_dispute():
    members = {}
    for e in EPISODES:
        members.setdefault(e["cluster"], []).append(e)
    for cluster, episodes in members.items():
        if len(episodes) == 1:
            continue
        assert len({e["domain"] for e in episodes}) == 1, cluster
        rounds = {(frozenset((e["party_a"], e["party_b"])), e["deadline"]) for e in episodes}
        assert len(rounds) == len(episodes), cluster  # one episode a round (a pair and a deadline)


# ---------------------------------------------------------------------------------------------
# Keep out: the negotiations the issue reserves for an independent check of the model. A shipped
# episode fails when its deadline lies within three months of a reserved negotiation's deadline
# (or deadline window) and it is between the same parties (any code listed for each side).

US_FISCAL = {"WH", "GOP", "DEM", "US_CONGRESS", "US_HOUSE", "US_SENATE"}
RESERVED = [
    # (what, side A codes, side B codes, first deadline, last deadline)
    ("US-Mexico migration tariff threat", {"US"}, {"MX"}, "2019-06-10", "2019-06-10"),
    ("US-North Korea Hanoi summit", {"US"}, {"KP"}, "2019-02-28", "2019-02-28"),
    ("US-North Korea Stockholm talks", {"US"}, {"KP"}, "2019-10-05", "2019-10-05"),
    ("US-Canada tariff talks 2025", {"US"}, {"CA"}, "2025-10-01", "2025-11-30"),
    ("US-India tariff talks 2025", {"US"}, {"IN"}, "2025-08-01", "2025-08-27"),
    ("US-EU tariff talks 2025", {"US"}, {"EU"}, "2025-07-09", "2025-08-01"),
    ("US-Japan tariff talks 2025", {"US"}, {"JP"}, "2025-07-09", "2025-08-01"),
    ("US-Mexico 1 August 2025 extension", {"US"}, {"MX"}, "2025-08-01", "2025-08-01"),
    ("US-South Africa 1 August 2025", {"US"}, {"ZA"}, "2025-08-01", "2025-08-01"),
    ("US debt ceiling August 2011", US_FISCAL, US_FISCAL, "2011-08-02", "2011-08-02"),
    ("US debt ceiling June 2023", US_FISCAL, US_FISCAL, "2023-06-05", "2023-06-05"),
    ("US government funding October 2013", US_FISCAL, US_FISCAL, "2013-09-30", "2013-10-17"),
    ("US government funding January 2018", US_FISCAL, US_FISCAL, "2018-01-19", "2018-01-19"),
    ("US government funding 30 September 2023", US_FISCAL, US_FISCAL, "2023-09-30", "2023-09-30"),
    ("Teamsters-UPS", {"TEAMSTERS", "IBT"}, {"UPS"}, "2023-07-31", "2023-07-31"),
    ("US freight rail unions", {"RAIL_UNIONS", "BLET", "SMART_TD", "SMART", "BMWED", "TCU", "IAM"},
     {"NCCC", "RAILROADS", "US_RAILROADS", "BNSF", "UNION_PACIFIC", "UP", "CSX", "NORFOLK_SOUTHERN", "NS"},
     "2022-09-16", "2022-09-16"),
    ("UAW-Detroit Three", {"UAW"}, {"GM", "FORD", "STELLANTIS", "DETROIT3"}, "2023-09-14", "2023-09-14"),
    ("ILA-USMX ports", {"ILA"}, {"USMX"}, "2024-09-30", "2024-09-30"),
    ("WGA-AMPTP", {"WGA"}, {"AMPTP"}, "2023-05-01", "2023-05-01"),
    ("Cyprus bailout", {"CY"}, {"EU", "IMF", "ECB", "TROIKA", "RU"}, "2013-03-25", "2013-03-25"),
    ("Russia-Ukraine gas", {"RU", "GAZPROM"}, {"UA", "NAFTOGAZ"}, "2014-06-16", "2014-06-16"),
    ("US-Taliban agreement", {"US"}, {"TALIBAN", "AF_TALIBAN"}, "2020-02-29", "2020-02-29"),
    ("Israel-Hamas ceasefire", {"IL"}, {"HAMAS"}, "2025-01-19", "2025-01-20"),
    ("US-Ukraine minerals deal", {"US"}, {"UA"}, "2025-02-28", "2025-02-28"),
    ("Iran-E3 snapback", {"IR"}, {"E3", "GB", "FR", "DE", "EU", "P5P1"}, "2025-08-28", "2025-09-28"),
    ("US-China October 2025 (Kuala Lumpur / Busan)", {"US"}, {"CN"}, "2025-10-25", "2025-11-10"),
]

# Shipped episodes that the strict rule catches and that are waiting for a decision on the data
# (the CSVs are under review and edited by someone else). Each must be dropped from the class or
# kept here with the decision written down; the test fails both on a new conflict and when one of
# these leaves the data without being taken off this list.
# Episodes that share parties with a reserved negotiation within three months, kept because they
# are a different dispute (the rule excludes rounds of the same dispute); each with its reason.
KEPT_DIFFERENT_DISPUTE = {
    "us-mx-tomato-2019-may": "US-MX deadline 2019-05-07, 34 days before the migration tariff threat (a different dispute: "
                             "the tomato suspension agreement)",
}


def _months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months (the day clamped to the month's length)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError(day)


def _keep_out_conflicts(episodes) -> dict[str, str]:
    found = {}
    for e in episodes:
        pair, deadline = (e["party_a"], e["party_b"]), _date(e["deadline"])
        for what, side_a, side_b, first, last in RESERVED:
            same_parties = (pair[0] in side_a and pair[1] in side_b) or (pair[1] in side_a and pair[0] in side_b)
            if same_parties and _months(_date(first), -3) <= deadline <= _months(_date(last), 3):
                found[e["id"]] = what
    return found


def test_reserved_negotiations_are_left_out():
    assert sorted(_keep_out_conflicts(EPISODES)) == sorted(KEPT_DIFFERENT_DISPUTE)


@pytest.mark.parametrize("pair, deadline, expected", [
    (("MX", "US"), "2019-03-10", "US-Mexico migration tariff threat"),  # three months before, either order
    (("US", "MX"), "2019-09-10", "US-Mexico migration tariff threat"),  # three months after
    (("US", "MX"), "2019-09-11", None),
    (("GOP", "DEM"), "2023-12-30", "US government funding 30 September 2023"),
    (("UAW", "FORD"), "2023-10-01", "UAW-Detroit Three"),
    (("US", "CN"), "2025-08-12", "US-China October 2025 (Kuala Lumpur / Busan)"),
    (("US", "CN"), "2025-07-24", None),
    (("US", "KR"), "2025-08-01", None),  # not reserved
])
def test_the_keep_out_rule_itself(pair, deadline, expected):
    found = _keep_out_conflicts([{"id": "x", "party_a": pair[0], "party_b": pair[1], "deadline": deadline}])
    assert found.get("x") == expected


# ---------------------------------------------------------------------------------------------
# Loading


def test_loader_accepts_the_shipped_files():
    episodes = load_reference()
    assert len(episodes) == len(EPISODES)
    assert sum(len(e.events) for e in episodes) == len(EVENTS)
    by_id = {e.id: e for e in episodes}
    for raw in EPISODES:
        e = by_id[raw["id"]]
        assert (e.domain, e.deadline_kind, e.cluster, e.summit_at_deadline) == (
            raw["domain"], raw["deadline_kind"], raw["cluster"], raw["summit_at_deadline"] == "1")
        assert e.group == raw["cluster"]
        assert [ev.date for ev in e.events] == sorted(ev.date for ev in e.events)


def test_a_version_1_directory_still_loads_and_the_check_asks_for_the_new_columns():
    directory = DATA / "reference" / "v1"
    (episode,) = load_reference(directory)
    assert (episode.id, episode.outcome, episode.resolved_on, len(episode.events)) == ("old-1", 1, dt.date(2020, 1, 20), 6)
    assert (episode.domain, episode.deadline_kind, episode.cluster, episode.summit_at_deadline) == ("other", "other", "", False)
    assert episode.group == "old-1"  # its own cluster
    assert check_reference(directory) == [
        f"{directory / 'episodes.csv'}:1: header: found the version-1 columns; expected "
        "id,title,party_a,party_b,start,deadline,question,outcome,resolved_on,source,domain,deadline_kind,cluster,"
        "summit_at_deadline (domain, deadline_kind, cluster and summit_at_deadline on every row)"]


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


# ---------------------------------------------------------------------------------------------
# One bad fixture per rule. The good fixture: one deal episode with six events; each case changes
# one cell (or adds or removes a row) and expects exactly one message. Rules that loading enforces
# raise LedgerError; the others are returned by check_reference.

GOOD_EPISODE = dict(id="e1", title="A deal", party_a="US", party_b="CN", start="2020-01-01", deadline="2020-02-01",
                    question="Will US and CN announce a deal before 2020-02-01?", outcome="1",
                    resolved_on="2020-01-20", source="https://example.org/outcome", domain="trade",
                    deadline_kind="measure", cluster="e1", summit_at_deadline="0")
GOOD_EVENTS = [dict(episode="e1", date=f"2020-01-0{d}", actor="US" if d % 2 else "CN", target="CN" if d % 2 else "US",
                    type=t, description=f"step {d}", source=f"https://example.org/{d}", weight="1")
               for d, t in zip(range(2, 8), ["consult", "reject", "threaten", "consult", "support", "concede"])]


def write_class(directory: Path, episode: dict | None = None, events: list[dict] | None = None) -> Path:
    with open(directory / "episodes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, EPISODE_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerow(GOOD_EPISODE | (episode or {}))
    with open(directory / "events.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, EVENT_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(GOOD_EVENTS if events is None else events)
    return directory


def _first_event(**change) -> list[dict]:
    return [GOOD_EVENTS[0] | change] + GOOD_EVENTS[1:]


def test_the_good_fixture_passes(tmp_path):
    assert check_reference(write_class(tmp_path)) == []


# (case, episode change, events, expected message with {ep} and {ev} for the two files)
CHECKED = [
    ("event before start", None, _first_event(date="2019-12-31"),
     "{ev}:2: e1: event on 2019-12-31, before the episode's start 2020-01-01"),
    ("event on resolved_on", None, GOOD_EVENTS + [GOOD_EVENTS[0] | dict(date="2020-01-20", type="agree")],
     "{ev}:8: e1: event on 2020-01-20, not before the resolution 2020-01-20: "
     "the outcome itself or a report of it does not belong in the run-up"),
    ("duplicate row", None, GOOD_EVENTS + [GOOD_EVENTS[3]],
     "{ev}:8: e1: duplicate row; expected each event once"),
    ("outcome 0 resolved before the deadline", dict(outcome="0"), None,
     "{ep}:2: e1: resolved_on 2020-01-20; expected the deadline 2020-02-01 for an episode without a deal"),
    ("outcome 1 resolved after the deadline", dict(resolved_on="2020-02-03"), None,
     "{ep}:2: e1: resolved_on 2020-02-03; expected a deal announced between start 2020-01-01 and the deadline 2020-02-01"),
    ("too few events", None, GOOD_EVENTS[:5],
     "{ep}:2: e1: 5 events; expected at least 6 before the resolution"),
]

REFUSED = [
    ("event after resolved_on", None, _first_event(date="2020-01-25"),
     "{ev}:2: date: 2020-01-25 is after the episode's resolution 2020-01-20"),
    ("type not in the catalogue", None, _first_event(type="consul"),
     "{ev}:2: type: found 'consul', not in the event catalogue; did you mean 'consult'?"),
    ("actor not a party", None, _first_event(actor="GB"),
     "{ev}:2: actor: GB -> US is not between the episode's parties US and CN"),
    ("target not a party", None, _first_event(target="JP"),
     "{ev}:2: actor: CN -> JP is not between the episode's parties US and CN"),
    ("empty source on an event", None, _first_event(source=" "),
     "{ev}:2: source: empty; expected a URL or a publication and date"),
    ("empty source on an episode", dict(source=""), None,
     "{ep}:2: source: empty; expected a value"),
    ("deadline before start", dict(deadline="2019-12-01", resolved_on="2019-12-01", outcome="0"), None,
     "{ep}:2: deadline: found 2019-12-01, before start 2020-01-01"),
    ("empty cluster", dict(cluster=" "), None,
     "{ep}:2: cluster: empty; expected a cluster id (the episode's own id when it stands alone)"),
    ("bad domain", dict(domain="finance"), None,
     "{ep}:2: domain: found 'finance'; expected one of: trade, fiscal, labour, arms_control, sovereign_debt, "
     "conflict, eu_treaty, other"),
    ("bad deadline_kind", dict(deadline_kind="deadline"), None,
     "{ep}:2: deadline_kind: found 'deadline'; expected one of: measure, expiry, summit, payment, ultimatum, other"),
    ("bad summit_at_deadline", dict(summit_at_deadline="yes"), None,
     "{ep}:2: summit_at_deadline: found 'yes'; expected 1 or 0"),
]


def _message(template: str, directory: Path) -> str:
    return template.format(ep=directory / "episodes.csv", ev=directory / "events.csv")


@pytest.mark.parametrize("case, episode, events, expected", CHECKED, ids=[c[0] for c in CHECKED])
def test_check_catches(tmp_path, case, episode, events, expected):
    directory = write_class(tmp_path, episode, events)
    assert check_reference(directory) == [_message(expected, directory)]


@pytest.mark.parametrize("case, episode, events, expected", REFUSED, ids=[c[0] for c in REFUSED])
def test_loading_refuses(tmp_path, case, episode, events, expected):
    directory = write_class(tmp_path, episode, events)
    with pytest.raises(LedgerError) as info:
        check_reference(directory)
    assert str(info.value) == _message(expected, directory)


def test_the_check_reports_every_problem_of_a_directory(tmp_path):
    directory = tmp_path / "bad"
    shutil.copytree(DATA / "reference" / "bad_check", directory)
    ep, ev = directory / "episodes.csv", directory / "events.csv"
    assert check_reference(directory) == [
        f"{ep}:3: bad-2: resolved_on 2020-03-20; expected the deadline 2020-04-01 for an episode without a deal",
        f"{ep}:3: bad-2: 2 events; expected at least 6 before the resolution",
        f"{ev}:2: bad-1: event on 2019-12-31, before the episode's start 2020-01-01",
        f"{ev}:7: bad-1: event on 2020-01-20, not before the resolution 2020-01-20: "
        "the outcome itself or a report of it does not belong in the run-up",
    ]


# ---------------------------------------------------------------------------------------------
# The README documents the class as shipped


README = DEFAULT_REFERENCE / "README.md"


def test_readme_counts_match_the_files():
    import runpy

    script = runpy.run_path(str(DEFAULT_REFERENCE.parents[1] / "scripts" / "reference_counts.py"))
    assert script["counts_markdown"](DEFAULT_REFERENCE) in README.read_text(encoding="utf-8"), (
        "seeds/reference/README.md is out of date: run python scripts/reference_counts.py --write")


def test_readme_documents_every_column_and_party_code():
    text = README.read_text(encoding="utf-8")
    for column in EPISODE_HEADER + EVENT_HEADER:
        assert f"`{column}`" in text, column
    for value in DOMAINS | DEADLINE_KINDS:
        assert f"`{value}`" in text, value
    codes = {e["party_a"] for e in EPISODES} | {e["party_b"] for e in EPISODES}
    assert [c for c in sorted(codes) if f"`{c}`" not in text] == []
    assert "## Independent review" in text
