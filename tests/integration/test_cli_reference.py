import csv
import json
import shutil

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.evidence.reference import DEFAULT_REFERENCE
from tests.conftest import DATA

BAD = DATA / "reference" / "bad_check"


@pytest.fixture
def runner():
    return CliRunner()


def _shipped_counts():
    episodes = list(csv.DictReader((DEFAULT_REFERENCE / "episodes.csv").read_text(encoding="utf-8").splitlines()))
    events = list(csv.DictReader((DEFAULT_REFERENCE / "events.csv").read_text(encoding="utf-8").splitlines()))
    deals = sum(e["outcome"] == "1" for e in episodes)
    return (len(episodes), deals, len(events), len({e["cluster"] for e in episodes}),
            len({e["domain"] for e in episodes}))


def test_check_the_shipped_class(runner):
    n, deals, events, clusters, domains = _shipped_counts()
    result = runner.invoke(cli, ["reference", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"OK {DEFAULT_REFERENCE}: {n} episodes ({deals} deals, {n - deals} without), "
                             f"{events} events, {clusters} clusters, {domains} domains\n")
    assert result.stderr == ""


def test_check_a_directory_given(runner, tmp_path):
    shutil.copy(DEFAULT_REFERENCE / "episodes.csv", tmp_path / "episodes.csv")
    shutil.copy(DEFAULT_REFERENCE / "events.csv", tmp_path / "events.csv")
    result = runner.invoke(cli, ["reference", "check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"OK {tmp_path}: ")


def test_check_prints_every_problem_and_exits_1(runner):
    result = runner.invoke(cli, ["reference", "check", str(BAD)])
    assert result.exit_code == 1
    ep, ev = BAD / "episodes.csv", BAD / "events.csv"
    assert result.stderr.splitlines() == [
        f"{ep}:3: bad-2: resolved_on 2020-03-20; expected the deadline 2020-04-01 for an episode without a deal",
        f"{ep}:3: bad-2: 2 events; expected at least 6 before the resolution",
        f"{ev}:2: bad-1: event on 2019-12-31, before the episode's start 2020-01-01",
        f"{ev}:7: bad-1: event on 2020-01-20, not before the resolution 2020-01-20: "
        "the outcome itself or a report of it does not belong in the run-up",
    ]
    assert result.stdout == ""


def test_check_json(runner):
    n, deals, events, clusters, domains = _shipped_counts()
    result = runner.invoke(cli, ["reference", "check", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == ["directory", "ok", "episodes", "deals", "without_deal", "events", "clusters", "domains",
                          "by_domain", "problems"]
    assert data["directory"] == str(DEFAULT_REFERENCE) and data["ok"] is True and data["problems"] == []
    assert (data["episodes"], data["deals"], data["without_deal"], data["events"], data["clusters"], data["domains"]) == (
        n, deals, n - deals, events, clusters, domains)
    assert sum(data["by_domain"].values()) == n and len(data["by_domain"]) == domains


def test_check_json_with_problems_exits_1(runner):
    result = runner.invoke(cli, ["reference", "check", "--json", str(BAD)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and len(data["problems"]) == 4
    assert (data["episodes"], data["deals"], data["without_deal"], data["events"]) == (2, 1, 1, 8)


def test_check_a_version_1_directory_asks_for_the_new_columns(runner):
    result = runner.invoke(cli, ["reference", "check", str(DATA / "reference" / "v1")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{DATA / 'reference' / 'v1' / 'episodes.csv'}:1: header: found the version-1 columns")


def test_loading_errors_go_through_the_error_handler(runner, tmp_path):
    result = runner.invoke(cli, ["reference", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {tmp_path / 'episodes.csv'}: file not found; "
                             "a reference directory holds episodes.csv and events.csv\n")
    shutil.copytree(BAD, tmp_path / "bad")
    events = tmp_path / "bad" / "events.csv"
    events.write_text(events.read_text().replace(",reject,First offer refused,", ",rejct,First offer refused,"))
    result = runner.invoke(cli, ["reference", "check", str(tmp_path / "bad")])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {events}:3: type: found 'rejct', not in the event catalogue; did you mean 'reject'?\n"
