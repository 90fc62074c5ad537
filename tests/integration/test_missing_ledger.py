"""A scenario that names a ledger that is not there is an error wherever its events are read (issue 15:
read as an empty ledger, `update` gave the prior with "Events used: 0" and `validate` said OK);
a scenario may leave out `evidence:` altogether, and adding events is what starts a ledger."""

import json

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from tests.conftest import FLAGSHIP

MESSAGE = "evidence: found 'event.csv', and there is no such file"


@pytest.fixture
def misspelt(tmp_path, point_fits):
    text = FLAGSHIP.read_text().replace("evidence: ../seeds/us-china-kl-2025/events.csv", "evidence: event.csv")
    path = tmp_path / "case.yaml"
    path.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("evidence:"))
    return path, line


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("before, after", [(["validate"], []), (["update"], []), (["update"], ["--json"]),
                                           (["evidence", "list"], []),
                                           (["resolve"], ["--outcome", "deal", "--on", "2025-10-30", "--source", "x",
                                                          "--add-to-reference"])])
def test_a_misspelt_ledger_is_an_error(misspelt, before, after):
    path, line = misspelt
    result = run(*before, path, *after)
    assert result.exit_code == 1, result.output
    assert f"{path}:{line}: {MESSAGE} ({path.parent / 'event.csv'})" in result.stderr
    assert "leaves out evidence:" in result.stderr and "Traceback" not in result.output
    assert not (path.parent / "event.csv").exists()


def test_report_refuses_it_and_writes_nothing(misspelt):
    path, line = misspelt
    result = run("report", path, "-o", path.parent / "report.html", "--draws", "0")
    assert result.exit_code == 1 and MESSAGE in result.stderr
    assert not (path.parent / "report.html").exists()


def test_validate_json_names_the_field_and_line(misspelt):
    path, line = misspelt
    result = run("validate", path, "--json")
    assert result.exit_code == 1
    (entry,) = json.loads(result.stdout)["files"]
    assert entry["ok"] is False and [(p["field"], p["line"]) for p in entry["problems"]] == [("evidence", line)]


def test_adding_an_event_starts_the_ledger_and_says_so(misspelt):
    path, _ = misspelt
    result = run("evidence", "add", path, "--date", "2025-10-20", "--actor", "US", "--target", "CN", "--type", "consult",
                 "--description", "talks", "--source", "https://example.org/a")
    assert result.exit_code == 0, result.output
    assert f"there was no ledger at {path.parent / 'event.csv'}; started a new one there" in result.stderr
    assert run("validate", path).exit_code == 0
    assert "1 events" in run("evidence", "list", path).stdout


def test_a_scenario_without_evidence_is_fine(tmp_path, point_fits):
    path = tmp_path / "case.yaml"
    path.write_text(FLAGSHIP.read_text().replace("evidence: ../seeds/us-china-kl-2025/events.csv\n", ""))
    assert run("validate", path).exit_code == 0
    update = run("update", path, "--json")
    assert update.exit_code == 0, update.output
    assert json.loads(update.stdout)["events_used"] == 0
