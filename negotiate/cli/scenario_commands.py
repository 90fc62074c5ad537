"""Commands on scenario files: validate, solve, new."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from negotiate.cli.options import DEFAULT_SEED, FIX, FLAG_NAMES, SET, json_option, printable, reports_errors, scenario_argument


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@json_option
def validate(scenarios, as_json):
    """Check scenario files; print OK or every problem (file:line: field: found; expected).

    Exit code 1 when any file has a problem. With --json: one object, {"ok": true when every file
    is, "files": [{"file", "ok", "summary" or "problems": [{"line", "field", "message"}]}]}.

    \b
    Example:
      negotiate validate scenarios/*.yaml --json
    """
    from negotiate.errors import ScenarioError
    from negotiate.game.posture import PostureGame
    from negotiate.scenario.ledger_file import existing_ledger
    from negotiate.scenario.schema import load_scenario

    results, failed = [], False
    for path in scenarios:
        try:
            existing_ledger(scenario := load_scenario(path))
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
        click.echo(json.dumps({"ok": not failed, "files": results}, indent=2))
    if failed:
        sys.exit(1)


METHODS = ["exact", "nashpy-support", "nashpy-vertex", "nashpy-lemke-howson"]  # negotiate.game.methods.METHODS


@click.command()
@scenario_argument
@json_option
@click.option("--draws", type=click.IntRange(min=0), default=0, show_default=True,
              help="Monte Carlo draws over uncertain payoffs (0: none).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Seed for --draws and for the restarts of --dynamics; same seed, same numbers.")
@click.option("--equilibrium-rule", type=click.Choice(["worst", "best", "mean", "dynamics"]), default="worst",
              show_default=True,
              help="Threat point among several equilibria: lowest or highest joint payoff, their mean, or the one "
                   "learning dynamics from the status quo settle at most often.")
@click.option("--dynamics", "show_dynamics", is_flag=True,
              help="Run nashpy's learning dynamics (fictitious play, replicator) from the status quo and from "
                   "uniform play; show where play settles and how often.")
@click.option("--restarts", type=click.IntRange(min=1), default=10, show_default=True,
              help="Runs of each dynamics from each start, each from a random point near it.")
@click.option("--method", type=click.Choice(METHODS), default="exact", show_default=True,
              help="Equilibrium solver: exact (complete vertex enumeration) or one of nashpy's on the reduced game.")
@click.option("--fix", "fixes", multiple=True, type=FIX, metavar="LEVER=OPTION",
              help="Commit a lever to one option (repeatable); shows what changes.")
@click.option("--set", "sets", multiple=True, type=SET, metavar="PATH=VALUE",
              help="Override a number by its dotted path (repeatable), e.g. parties.US.patience=0.8; shows what changes.")
@reports_errors
def solve(scenario, as_json, draws, seed, equilibrium_rule, show_dynamics, restarts, method, fixes, sets):
    """Solve a scenario: equilibria, threat point, zone of agreement, bargaining, predicted terms.

    With --fix or --set, the game is solved as asked and compared with the scenario as written
    (equilibria, threat point, zone of agreement, predicted terms, each side's gain).

    With --dynamics, nashpy's fictitious play and replicator dynamics run on the reduced game from
    the status quo and from uniform play (--restarts runs of each from random points near each
    start, seeded by --seed) and report which equilibrium play settles at, and how often.

    \b
    Examples:
      negotiate solve scenarios/us-china-kl-2025.yaml
      negotiate solve scenarios/us-china-kl-2025.yaml --json
      negotiate solve scenarios/us-china-kl-2025.yaml --draws 2000 --seed 7
      negotiate solve scenarios/us-china-kl-2025.yaml --fix tariffs=impose_100
      negotiate solve scenarios/us-china-kl-2025.yaml \\
        --set parties.US.patience=0.8
      negotiate solve scenarios/us-china-kl-2025.yaml --dynamics \\
        --equilibrium-rule dynamics
      negotiate solve scenarios/us-china-kl-2025.yaml --method nashpy-support
    """
    if equilibrium_rule == "dynamics" and draws:
        raise click.UsageError("--equilibrium-rule dynamics cannot be combined with --draws: the learning dynamics "
                               "run on the game at its central payoffs only; use worst, best or mean with --draws")
    given = click.get_current_context().get_parameter_source("restarts") != click.core.ParameterSource.DEFAULT
    if given and not show_dynamics and equilibrium_rule != "dynamics":
        raise click.UsageError("--restarts applies only with --dynamics or --equilibrium-rule dynamics")
    from negotiate.game.analysis import analyse
    from negotiate.game.montecarlo import monte_carlo
    from negotiate.report.solve_text import render_analysis
    from negotiate.scenario.schema import load_scenario

    settings = None
    if show_dynamics or equilibrium_rule == "dynamics":
        from negotiate.game.dynamics import DynamicsSettings

        settings = DynamicsSettings(restarts=restarts, seed=seed)
    options = {"rule": equilibrium_rule, "method": method}
    if fixes or sets:
        from negotiate.game.posture import fits_in_memory
        from negotiate.game.whatif import what_if
        from negotiate.scenario.overrides import load_what_if

        changed, fixed, values = load_what_if(scenario, sets, fixes, FLAG_NAMES)
        analysis = analyse(changed, fixed=fixed, dynamics=settings, **options)
        baseline_settings = settings if equilibrium_rule == "dynamics" else None
        original = load_scenario(scenario)
        if fits_in_memory(original):
            comparison = what_if(analyse(original, dynamics=baseline_settings, **options), analysis, fixed, values)
        else:  # --fix is the way to solve a game too large as written: solve it, compare with nothing
            comparison = None
            click.echo("note: the scenario as written is too large to solve on this machine, so the game "
                       "with --fix/--set is not compared with it", err=True)
    else:
        analysis, comparison = analyse(load_scenario(scenario), dynamics=settings, **options), None
    if draws:
        analysis.monte_carlo = monte_carlo(analysis.game, draws, seed, equilibrium_rule,
                                           progress=_draws_progress(analysis.game, draws))
    result = analysis.to_dict()
    if comparison is not None:
        result["what_if"] = comparison
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(printable(render_analysis(result, FLAG_NAMES), newlines=True), nl=False)


# Monte Carlo runs estimated to take longer than this (seconds) say so on stderr, with progress on a terminal.
LONG_DRAWS = 5.0


def _draws_progress(game, draws: int):
    """Announce a long Monte Carlo run on stderr; return a progress printer for a terminal, else None."""
    from negotiate.game.montecarlo import estimated_seconds

    seconds = estimated_seconds(game, draws)
    if seconds < LONG_DRAWS:
        return None
    m, n = game.shape
    click.echo(f"note: --draws {draws:,} over {m * n:,} agreements takes about {seconds:.0f} s "
               f"(time grows with draws x agreements)", err=True)
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        click.echo(f"\r[{done:,}/{total:,}] draws solved", err=True, nl=done == total)

    return progress


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@reports_errors
def new(path, force):
    """Write a commented starter scenario to PATH (never overwrites without --force).

    \b
    Example:
      negotiate new my-case.yaml && negotiate solve my-case.yaml
    """
    from negotiate.scenario.starter import write_starter

    write_starter(path, overwrite=force)
    click.echo(f"Wrote {path}: edit it, then run `negotiate validate {path}` and `negotiate solve {path}`.")
