"""GDELT publishes its exports zipped, and a file none of whose rows parses is an error, not "added 0"
(issue 15: importing the .zip gave "skipped 14: wrong number of columns" and nothing else)."""

import zipfile

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.errors import NegotiateError
from negotiate.evidence.importers import import_file
from negotiate.scenario.schema import load_scenario
from tests.conftest import DATA, FLAGSHIP

GDELT = DATA / "importers" / "gdelt_sample.export.CSV"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FLAGSHIP)


def zipped(tmp_path, *members):
    path = tmp_path / "20251022.export.CSV.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def test_a_zipped_export_reads_as_the_file_inside(scenario, tmp_path):
    plain = import_file("gdelt", GDELT, scenario)
    inside = import_file("gdelt", zipped(tmp_path, ("20251022.export.CSV", GDELT.read_bytes())), scenario)
    assert (inside.read, inside.kept, inside.mapped, inside.skipped) == (plain.read, plain.kept, plain.mapped, plain.skipped)
    assert inside.events == plain.events


def test_a_zip_must_hold_one_file(scenario, tmp_path):
    path = zipped(tmp_path, ("a.CSV", b"x"), ("b.CSV", b"y"))
    with pytest.raises(NegotiateError, match=r"a zip file with 2 files \(a.CSV, b.CSV\); expected one event data file"):
        import_file("gdelt", path, scenario)


ICEWS_HEADER = (DATA / "importers" / "icews_sample.tab").read_text().splitlines()[0]


@pytest.mark.parametrize("fmt, text, width", [("gdelt", "a,b,c\n1,2,3\n", 61),
                                              ("icews", ICEWS_HEADER + "\n1,2\n3,4\n", ICEWS_HEADER.count("\t") + 1)])
def test_a_file_of_which_no_row_parses_is_an_error(scenario, tmp_path, fmt, text, width):
    path = tmp_path / "events.txt"
    path.write_text(text)
    with pytest.raises(NegotiateError, match=f"none of its 2 rows has {width} tab-separated fields \\(most have 1\\)"):
        import_file(fmt, path, scenario)


def test_the_command_fails_with_exit_1(tmp_path):
    path = tmp_path / "not-gdelt.csv"
    path.write_text("date,actor\n2025-10-01,US\n")
    result = CliRunner().invoke(cli, ["evidence", "import", str(FLAGSHIP), "gdelt", str(path), "--dry-run"])
    assert result.exit_code == 1 and "expected a GDELT 2.0 events export" in result.stderr
