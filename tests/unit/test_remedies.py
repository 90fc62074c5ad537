"""The library says what is wrong in its own words; only cli/ turns remedy keys into flags to pass."""

import ast
import re

import negotiate.errors
from negotiate.cli.options import REMEDY_HINTS
from tests.conftest import ROOT

FLAG = re.compile(r"--[a-z]")
REMEDIES = {name: value for name, value in vars(negotiate.errors).items() if name.startswith("REMEDY_")}


def test_every_remedy_key_has_a_hint_and_every_hint_a_key():
    assert REMEDIES == {"REMEDY_OVERWRITE": "overwrite", "REMEDY_REFIT": "refit", "REMEDY_AMEND": "amend",
                        "REMEDY_AFTER_AS_OF": "after_as_of", "REMEDY_DUPLICATE": "duplicate",
                        "REMEDY_OUTSIDE": "outside", "REMEDY_FIX": "fix"}
    assert REMEDY_HINTS.keys() == set(REMEDIES.values())
    assert all(FLAG.search(hint) for hint in REMEDY_HINTS.values())


def test_the_library_raises_remedies_by_their_constants():
    """``with_remedies(...)`` and ``remedies.add(...)`` take REMEDY_* names, never ad-hoc strings."""
    calls = []
    for path in sorted((ROOT / "negotiate").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = node.func.value
            if node.func.attr == "with_remedies" or (
                    node.func.attr == "add" and isinstance(receiver, ast.Name) and receiver.id == "remedies"):
                for arg in node.args:
                    arg = arg.value if isinstance(arg, ast.Starred) else arg
                    calls.append((path.relative_to(ROOT).as_posix(), node.lineno, ast.unparse(arg)))
    assert calls  # the scan sees the library's remedies
    assert [c for c in calls if c[2] not in REMEDIES and c[2] != "remedies"] == []


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def flags_in_strings(source: str, name: str = "<source>") -> list[tuple[str, int, str]]:
    """String constants (f-string parts included, docstrings left out) that contain a flag such as ``--force``."""
    tree = ast.parse(source, filename=name)
    docstrings = _docstrings(tree)
    return [(name, node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and FLAG.search(node.value)]


def test_the_scan_finds_flags_in_strings_but_not_in_docstrings():
    source = '''"""Pass --force."""
def f(path):
    """Run again with --refit."""
    x = "a -- b, -1, --7"
    raise ValueError(f"{path}: exists (pass --force)")
'''
    assert flags_in_strings(source) == [("<source>", 5, ": exists (pass --force)")]


def test_no_string_in_the_library_names_a_flag():
    found = []
    for path in sorted(p for p in (ROOT / "negotiate").rglob("*.py") if "cli" not in p.relative_to(ROOT).parts):
        found += flags_in_strings(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    assert found == []
