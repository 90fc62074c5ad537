"""The `negotiate` command. Library errors become exit code 1 with their message; usage errors 2.

Heavy modules are imported inside the commands so that `negotiate --help` stays fast, and
`solve`, `validate` and `new` never import pymc, pytensor or arviz.
"""

from __future__ import annotations

import functools
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click


def _version() -> str:
    try:
        return version("negotiate")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0+unknown"


def reports_errors(func):
    """Turn the library's NegotiateError into a clean message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from negotiate.errors import NegotiateError

        try:
            return func(*args, **kwargs)
        except NegotiateError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object with stable keys instead of a table.")(func)


scenario_argument = click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="negotiate")
def cli():
    """Forecasting and negotiation game theory: scenario, equilibria, bargaining.

    \b
    Start with a scenario file (YAML) describing each side's levers:
      negotiate new my-case.yaml
      negotiate validate my-case.yaml
      negotiate solve my-case.yaml --draws 2000 --seed 7
    """


@cli.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@json_option
def validate(scenarios, as_json):
    """Check scenario files; print OK or every problem (file:line: field: found; expected).

    \b
    Example:
      negotiate validate scenarios/us-china-kl-2025.yaml
    Exit code 1 when any file has a problem.
    """
    from negotiate.errors import ScenarioError
    from negotiate.games import PostureGame
    from negotiate.scenario import load_scenario

    results, failed = [], False
    for path in scenarios:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            failed = True
            results.append({"file": str(path), "ok": False, "problems": [
                {"line": p.line, "field": p.field(), "message": p.message} for p in exc.problems]})
            if not as_json:
                click.echo(exc.render(), err=True)
            continue
        shape = PostureGame(scenario).shape
        summary = (f"{len(scenario.parties)} parties, {len(scenario.levers)} levers, "
                   f"{len(scenario.interactions)} interactions, {shape[0]} x {shape[1]} posture game")
        results.append({"file": str(path), "ok": True, "summary": summary})
        if not as_json:
            click.echo(f"OK {path}: {summary}")
    if as_json:
        click.echo(json.dumps(results, indent=2))
    if failed:
        sys.exit(1)


@cli.command()
@scenario_argument
@json_option
@click.option("--draws", type=click.IntRange(min=0), default=0, show_default=True,
              help="Monte Carlo draws over uncertain payoffs (0: none).")
@click.option("--seed", type=int, default=None, help="Seed for --draws; the same seed gives the same numbers.")
@click.option("--equilibrium-rule", type=click.Choice(["worst", "best", "mean"]), default="worst", show_default=True,
              help="Threat point among several equilibria: lowest or highest joint payoff, or their mean.")
@reports_errors
def solve(scenario, as_json, draws, seed, equilibrium_rule):
    """Solve a scenario: equilibria, threat point, zone of agreement, bargaining, predicted terms.

    \b
    Examples:
      negotiate solve scenarios/us-china-kl-2025.yaml
      negotiate solve scenarios/us-china-kl-2025.yaml --json
      negotiate solve scenarios/us-china-kl-2025.yaml --draws 2000 --seed 7
    """
    from negotiate.analysis import analyse
    from negotiate.montecarlo import monte_carlo
    from negotiate.scenario import load_scenario
    from negotiate.text import render_analysis

    analysis = analyse(load_scenario(scenario), rule=equilibrium_rule)
    if draws:
        analysis.monte_carlo = monte_carlo(analysis.game, draws, seed, equilibrium_rule)
    result = analysis.to_dict()
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(render_analysis(result), nl=False)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@reports_errors
def new(path, force):
    """Write a commented starter scenario to PATH (never overwrites without --force).

    \b
    Example:
      negotiate new my-case.yaml && negotiate solve my-case.yaml
    """
    from negotiate.starter import write_starter

    write_starter(path, overwrite=force)
    click.echo(f"Wrote {path}: edit it, then run `negotiate validate {path}` and `negotiate solve {path}`.")


def main():  # console-script entry point
    cli(prog_name="negotiate")


if __name__ == "__main__":
    main()
