"""MkDocs hook: writes the CLI reference (docs/cli.md) from click's own help texts at build time.

The page holds a marker line; this hook replaces it with every command's ``--help``, walking the
command tree of ``negotiate.cli.main:cli``, so the reference cannot drift from the program.
"""

from __future__ import annotations

import click

MARKER = "<!-- cli-reference -->"
WIDTH = 80  # the width the help texts are written for


def _walk(command: click.Command, parent: click.Context | None, name: str):
    settings = {**command.context_settings, "max_content_width": WIDTH, "terminal_width": WIDTH}
    ctx = click.Context(command, info_name=name, parent=parent, **settings)
    yield ctx
    if isinstance(command, click.Group):
        for sub in command.list_commands(ctx):
            child = command.get_command(ctx, sub)
            if child is not None and not child.hidden:
                yield from _walk(child, ctx, sub)


def cli_reference() -> str:
    """Markdown: one section a command, its help text as printed by ``negotiate ... --help``."""
    from negotiate.cli.main import cli

    parts = []
    for ctx in _walk(cli, None, "negotiate"):
        level = "#" * min(2 + ctx.command_path.count(" "), 4)
        summary = ctx.command.get_short_help_str(limit=200)
        parts.append(f"{level} `{ctx.command_path}`\n\n{summary}\n\n```text\n{ctx.get_help()}\n```\n")
    return "\n".join(parts)


def on_page_markdown(markdown: str, page, config, files) -> str:  # the hook signature MkDocs calls
    if MARKER in markdown:
        return markdown.replace(MARKER, cli_reference())
    return markdown
