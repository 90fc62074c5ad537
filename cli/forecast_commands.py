"""Commands that forecast: update, report, backtest."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from cli.options import DATE, json_option, record, record_options, reports_errors, scenario_argument


def _render_update(d: dict) -> str:
    s, prior, diag = d["scenario"], d["prior"], d["diagnostics"]
    lo, hi = d["interval"]
    out = [f"Question: {s['question']}", f"Deadline {s['deadline']}; as of {s['as_of']}", "",
           f"P(deal by the deadline) = {d['p_deal']:.1%}   (90% interval {lo:.1%} to {hi:.1%})", ""]
    if prior["source"] == "reference":
        out.append(f"Prior: the reference class base rate, {prior['mean']:.1%}")
    else:
        what = "the game's P(zone of agreement non-empty)" if prior["source"] == "game" else "the strategist's"
        out.append(f"Prior: {what} {prior['deal_probability']:.1%} with strength {prior['strength']:g} "
                   f"(90% interval {prior['interval'][0]:.1%} to {prior['interval'][1]:.1%})")
    out.append(f"Events used: {d['events_used']}" + (f" ({d['events_ignored_after_as_of']} after the as-of date ignored)"
                                                     if d["events_ignored_after_as_of"] else ""))
    if d["path"]:
        out += ["", "Path of P(deal) after each day's events:"]
        for p in d["path"]:
            out.append(f"  {p['date']}  {p['p_deal']:6.1%}  {p['change']:+6.1%}  {', '.join(p['types']):<18} {p['event'][:70]}")
    if d["contributions"]:
        out += ["", "Events that move P(deal) most now (P with the event minus P without it):"]
        for c in d["contributions"][:5]:
            out.append(f"  {c['p_change']:+6.1%}  {c['date']}  {c['actor']}->{c['target']} {c['type']:<9} {c['description'][:60]}")
    out += ["", f"Model: fit {d['fit']['key']} ({'reused' if d['fit']['reused'] else 'new'}; {d['fit']['draws']} draws"
            f" on {d['fit']['episodes']} episodes); max R-hat {diag['max_rhat']:.3f}, min bulk ESS "
            f"{diag['min_ess_bulk']:.0f}, divergences {diag['divergences']}"]
    if not diag["ok"]:
        out.append("WARNING: the fit fails its diagnostics (" + "; ".join(diag["failures"]) + "): treat P(deal) with suspicion")
    return "\n".join(out) + "\n"


@click.command()
@scenario_argument
@json_option
@click.option("--as-of", "as_of", type=DATE,
              help="Answer as of this date, with the events up to it (default: the scenario's as_of).")
@click.option("--refit", is_flag=True, help="Fit the model again even if a stored fit exists.")
@click.option("--reference", type=click.Path(file_okay=False, path_type=Path),
              help="Reference class directory (episodes.csv, events.csv); default: seeds/reference.")
@click.option("--fits", type=click.Path(file_okay=False, path_type=Path),
              help="Where fits are stored (default: $NEGOTIATE_FITS or ~/.cache/negotiate/fits).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the prior's spread; same seed, same numbers.")
@click.option("--strict", is_flag=True, help="Exit 1 when the fit fails its diagnostics (R-hat, ESS, divergences).")
@record_options
@reports_errors
def update(scenario, as_json, as_of, refit, reference, fits, seed, strict, db, no_record):
    """P(deal by the deadline) from the prior and the ledger, with its path and what moved it.

    \b
    The first run fits the deal model on the reference class (seconds) and stores it; later runs
    reuse the stored fit and only compute the prediction.
    Examples:
      negotiate update scenarios/us-china-kl-2025.yaml
      negotiate update scenarios/us-china-kl-2025.yaml --as-of 2025-10-12 --json
    """
    from models.update import update as run_update
    from negotiate.scenario.schema import load_scenario

    s = load_scenario(scenario)
    result = run_update(s, as_of=as_of, reference=reference, fit_dir=fits, refit=refit,
                        seed=seed, notify=lambda m: click.echo(m, err=True))
    result["record"] = None if no_record else record(db, s, result, "update")
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_render_update(result), nl=False)
    if not result["diagnostics"]["ok"]:
        click.echo("warning: the deal model's fit fails its diagnostics: " + "; ".join(result["diagnostics"]["failures"]), err=True)
        if strict:
            sys.exit(1)


# ---------------------------------------------------------------- report


@click.command()
@scenario_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Report file: .html (self-contained), .md (figures beside it) or .json.")
@click.option("--figures", type=click.Path(file_okay=False, path_type=Path), help="Also write the charts as PNG files here.")
@click.option("--draws", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Monte Carlo draws over payoff uncertainty (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws and the prior's spread.")
@click.option("--as-of", "as_of", type=DATE, help="Report as of this date.")
@click.option("--fits", type=click.Path(file_okay=False, path_type=Path), help="Fit cache (as for update).")
@click.option("--reference", type=click.Path(file_okay=False, path_type=Path), help="Reference class (as for update).")
@record_options
@reports_errors
def report(scenario, output, figures, draws, seed, as_of, fits, reference, db, no_record):
    """Write the probability report a strategist circulates (HTML, Markdown or JSON).

    \b
    Question, headline P(deal) with its interval and change since the previous report, the path
    chart, the events that moved it, the game (payoffs, equilibria, threat point, zone of agreement,
    bargaining frontier, predicted terms, robustness), diagnostics and provenance.
    Examples:
      negotiate report scenarios/us-china-kl-2025.yaml -o report.html
      negotiate report scenarios/us-china-kl-2025.yaml -o report.md --figures figs/
    """
    from models.update import update as run_update
    from negotiate.game.analysis import analyse
    from negotiate.game.montecarlo import monte_carlo
    from negotiate.record.track import TrackRecord
    from negotiate.report.document import build_report, write_report
    from negotiate.report.document import figures as make_figures
    from negotiate.scenario.schema import load_scenario

    s = load_scenario(scenario)
    result = run_update(s, as_of=as_of, reference=reference, fit_dir=fits, seed=seed,
                        notify=lambda m: click.echo(m, err=True))
    analysis = analyse(s)
    if draws:
        analysis.monte_carlo = monte_carlo(analysis.game, draws, seed)
    solution = analysis.to_dict()
    if no_record:
        with TrackRecord(db) as track:
            last = track.previous(s.id)
        previous = None if last is None else last.summary()
    else:
        previous = record(db, s, result, "report")["previous"]
    content = build_report(result, solution, s.source_path, s.evidence_path(), seed, previous)
    figs = make_figures(solution, result) if output.suffix.lower() != ".json" or figures else {}
    for path in write_report(output, content, figs, figures):
        click.echo(f"Wrote {path}")


def _render_backtest(d: dict) -> str:
    out = [f"Backtest ({d['mode']}, {d['folds']} folds; {d['resumed_folds']} resumed from {d['state']})", "",
           "Scores per horizon (Brier: lower is better; log score: higher is better)",
           f"  {'horizon':<17}{'n':>4}  {'model':>7} {'base rate':>9} {'prior':>7}   {'model':>7} {'base rate':>9} {'prior':>7}",
           f"  {'':<17}{'':>4}  {'Brier':^25}   {'log score':^25}"]
    for h, v in d["horizons"].items():
        b = [v[k]["brier"] for k in ("model", "base_rate", "prior")]
        lg = [v[k]["log_score"] for k in ("model", "base_rate", "prior")]
        out.append(f"  {h:<17}{v['n']:>4}  {b[0]:7.3f} {b[1]:9.3f} {b[2]:7.3f}   {lg[0]:7.3f} {lg[1]:9.3f} {lg[2]:7.3f}")
    seven = d["horizons"].get("7d")
    if seven:
        beats = seven["model"]["brier"] < seven["base_rate"]["brier"]
        out.append(f"  at 7 days the model {'beats' if beats else 'does NOT beat'} the base rate on Brier score "
                   f"({seven['model']['brier']:.3f} vs {seven['base_rate']['brier']:.3f})")
    out += ["", "Reliability (model, fixed horizons)", f"  {'forecast bin':<14}{'count':>6}  {'mean forecast':>13}  {'observed':>8}"]
    for r in d["reliability"]:
        if r["count"]:
            lo, hi = r["bin"]
            out.append(f"  {lo:.1f}-{hi:.1f}{'':<7}{r['count']:>6}  {r['mean_forecast']:13.2f}  {r['observed']:8.2f}")
    out += ["", "Worst-forecast episodes (mean Brier over fixed horizons)"]
    for w in d["worst"]:
        fc = ", ".join(f"{h} {p:.2f}" for h, p in w["forecasts"].items())
        out.append(f"  {w['episode']:<24} outcome {w['outcome']}  Brier {w['brier']:.3f}  ({fc})")
    g = d["diagnostics"]
    out += ["", f"Fits: max R-hat {g['max_rhat']:.3f}, min bulk ESS {g['min_ess_bulk']:.0f}, "
            f"max divergences in a fold {g['divergences']}"]
    return "\n".join(out) + "\n"


@click.command()
@click.argument("reference", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--train", "train", type=click.Path(file_okay=False, path_type=Path),
              help="Fit on this reference directory...")
@click.option("--test", "test", type=click.Path(file_okay=False, path_type=Path),
              help="...and score the episodes of this one (no leave-one-out).")
@click.option("--jobs", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1,
              show_default="the number of cores", help="Worker processes of the embedded Dask cluster.")
@click.option("--scheduler", help="Run the folds on a running Dask cluster, e.g. tcp://host:8786.")
@click.option("--state", type=click.Path(file_okay=False, path_type=Path),
              help="Where finished folds are kept for resuming (default: beside the fit cache).")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write a reliability diagram (PNG).")
@click.option("--draws", type=click.IntRange(min=50), default=1000, show_default=True, help="Posterior draws per chain.")
@click.option("--tune", type=click.IntRange(min=50), default=1000, show_default=True, help="Tuning steps per chain.")
@json_option
@reports_errors
def backtest(reference, train, test, jobs, scheduler, state, plot, draws, tune, as_json):
    """Score the deal model on negotiations whose outcome is known (leave-one-episode-out).

    \b
    Forecasts each held-out episode 30, 14, 7 and 1 days before its deadline and after each of
    its events; prints Brier and log scores against two baselines (training base rate, prior
    alone), a reliability table and the worst-forecast episodes. Finished folds are kept, so an
    interrupted run resumes.
    Examples:
      negotiate backtest
      negotiate backtest --jobs 2 --plot reliability.png --json
      negotiate backtest --train seeds/reference --test my-cases/
      negotiate backtest --scheduler tcp://127.0.0.1:8786
    """
    import dataclasses

    from models.backtest import backtest as run_backtest
    from models.deal import SamplerConfig
    from negotiate.errors import NegotiateError

    if test is not None and reference is not None:
        raise click.UsageError("give either REFERENCE (leave-one-out) or --train/--test, not both")
    if test is None and train is not None and reference is not None:
        raise click.UsageError("give the reference directory once: as REFERENCE or as --train")
    tty = sys.stderr.isatty()

    def progress(done, total, label):
        if tty:
            click.echo(f"\r[{done}/{total}] folds done ({label})" + " " * 20, err=True, nl=done == total)

    sampler = dataclasses.replace(SamplerConfig(), draws=draws, tune=tune)
    result = run_backtest(train or reference, test, jobs=jobs, scheduler=scheduler, state_dir=state,
                          sampler=sampler, progress=progress)
    if plot:
        from negotiate.report.plots import plot_reliability

        try:
            plot_reliability(result["reliability"]).savefig(plot, dpi=150)
        except OSError as exc:
            raise NegotiateError(f"{plot}: cannot write the plot ({exc.strerror})") from None
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(_render_backtest(result), nl=False)
