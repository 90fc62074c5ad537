import json
import shutil

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from tests.conftest import DATA, FLAGSHIP, ROOT

LEDGER = ROOT / "seeds" / "us-china-kl-2025" / "events.csv"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def scenario(tmp_path):
    text = FLAGSHIP.read_text().replace("evidence: ../seeds/us-china-kl-2025/events.csv", "evidence: events.csv")
    (tmp_path / "s.yaml").write_text(text)
    shutil.copy(LEDGER, tmp_path / "events.csv")
    return tmp_path / "s.yaml"


ADD = ["--date", "2025-10-22", "--actor", "US", "--target", "CN", "--type", "consult",
       "--description", "Bessent: talks in Kuala Lumpur this weekend", "--source", "https://example.org/x"]


def test_add_prints_the_row_and_appends(runner, scenario):
    before = (scenario.parent / "events.csv").read_bytes()
    result = runner.invoke(cli, ["evidence", "add", str(scenario)] + ADD)
    assert result.exit_code == 0, result.output
    assert "2025-10-22  US     CN      consult  1       Bessent: talks in Kuala Lumpur this weekend" in result.stdout
    after = (scenario.parent / "events.csv").read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1


def test_add_duplicate_refused_then_allowed(runner, scenario):
    runner.invoke(cli, ["evidence", "add", str(scenario)] + ADD)
    again = runner.invoke(cli, ["evidence", "add", str(scenario)] + ADD)
    assert again.exit_code == 1
    assert again.stderr == (f"Error: {scenario.parent / 'events.csv'}: duplicate of an event already in the ledger "
                            "(same date 2025-10-22, actor US, type consult and source)\n(pass --allow-duplicate to add it anyway)\n")
    assert runner.invoke(cli, ["evidence", "add", str(scenario), "--allow-duplicate"] + ADD).exit_code == 0


def test_add_bad_values_lists_every_problem(runner, scenario):
    args = ["evidence", "add", str(scenario), "--date", "2025-13-01", "--actor", "UK", "--target", "CN",
            "--type", "agre", "--description", "x", "--source", "y", "--weight", "1.5"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: --date: found '2025-13-01'; expected a date as YYYY-MM-DD",
        "--actor: found 'UK'; expected one of the parties or declared third parties: US (United States), CN (China)",
        "--type: found 'agre', not in the event catalogue; did you mean 'agree'?",
        "--weight: found '1.5'; expected a number in (0, 1]",
    ]


def test_add_after_as_of_needs_the_flag_and_is_flagged(runner, scenario):
    args = ["evidence", "add", str(scenario), "--date", "2025-10-26", "--actor", "US", "--target", "CN",
            "--type", "agree", "--description", "framework", "--source", "https://example.org/y"]
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 1 and "a forecast must not see the future" in refused.stderr
    ok = runner.invoke(cli, args + ["--after-as-of"])
    assert ok.exit_code == 0 and "dated after as_of" in ok.stderr
    listed = runner.invoke(cli, ["evidence", "list", str(scenario)])
    assert "2025-10-26!" in listed.stdout and "1 after as_of 2025-10-23 (!)" in listed.stdout


def test_list_is_in_date_order_and_json(runner, scenario):
    result = runner.invoke(cli, ["evidence", "list", str(scenario), "--json"])
    assert result.exit_code == 0
    events = json.loads(result.stdout)["events"]
    dates = [e["date"] for e in events]
    assert dates == sorted(dates) and len(events) >= 10
    assert set(events[0]) == {"date", "actor", "target", "type", "description", "source", "weight", "after_as_of"}


def test_list_reports_a_broken_ledger(runner, scenario):
    (scenario.parent / "events.csv").write_text("date,actor,target,type,description,source,weight\n2025-01-01,US,CN,nope,x,y,1\n")
    result = runner.invoke(cli, ["evidence", "list", str(scenario)])
    assert result.exit_code == 1
    assert "events.csv:2: type: found 'nope', not in the event catalogue" in result.stderr


