import datetime as dt

import pytest

from negotiate.errors import NegotiateError
from negotiate.evidence.importers import import_file
from negotiate.scenario.schema import load_scenario
from tests.conftest import DATA, FLAGSHIP

FIX = DATA / "importers"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FLAGSHIP)


def test_gdelt_counts_and_mapping(scenario):
    r = import_file("gdelt", FIX / "gdelt_sample.export.CSV", scenario)
    assert (r.read, r.kept, r.mapped) == (13, 8, 6)
    assert dict(r.skipped) == {
        "wrong number of columns": 1, "bad date": 1, "outside the date window": 1,
        "not between the two parties": 2, "no PLOVER type (CAMEO 01 statements, 02 appeals)": 1,
        "unknown event code": 1, "same date, actor, type and source twice in the file": 1,
    }
    # CAMEO -> PLOVER, including the sub-codes PLOVER moves out of their root
    assert [(e.actor, e.target, e.type) for e in r.events] == [
        ("US", "CN", "agree"),      # 036
        ("CN", "US", "consult"),    # 042
        ("US", "CN", "retreat"),    # 0874 (root 08 is otherwise concede)
        ("US", "CN", "coerce"),     # 163 (root 16 is otherwise sanction)
        ("CN", "US", "assault"),    # 1712 (root 17 is otherwise coerce)
    ]
    assert all(e.weight == 0.5 and e.source.startswith("https://example.test/") for e in r.events)


def test_icews_counts_and_mapping(scenario):
    r = import_file("icews", FIX / "icews_sample.tab", scenario)
    assert (r.read, r.kept, r.mapped) == (8, 5, 3)
    assert dict(r.skipped) == {"wrong number of columns": 1, "bad date": 1, "not between the two parties": 1,
                               "no PLOVER type (CAMEO 01 statements, 02 appeals)": 1, "unknown event code": 1}
    assert [(e.date, e.actor, e.type) for e in r.events] == [
        (dt.date(2025, 10, 18), "US", "consult"), (dt.date(2025, 10, 19), "CN", "threaten"),
        (dt.date(2025, 10, 21), "US", "threaten"),
    ]


def test_polecat_counts_and_mapping(scenario):
    r = import_file("polecat", FIX / "polecat_sample.txt", scenario)
    assert (r.read, r.kept, r.mapped) == (7, 4, 3)
    assert dict(r.skipped) == {"wrong number of columns": 1, "bad date": 1, "not between the two parties": 1,
                               "unknown event code": 1}
    assert [e.type for e in r.events] == ["consult", "sanction", "accuse"]
    assert r.events[2].actor == "US"  # first of 'USA; JPN'


def test_window_options(scenario):
    r = import_file("gdelt", FIX / "gdelt_sample.export.CSV", scenario, since=dt.date(2025, 10, 21),
                    until=dt.date(2025, 10, 21))
    assert {e.date for e in r.events} == {dt.date(2025, 10, 21)}
    with pytest.raises(NegotiateError, match="window starts on 2025-10-22, after its end 2025-10-21"):
        import_file("gdelt", FIX / "gdelt_sample.export.CSV", scenario, since=dt.date(2025, 10, 22),
                    until=dt.date(2025, 10, 21))


def test_aliases_let_a_party_match_other_codes(tmp_path):
    text = FLAGSHIP.read_text().replace("US: {name: United States, patience: 0.90, power: 1.0}",
                                        "XX: {name: United States, patience: 0.90, power: 1.0, aliases: [USA]}")
    text = text.replace("owner: US", "owner: XX").replace("US:", "XX:")
    p = tmp_path / "s.yaml"
    p.write_text(text.replace("evidence: ../seeds/us-china-kl-2025/events.csv\n", ""))
    r = import_file("gdelt", FIX / "gdelt_sample.export.CSV", load_scenario(p))
    assert r.events and {e.actor for e in r.events} == {"XX", "CN"}


def test_wrong_format_header_is_a_clear_error(scenario):
    with pytest.raises(NegotiateError, match="header lacks 'Source Name'"):
        import_file("icews", FIX / "polecat_sample.txt", scenario)


def test_missing_file(scenario):
    with pytest.raises(NegotiateError, match="file not found"):
        import_file("gdelt", FIX / "nope.CSV", scenario)


def test_empty_gdelt_file(scenario, tmp_path):
    p = tmp_path / "empty.CSV"
    p.write_text("")
    r = import_file("gdelt", p, scenario)
    assert (r.read, r.kept, r.events) == (0, 0, [])
