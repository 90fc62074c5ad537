"""`negotiate new` writes the starter scenario with its ledger beside it, so the tour's next step
(`evidence add`) works (issue 15: the starter had `evidence:` commented out)."""

from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.evidence.ledger import FIELDS
from negotiate.scenario.schema import load_scenario
from negotiate.scenario.starter import starter_ledger


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_new_starts_the_ledger_beside_the_scenario(tmp_path):
    path = tmp_path / "case.yaml"
    assert run("new", path).exit_code == 0
    ledger = tmp_path / "case.events.csv"
    assert starter_ledger(path) == ledger and load_scenario(path).evidence_path() == ledger
    assert ledger.read_text() == ",".join(FIELDS) + "\n"
    added = run("evidence", "add", path, "--date", "2025-01-02", "--actor", "A", "--target", "B", "--type", "consult",
                "--description", "first talks", "--source", "https://example.org/a")
    assert added.exit_code == 0, added.output
    assert "1 events" in run("evidence", "list", path).stdout


def test_each_scenario_gets_its_own_ledger_and_force_keeps_it(tmp_path):
    assert run("new", tmp_path / "a.yaml").exit_code == 0 and run("new", tmp_path / "b.yaml").exit_code == 0
    assert {p.name for p in tmp_path.glob("*.events.csv")} == {"a.events.csv", "b.events.csv"}
    (tmp_path / "a.events.csv").write_text("mine")
    assert run("new", tmp_path / "a.yaml", "--force").exit_code == 0
    assert (tmp_path / "a.events.csv").read_text() == "mine"