def test_scenario_without_ledger(runner, tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(FLAGSHIP.read_text().replace("evidence: ../seeds/us-china-kl-2025/events.csv\n", ""))
    result = runner.invoke(cli, ["evidence", "list", str(p)])
    assert result.exit_code == 1 and "no evidence ledger; add `evidence: events.csv`" in result.stderr


def test_types_lists_the_catalogue(runner):
    result = runner.invoke(cli, ["evidence", "types", "--json"])
    types = {t["type"]: t for t in json.loads(result.stdout)}
    assert len(types) == 16
    assert types["threaten"]["direction"] == "conflictual" and types["threaten"]["cameo"] == ["13"]
    assert types["consult"]["plover"] == "CONSULT"
    text = runner.invoke(cli, ["evidence", "types"]).stdout
    assert text.splitlines()[0].split() == ["type", "direction", "PLOVER", "CAMEO", "meaning"]


def test_scenario_types_are_added(runner, tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(FLAGSHIP.read_text() + "event_types:\n  summit_scheduled: {direction: cooperative, meaning: a leaders' meeting is set}\n")
    result = runner.invoke(cli, ["evidence", "types", str(p), "--json"])
    assert any(t["type"] == "summit_scheduled" and t["plover"] is None for t in json.loads(result.stdout))


def test_import_dry_run_writes_nothing_then_import_adds(runner, scenario):
    ledger = scenario.parent / "events.csv"
    before = ledger.read_bytes()
    args = ["evidence", "import", str(scenario), "gdelt", str(DATA / "importers" / "gdelt_sample.export.CSV")]
    dry = runner.invoke(cli, args + ["--dry-run", "--json"])
    assert dry.exit_code == 0
    out = json.loads(dry.stdout)
    assert (out["read"], out["kept"], out["mapped"], out["added"]) == (13, 8, 6, 5)
    assert ledger.read_bytes() == before
    real = runner.invoke(cli, args)
    assert real.exit_code == 0 and "added 5" in real.stdout
    assert ledger.read_bytes().startswith(before)
    again = runner.invoke(cli, args)
    assert "added 0" in again.stdout and "(5 already there)" in again.stdout


def test_import_bad_date_option_is_bad_input(runner, scenario):
    args = ["evidence", "import", str(scenario), "gdelt", str(DATA / "importers" / "gdelt_sample.export.CSV"),
            "--since", "last week"]
    result = runner.invoke(cli, args)  # one rule for bad dates: bad input, exit 1 (issue 15)
    assert result.exit_code == 1 and "--since: found 'last week'; expected a date as YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize("weight", ["heavy", "0", "1.5", "nan"])
@pytest.mark.parametrize("command", ["add", "import"])
def test_one_weight_rule_in_add_and_import(runner, scenario, command, weight):
    if command == "add":
        args = ["evidence", "add", str(scenario), "--date", "2025-10-20", "--actor", "US", "--target", "CN",
                "--type", "consult", "--description", "d", "--source", "s", "--weight", weight]
    else:
        args = ["evidence", "import", str(scenario), "gdelt", str(DATA / "importers" / "gdelt_sample.export.CSV"),
                "--dry-run", "--weight", weight]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr == f"Error: --weight: found {weight!r}; expected a number in (0, 1]\n"


def test_import_takes_the_scenario_first_like_every_command(runner, scenario):
    usage = runner.invoke(cli, ["evidence", "import", "--help"]).output
    assert "Usage: cli evidence import [OPTIONS] SCENARIO FORMAT FILE" in usage


@pytest.mark.parametrize(("given", "stored"), [("us", "US"), ("United States", "US"), ("china", "CN"), (" Cn ", "CN")])
def test_add_accepts_a_partys_name_or_any_case_and_stores_its_id(runner, scenario, given, stored):
    result = runner.invoke(cli, ["evidence", "add", str(scenario), "--date", "2025-10-20", "--actor", given,
                                 "--target", "US" if stored == "CN" else "CN", "--type", "consult",
                                 "--description", "d", "--source", "s", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"][0]["actor"] == stored


def test_add_suggests_the_party_a_misspelt_name_means(runner, scenario):
    result = runner.invoke(cli, ["evidence", "add", str(scenario), "--date", "2025-10-20", "--actor", "Chna",
                                 "--target", "US", "--type", "consult", "--description", "d", "--source", "s"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: --actor: found 'Chna'; expected one of the parties or declared third parties: "
                             "US (United States), CN (China); did you mean 'CN' (China)?\n")
