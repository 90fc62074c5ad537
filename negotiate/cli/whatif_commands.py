"""What-if commands: sensitivity (which inputs decide the answer) and sweep (outcomes over a grid)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from negotiate.cli.options import FIX, FLAG_NAMES, SET, json_option, printable, reports_errors, scenario_argument


def what_if_options(func):
    func = click.option("--set", "sets", multiple=True, type=SET, metavar="PATH=VALUE",
                        help="Override a number first (repeatable), as in solve.")(func)
    func = click.option("--fix", "fixes", multiple=True, type=FIX, metavar="LEVER=OPTION",
                        help="Commit a lever to one option first (repeatable), as in solve.")(func)
    return click.option("--equilibrium-rule", type=click.Choice(["worst", "best", "mean"]), default="worst", show_default=True,
                        help="Threat point among several equilibria.")(func)


def _power_of_two(ctx, param, value):
    if value and value & (value - 1):
        raise click.BadParameter(f"{value}: expected 0 or a power of 2 (256, 512, 1024, ...)")
    return value


def save_figure(fig, path: Path) -> None:
    from negotiate.errors import NegotiateError

    try:
        fig.savefig(path, dpi=150)
    except OSError as exc:
        raise NegotiateError(f"{path}: cannot write the plot ({exc.strerror})") from None


@click.command()
@scenario_argument
@json_option
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write a tornado chart (PNG).")
@click.option("--samples", type=click.IntRange(min=0), default=512, show_default=True, callback=_power_of_two,
              help="Base samples of the Sobol' indices, a power of 2 (0: no indices).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the Sobol' sequence.")
@click.option("--fixed-swing", type=click.FloatRange(min=0), default=0.1, show_default=True,
              help="A fixed payoff swings by this fraction of the largest absolute payoff (0: leave them out).")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Inputs listed in the text and chart.")
@what_if_options
@reports_errors
def sensitivity(scenario, as_json, plot, samples, seed, fixed_swing, top, equilibrium_rule, fixes, sets):
    """Which inputs decide the answer: one-at-a-time swings, ranked, and Sobol' indices.

    Every payoff distribution swings to its 5% and 95% quantiles, every fixed payoff by
    --fixed-swing, each party's patience by 0.1 and power by a factor of 2, one at a time; the
    swings that change the predicted terms, the threat equilibrium, whether a zone of agreement
    exists or self-enforcement come first. Sobol' indices apportion the variance of each side's gain
    and of "zone of agreement non-empty" over joint payoff draws.

    \b
    Examples:
      negotiate sensitivity scenarios/us-china-kl-2025.yaml
      negotiate sensitivity scenarios/us-china-kl-2025.yaml --json \\
        --plot tornado.png
    """
    from negotiate.game.posture import PostureGame
    from negotiate.game.sensitivity import sensitivity as run
    from negotiate.report.whatif_text import render_sensitivity
    from negotiate.scenario.overrides import load_what_if

    loaded, fixed, values = load_what_if(scenario, sets, fixes, FLAG_NAMES)
    result = run(PostureGame(loaded, fixed), equilibrium_rule, samples, seed, fixed_swing, values)
    if plot:
        from negotiate.report.whatif_plots import tornado_chart

        save_figure(tornado_chart(result, top=top), plot)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(printable(render_sensitivity(result, top, FLAG_NAMES), newlines=True), nl=False)


def _grid(ctx, param, values):
    from negotiate.errors import NegotiateError
    from negotiate.game.sweep import parse_grid

    for text in values:
        try:
            parse_grid(text, FLAG_NAMES["grid"])
        except NegotiateError as exc:
            raise click.BadParameter(str(exc)) from None
    if not 1 <= len(values) <= 2:
        raise click.BadParameter(f"given {len(values)} times; expected once or twice (one or two grids)")
    return values


@click.command()
@scenario_argument
@click.option("--grid", "grids", multiple=True, required=True, callback=_grid, metavar="PATH=LO:HI:N",
              help="A number to sweep over N values from LO to HI; once or twice, e.g. parties.US.patience=0.5:0.99:50.")
@json_option
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path),
              help="Write heat maps (two grids) or curves (one) of every outcome (PNG).")
@click.option("--jobs", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1, show_default="the number of CPUs",
              help="Worker processes of the embedded Dask cluster for sweeps larger than --chunk.")
@click.option("--scheduler", help="Run the chunks on a running Dask cluster, e.g. tcp://host:8786.")
@click.option("--chunk", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Grid points per Dask task; a sweep of at most this many points runs in this process.")
@what_if_options
@reports_errors
def sweep(scenario, grids, as_json, plot, jobs, scheduler, chunk, equilibrium_rule, fixes, sets):
    """The outcome at every point of one or two grids of numbers of the scenario.

    At each point: the predicted agreement, the size of the zone of agreement, the critical
    discount factor and whether the deal is self-enforcing, each side's gain. A grid's PATH is any
    payoff (or a field of its distribution: mean, sd, low, mode, high), a party's patience or power,
    or a number of an explicit threat. Sweeps larger than --chunk points run as Dask tasks.

    \b
    Examples:
      negotiate sweep scenarios/trade-war-pd.yaml \\
        --grid parties.H.patience=0.3:0.7:41 --set parties.F.patience=0.9
      negotiate sweep scenarios/us-china-kl-2025.yaml \\
        --grid parties.US.patience=0.5:0.99:50 \\
        --grid levers.chips.options.ease.US.mean=-3:0:31 --plot heat.png
    """
    from negotiate.game.sweep import load_sweep
    from negotiate.game.sweep import sweep as run
    from negotiate.report.whatif_text import render_sweep

    game, checked, values = load_sweep(scenario, grids, sets, fixes, FLAG_NAMES)
    result = run(game, checked, equilibrium_rule, values, jobs, scheduler, chunk)
    if plot:
        from negotiate.report.whatif_plots import sweep_figure

        save_figure(sweep_figure(result), plot)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(printable(render_sweep(result, FLAG_NAMES), newlines=True), nl=False)
