"""Hangs and memory: alias bombs, huge, endless and deeply nested inputs, impossible dates.

Each case runs the CLI in a child process with a time limit and a memory cap (1.5 GiB of address
space over what the interpreter starts with), so a regression fails the test instead of the machine.
"""

import json
import resource
import subprocess
import sys

import pytest

from negotiate.errors import NegotiateError
from negotiate.evidence.ledger import LedgerError, read_ledger
from negotiate.scenario.schema import load_scenario
from negotiate.yamlsource import MAX_DEPTH
from tests.conftest import FLAGSHIP, ROOT
from tests.hostile.conftest import copy_flagship, run

MEMORY = 3 * 2**30  # address space: the interpreter with numpy and pandas maps about 1 GiB


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def cli(*args, timeout=60):
    """``negotiate ARGS`` in a child process: (exit code, stderr); a time-out is a failure."""
    try:
        done = subprocess.run([sys.executable, "-m", "negotiate", *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, cwd=ROOT, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"negotiate {' '.join(map(str, args))} ran past {timeout} s")
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.returncode, done.stderr


BILLION_LAUGHS = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_an_alias_bomb_scenario_is_refused(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(FLAGSHIP.read_text() + "\n" + BILLION_LAUGHS.replace("\n", "\n").replace("a: &a", "x_a: &a"))
    code, err = cli("validate", bomb, timeout=30)
    assert code == 1 and "alias" in err


def test_an_alias_bomb_ledger_is_refused(tmp_path):
    s = copy_flagship(tmp_path, "events.yaml")
    lol = '["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    layers = ["date", "actor", "target", "type", "description", "source", "weight"]
    item = "".join(f"  {field}: &{field} " + (lol if i == 0 else "[" + ",".join([f"*{layers[i - 1]}"] * 9) + "]") + "\n"
                   for i, field in enumerate(layers))
    (tmp_path / "events.yaml").write_text("-" + item[1:] + "- {date: 2025-10-01, actor: US, target: CN, type: consult, "
                                          "source: x, description: [" + ",".join(["*weight"] * 9) + "]}\n")
    code, err = cli("evidence", "list", s, timeout=30)
    assert code == 1 and "events.yaml" in err and len(err) < 20_000


def test_a_few_aliases_in_a_scenario_still_work(tmp_path):
    text = FLAGSHIP.read_text().replace("evidence: ../seeds/", f"evidence: {ROOT}/seeds/")
    path = tmp_path / "s.yaml"
    path.write_text(text + "\nthird_parties: &tp {EU: European Union}\n")
    assert load_scenario(path).third_parties == {"EU": "European Union"}


@pytest.mark.parametrize("kind", ["scenario", "ledger"])
def test_a_file_over_the_size_cap_is_refused_quickly(tmp_path, kind):
    s = copy_flagship(tmp_path)
    big = ("# padding\n" * 1_100_000)
    if kind == "scenario":
        s.write_text(s.read_text() + big)
    else:
        with open(tmp_path / "events.csv", "a") as handle:
            handle.write("2025-10-01,US,CN,consult,x,https://x,1\n" * 300_000)
    code, err = cli("evidence", "list", s, timeout=30)
    assert code == 1 and "larger than 10 MB" in err


@pytest.mark.parametrize("role", ["scenario", "ledger", "import"])
def test_an_endless_file_is_refused(tmp_path, role):
    s = copy_flagship(tmp_path)
    if role == "scenario":
        code, err = cli("validate", "/dev/zero", timeout=30)
    elif role == "ledger":
        s.write_text(s.read_text().replace("evidence: events.csv", "evidence: /dev/zero"))
        code, err = cli("evidence", "list", s, timeout=30)
    else:
        code, err = cli("evidence", "import", s, "gdelt", "/dev/zero", "--dry-run", timeout=60)
    assert code == 1 and "/dev/zero" in err and "larger than" in err


@pytest.mark.parametrize("text", ["[" * 10_000, "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 1500)),
                                  "{a: " * 3000 + "1" + "}" * 3000])
def test_deep_nesting_is_a_clean_error(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    with pytest.raises(NegotiateError, match=f"nested deeper than {MAX_DEPTH}"):
        load_scenario(path)
    s = copy_flagship(tmp_path, "events.yaml")
    (tmp_path / "events.yaml").write_text(text)
    with pytest.raises(LedgerError, match=f"nested deeper than {MAX_DEPTH}"):
        read_ledger(tmp_path / "events.yaml", load_scenario(s))


def test_a_long_flow_list_in_a_ledger_is_refused_quickly(tmp_path):
    s = copy_flagship(tmp_path, "events.yaml")
    (tmp_path / "events.yaml").write_text("[" + "1, " * 2_500_000 + "1]")
    code, err = cli("evidence", "list", s, timeout=40)
    assert code == 1 and "events.yaml" in err


@pytest.mark.parametrize("date", ["2025-02-30", "2025-13-45", "!!timestamp 2025-02-30"])
def test_an_impossible_unquoted_date_in_a_scenario_names_file_line_and_field(tmp_path, date):
    s = copy_flagship(tmp_path)
    text = s.read_text()
    s.write_text(text.replace("as_of: 2025-10-23", f"as_of: {date}"))
    line = text[:text.index("as_of:")].count("\n") + 1
    with pytest.raises(NegotiateError) as info:
        load_scenario(s)
    shown = date.split()[-1]
    assert f"{s}:{line}: as_of: found '{shown}'; expected a date as YYYY-MM-DD" in str(info.value)


def test_an_impossible_unquoted_date_in_a_yaml_ledger_names_file_line_and_field(tmp_path):
    s = load_scenario(copy_flagship(tmp_path, "events.yaml"))
    (tmp_path / "events.yaml").write_text(
        "- {date: 2025-10-01, actor: US, target: CN, type: consult, description: ok, source: x}\n"
        "- {date: 2025-02-30, actor: US, target: CN, type: consult, description: bad, source: x}\n")
    with pytest.raises(LedgerError) as info:
        read_ledger(tmp_path / "events.yaml", s)
    assert str(info.value) == f"{tmp_path / 'events.yaml'}:2: date: found '2025-02-30'; expected a date as YYYY-MM-DD"


def test_valid_unquoted_dates_still_load(tmp_path):
    s = load_scenario(copy_flagship(tmp_path, "events.yaml"))
    (tmp_path / "events.yaml").write_text(
        "- {date: 2025-10-01, actor: US, target: CN, type: consult, description: ok, source: x}\n")
    assert [e.event.date.isoformat() for e in read_ledger(tmp_path / "events.yaml", s)] == ["2025-10-01"]
    assert json.dumps(str(s.as_of)) == '"2025-10-23"'


def test_an_import_whose_dates_are_all_invalid_is_a_clean_report(tmp_path):
    s = copy_flagship(tmp_path)
    row = (ROOT / "tests" / "data" / "importers" / "gdelt_sample.export.CSV").read_text().splitlines()[0].split("\t")
    rows = []
    for bad in ("20251399", "2025-02-30", "", "x"):
        row[1] = bad
        rows.append("\t".join(row))
    (tmp_path / "g.CSV").write_text("\n".join(rows) + "\n")
    result = run("evidence", "import", s, "gdelt", tmp_path / "g.CSV", "--dry-run")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code == 0 and "bad date" in result.stdout, result.output


def test_pytensor_compiles_somewhere_writable_when_home_is_not(tmp_path):
    """A read-only or missing home (containers, CI) must not stop a fit whose files go elsewhere."""
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    code = ("from negotiate.models.compiledir import ensure_compiledir\n"
            "chosen = ensure_compiledir()\n"
            "import pytensor\n"
            "print(chosen, pytensor.config.base_compiledir, sep='\\n')")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PYTENSOR")}
    env |= {"HOME": str(home), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    chosen, used = proc.stdout.splitlines()
    assert chosen == used == str(tmp_path / "cache" / "negotiate" / "pytensor")
