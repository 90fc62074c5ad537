"""One rule for bad dates (issue 15: evidence add exited 1, update --as-of and resolve --on 2): bad input is 1."""

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from tests.conftest import FLAGSHIP


@pytest.mark.parametrize("args, option, value", [
    (["update", FLAGSHIP, "--as-of", "2025-13-01"], "--as-of", "2025-13-01"),
    (["resolve", FLAGSHIP, "--outcome", "deal", "--source", "x", "--on", "yesterday"], "--on", "yesterday"),
    (["evidence", "add", FLAGSHIP, "--date", "2025-02-30", "--actor", "US", "--target", "CN", "--type", "consult",
      "--description", "d", "--source", "s"], "--date", "2025-02-30"),
])
def test_a_bad_date_is_bad_input(args, option, value):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 1
    assert f"Error: {option}: found {value!r}; expected a date as YYYY-MM-DD" in result.stderr
