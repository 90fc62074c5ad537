"""The user guide (docs/, mkdocs.yml) builds in strict mode, every page in its navigation is in the site, no
page links outside the repository, the commands it shows parse, and its JSON key tables match the keys the
other tests check."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from negotiate.cli.main import cli
from tests.conftest import ROOT
from tests.integration import test_cli_dynamics, test_cli_update, test_json_keys

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)[^)]*\)|\b(?:href|src)=[\"']([^\"']+)[\"']")


def nav_pages(nav) -> list[str]:
    """The Markdown files named in mkdocs.yml's nav, in order."""
    found = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found += nav_pages(value) if isinstance(value, list) else [value]
    return found


def config() -> dict:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def test_the_guide_builds_in_strict_mode_with_every_page(tmp_path):
    site = tmp_path / "site"
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
                           "--site-dir", str(site)], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    pages = nav_pages(config()["nav"])
    assert sorted(pages) == sorted(p.name for p in PAGES)  # every page is in the nav, and every nav entry a page
    for page in pages:
        built = site / ("index.html" if page == "index.md" else page.removesuffix(".md") + "/index.html")
        assert built.is_file(), page
    cli_page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    assert "cli-reference" not in cli_page  # the hook replaced its marker...
    for name in cli.commands:  # ...with every command's help
        assert f"negotiate {name} [OPTIONS]" in cli_page, name
    api_page = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert "negotiate.scenario.schema.load_scenario" in api_page and "Read, validate and return the scenario" in api_page


def links(path: Path) -> list[str]:
    return [a or b for a, b in LINK.findall(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("path", PAGES + [ROOT / "README.md"], ids=lambda p: p.name)
def test_no_page_links_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    assert "../shared" not in text
    for target in links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a web address or an anchor on the page
        local = target.split("#")[0]
        assert not local.startswith("/"), f"{path.name}: absolute link {target}"
        resolved = (path.parent / local).resolve()
        assert resolved.is_relative_to(ROOT), f"{path.name}: {target} leads outside the repository"
        assert resolved.exists(), f"{path.name}: {target} does not exist"


def test_the_readme_links_into_every_page_of_the_guide():
    linked = {Path(t.split("#")[0]).name for t in links(ROOT / "README.md") if t.startswith("docs/")}
    assert linked >= {p.name for p in PAGES}


def shown_commands(path: Path) -> list[list[str]]:
    """The `negotiate ...` command lines of a page's sh blocks (continuations joined; comments and redirections dropped)."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split(" #")[0].split("&&"):
                words = shlex.split(part.split(" > ")[0])
                if words and words[0].endswith("negotiate"):
                    commands.append(words[1:])
    return commands


@pytest.mark.parametrize("path", PAGES + [ROOT / "README.md"], ids=lambda p: p.name)
def test_the_commands_shown_parse(path):
    """Each command and option a page shows exists, with no extra arguments (they are parsed; nothing runs)."""
    for words in shown_commands(path):
        command: click.Command = cli
        ctx = click.Context(cli, info_name="negotiate")
        while isinstance(command, click.Group):
            sub = command.get_command(ctx, words[0]) if words else None
            assert sub is not None, f"{path.name}: negotiate {shlex.join(words)}: no such command"
            command, words = sub, words[1:]
            ctx = click.Context(command, info_name=command.name, parent=ctx)
        try:
            command.make_context(command.name, list(words), parent=ctx.parent)
        except click.NoSuchOption as exc:
            pytest.fail(f"{path.name}: {ctx.command_path} {shlex.join(words)}: {exc.format_message()}")
        except click.UsageError as exc:  # placeholders such as --date ... are bad values, not unknown options
            assert "unexpected extra argument" not in exc.format_message(), f"{path.name}: {ctx.command_path} {shlex.join(words)}"


def table_keys(page: str, heading: str) -> set[str]:
    """The first column's backticked names of the table under ``heading`` (a line that starts with it)."""
    text = (DOCS / page).read_text(encoding="utf-8")
    start = next(m.end() for m in re.finditer(r"^#+ (.*)$", text, flags=re.M) if m.group(1).startswith(heading))
    rows = re.findall(r"^\| (`.*?) \|", text[start:].split("\n#", 1)[0], flags=re.M)
    return {name for row in rows for name in re.findall(r"`([^`]+)`", row)}


def test_the_json_key_tables_match_the_keys_the_tests_check():
    assert table_keys("solve.md", "`solve --json` keys") == test_json_keys.SOLVE | {"monte_carlo"}
    assert table_keys("solve.md", "`solve --json` with `--fix`") == test_json_keys.WHAT_IF
    assert table_keys("solve.md", "`sensitivity --json` keys") == test_json_keys.SENSITIVITY
    assert table_keys("solve.md", "`sweep --json` keys") == test_json_keys.SWEEP
    assert table_keys("solve.md", "`solve --json` with `--dynamics`") == test_cli_dynamics.DYNAMICS
    assert table_keys("forecast.md", "`update --json` keys") == test_cli_update.KEYS | {"what_if"}


def test_docstrings_use_markdown_not_sphinx_roles():
    """The API page renders docstrings as Markdown, where a Sphinx role shows as raw ``:class:`` text."""
    role = re.compile(r":(?:class|func|data|meth|mod|attr|obj|exc):`")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "negotiate").rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if role.search(line)]
    assert found == []
