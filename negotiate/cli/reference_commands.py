"""The reference group: check the reference class of past negotiations."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from negotiate.cli.options import json_option, reports_errors


@click.group()
def reference():
    """The reference class of past negotiations that the deal model learns from: check.

    \b
    Example:
      negotiate reference check
    """


@reference.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@json_option
@reports_errors
def reference_check(directory, as_json):
    """Check a reference class (episodes.csv, events.csv): print OK with its counts, or every problem.

    DIRECTORY defaults to the shipped class (seeds/reference in the repository), without
    your additions (check those by their directory, printed by resolve --add-to-reference).
    The rules are those of seeds/reference/README.md: events on or after the episode's start
    and strictly before its resolution, between its two parties, typed from the catalogue,
    sourced, each row once; every episode sourced, with a cluster, a valid domain, deadline
    kind and summit flag, a deadline on or after its start, a resolution on the deadline when
    there was no deal and on or before it when there was, and at least 6 events. A file that
    cannot be loaded is reported with its lines. Exit code 1 when there is any problem.

    \b
    Examples:
      negotiate reference check
      negotiate reference check my-class/ --json
    """
    from negotiate.evidence.reference import DEFAULT_REFERENCE, check_reference, load_reference

    directory = directory if directory is not None else DEFAULT_REFERENCE
    problems = check_reference(directory)  # loading errors raise, and reports_errors shows them
    episodes = load_reference(directory, additions=False)
    deals = sum(e.outcome for e in episodes)
    domains = Counter(e.domain for e in episodes)
    summary = {"episodes": len(episodes), "deals": deals, "without_deal": len(episodes) - deals,
               "events": sum(len(e.events) for e in episodes), "clusters": len({e.group for e in episodes}),
               "domains": len(domains)}
    if as_json:
        click.echo(json.dumps({"directory": str(directory), "ok": not problems} | summary
                              | {"by_domain": dict(sorted(domains.items())), "problems": problems}, indent=2))
    elif problems:
        for problem in problems:
            click.echo(problem, err=True)
    else:
        click.echo(f"OK {directory}: {summary['episodes']} episodes ({deals} deals, {summary['without_deal']} without), "
                   f"{summary['events']} events, {summary['clusters']} clusters, {summary['domains']} domains")
    if problems:
        sys.exit(1)
