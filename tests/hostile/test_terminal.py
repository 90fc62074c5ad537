"""What the CLI prints of user data never carries terminal control sequences; what it writes to a CSV
ledger never reads as a spreadsheet formula."""

import re

from tests.hostile.conftest import ADD, run

# C0 and C1 controls but newline, DEL, and the bidirectional overrides that reorder what a terminal shows
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NASTY = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\x9b0m \u202eevil\rover\ttab\x08"


def add(workspace, **values):
    args = list(ADD)
    for key, value in values.items():
        args[args.index(f"--{key}") + 1] = value
    result = run("evidence", "add", workspace / "s.yaml", *args)
    assert result.exit_code == 0, result.output
    return result


def test_a_description_with_escape_sequences_is_printed_inert(workspace):
    printed = add(workspace, description=NASTY).stdout
    listed = run("evidence", "list", workspace / "s.yaml").stdout
    for out in (printed, listed):
        assert not RAW.search(out), repr(out)
        assert "\\x1b[31mred" in out  # shown, escaped, not acted on


def test_a_resolution_source_with_escape_sequences_is_printed_inert(workspace):
    from negotiate.record.track import Forecast, TrackRecord

    db = workspace / "t.sqlite"
    with TrackRecord(db) as t:
        t.record(Forecast("us-china-kl-2025", "Deal?", "2025-10-30", "2025-10-23", 0.6, 0.5, 0.7, "m", "h", "update"))
    result = run("resolve", workspace / "s.yaml", "--outcome", "deal", "--on", "2025-10-30", "--source", NASTY, "--db", db)
    assert result.exit_code == 0, result.output
    out = run("history", "--db", db).stdout
    assert not RAW.search(out) and "\\x1b" in out


def test_error_messages_are_printed_inert(tmp_path):
    result = run("evidence", "list", tmp_path / "\x1b[31mred\x07\x9b1m.yaml")
    assert result.exit_code == 1 and not RAW.search(result.stderr.replace("\n", "")), repr(result.stderr)


def test_spreadsheet_formulas_are_stored_as_text_and_listed_as_given(workspace):
    formulas = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "=HYPERLINK(\"http://x\",\"y\")"]
    for day, text in enumerate(formulas, start=10):
        add(workspace, date=f"2025-10-{day}", description=text, source=text)
    stored = (workspace / "events.csv").read_text()
    cells = [cell for line in stored.splitlines()[1:] for cell in re.findall(r'(?:^|,)("(?:[^"]|"")*"|[^,]*)', line)]
    assert not [c for c in cells if c.lstrip('"').startswith(("=", "+", "-", "@"))]
    listed = run("evidence", "list", workspace / "s.yaml", "--json").stdout
    for text in formulas:
        assert text.replace('"', '\\"') in listed


def test_update_prints_ledger_text_inert(workspace, point_fits):
    add(workspace, description=NASTY, date="2025-10-23")
    out = run("update", workspace / "s.yaml", "--no-record").stdout
    assert not RAW.search(out), repr(out)
    assert "\\x1b[31mred" in out


def test_solve_sensitivity_and_sweep_print_scenario_text_inert(workspace):
    s = workspace / "s.yaml"
    text = s.read_text()
    s.write_text(text.replace("\ntitle: ", '\ntitle: "\\e[31mX\\u202e" #', 1))
    for args in (["solve", s], ["sensitivity", s, "--samples", "0"],
                 ["sweep", s, "--grid", "parties.US.patience=0.5:0.9:3"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert not RAW.search(result.stdout), (args, result.stdout)
        assert "\\x1b[31mX" in result.stdout  # shown, escaped
