"""Commands that forecast: update, report, backtest."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from negotiate.cli.options import (
    DATE,
    DEFAULT_SEED,
    json_option,
    printable,
    record,
    record_options,
    reports_errors,
    scenario_argument,
)
from negotiate.report.tables import render_columns


def _types_in_words(types: list[str]) -> str:
    """'sanction x2, threaten': a day's event types, each once with its count."""
    counts = dict.fromkeys(types, 0)
    for t in types:
        counts[t] += 1
    return ", ".join(t if n == 1 else f"{t} x{n}" for t, n in counts.items())


def _render_update(d) -> str:
    s, prior, diag = d["scenario"], d["prior"], d["diagnostics"]
    lo, hi = d["interval"]
    out = [f"Question: {printable(s['question'])}", f"Deadline {s['deadline']}; as of {s['as_of']} ({d['days_left']} days left)", ""]
    if d["p_with_prior"] is not None and d["model"] != "v1":
        what = "the game's P(zone of agreement non-empty)" if prior["source"] == "game" else "your prior"
        out += [f"P(deal by the deadline) = {d['p_deal']:.1%}   with {what} ({prior['deal_probability']:.0%}, "
                f"strength {prior['strength']:g})",
                f"                         {d['p_model']:.1%}   the model alone (reference class and ledger)"]
    else:
        out.append(f"P(deal by the deadline) = {d['p_deal']:.1%}")
    out.append(f"Posterior uncertainty of the model's P (5-95% over parameter draws): {lo:.1%} to {hi:.1%}")
    out.append(f"Events used: {d['events_used']}" + (f" ({d['events_ignored_after_as_of']} after the as-of date ignored)"
                                                     if d["events_ignored_after_as_of"] else ""))
    if d["what_would_move"]:
        quiet = d["p_tomorrow_without_events"]
        out += ["", f"What would move it: P tomorrow is {quiet:.1%} with no news; with one more event of a kind tomorrow:"]
        ups = [m for m in d["what_would_move"] if m["change"] > 0][:3]
        downs = [m for m in d["what_would_move"] if m["change"] < 0][-3:]
        for m in ups + downs:
            out.append(f"  {m['type']:<10} {m['p_deal']:6.1%}  ({m['change']:+.1%})")
    if d["path"]:
        out += ["", "Path of P(deal) after each day's events:"]
        rows = [[p["date"], f"{p['p_deal']:6.1%}", f"{p['change']:+6.1%}", _types_in_words(p["types"]),
                 printable(p["event"])[:70]] for p in d["path"]]
        out += render_columns(["date", "P(deal)", "change", "events", "first event"], rows, indent="  ")
    if d["contributions"]:
        out += ["", "Events that move P(deal) most now (P with the event minus P without it):"]
        for c in d["contributions"][:5]:
            out.append(f"  {c['p_change']:+6.1%}  {c['date']}  {printable(c['actor'])}->{printable(c['target'])} "
                       f"{c['type']:<9} {printable(c['description'])[:60]}")
    if "what_if" in d:
        w = d["what_if"]
        out += ["", f"What if (as of {w['as_of']}; nothing written or recorded): P(deal) {w['p_with']:.1%} with "
                f"{len(w['events'])} hypothetical event(s), {w['p_without']:.1%} without ({w['change']:+.1%})"]
        out += [f"  {e['date']}  {printable(e['actor'])}->{printable(e['target'])} {e['type']:<9} "
                f"{printable(e['description'])[:60]}" for e in w["events"]]
    out += ["", f"Model {d['model']}: fit {d['fit']['key']} ({'reused' if d['fit']['reused'] else 'new'}; "
            f"{d['fit']['draws']} draws on {d['fit']['episodes']} episodes); max R-hat {diag['max_rhat']:.3f}, "
            f"min bulk ESS {diag['min_ess_bulk']:.0f}, divergences {diag['divergences']}"]
    if not diag["ok"]:
        out.append("WARNING: the fit fails its diagnostics (" + "; ".join(diag["failures"]) + "): treat P(deal) with suspicion")
    return "\n".join(out) + "\n"


def model_options(func):
    """Where the deal model comes from: variant, reference class, fit cache."""
    func = click.option("--fits", type=click.Path(file_okay=False, path_type=Path),
                        help="Where fits are stored (default: $NEGOTIATE_FITS or ~/.cache/negotiate/fits).")(func)
    func = click.option("--reference", type=click.Path(file_okay=False, path_type=Path),
                        help="Reference class directory (episodes.csv, events.csv); default: the shipped class + your additions.")(func)
    return click.option("--model", "model", default="hazard", show_default=True, metavar="NAME",
                        help="Deal model: hazard (default), hazard-domain, hazard-clock or v1.")(func)


def _notes(quiet: bool):
    return None if quiet else (lambda m: click.echo(m, err=True))


@click.command()
@scenario_argument
@json_option
@click.option("--as-of", "as_of", type=DATE,
              help="Answer as of this date, with the events up to it (default: the scenario's as_of).")
@click.option("--refit", is_flag=True, help="Fit the model again even if a stored fit exists.")
@model_options
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the prior's spread (v1); same seed, same numbers.")
@click.option("--strict", is_flag=True, help="Exit 1 when the fit fails its diagnostics (R-hat, ESS, divergences).")
@click.option("-q", "--quiet", is_flag=True, help="No notes or sampler progress on stderr.")
@click.option("--event", "what_if_events", multiple=True, metavar="'DATE,ACTOR,TARGET,TYPE,DESCRIPTION'",
              help="A hypothetical event (repeatable): show P as if it had happened; nothing is written or recorded.")
@click.option("--events", "what_if_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Hypothetical events from a ledger-format file (CSV or YAML), as --event.")
@record_options
@reports_errors
def update(scenario, as_json, as_of, refit, model, reference, fits, seed, strict, quiet, what_if_events, what_if_file,
           db, no_record):
    """P(deal by the deadline) from the ledger, with and without your prior, and what would move it.

    The first run fits the deal model on the reference class (about 30 s) and stores it; later
    runs reuse the stored fit and only compute the prediction (numpy, well under a second).

    \b
    Examples:
      negotiate update scenarios/us-china-kl-2025.yaml
      negotiate update scenarios/us-china-kl-2025.yaml --as-of 2025-10-12 --json
      negotiate update scenarios/us-china-kl-2025.yaml --model v1
      negotiate update scenarios/us-china-kl-2025.yaml \\
        --event "2025-10-26,US,CN,agree,framework agreed in Kuala Lumpur"
    """
    from negotiate.evidence.ledger import hypothetical_events, read_ledger, sorted_events
    from negotiate.models.update import update as run_update
    from negotiate.scenario.schema import load_scenario

    s = load_scenario(scenario)
    hypothetical = hypothetical_events(what_if_events, s)
    if what_if_file is not None:
        hypothetical += sorted_events(read_ledger(what_if_file, s))
    result = run_update(s, as_of=as_of, reference=reference, fit_dir=fits, refit=refit,
                        seed=seed, notify=_notes(quiet), model=model, hypothetical=hypothetical)
    # a what-if is not a forecast: it is never recorded
    result["record"] = None if no_record or hypothetical else record(db, s, result, "update")
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(printable(_render_update(result), newlines=True), nl=False)
    if not result["diagnostics"]["ok"]:
        click.echo("warning: the deal model's fit fails its diagnostics: " + "; ".join(result["diagnostics"]["failures"]), err=True)
        if strict:
            sys.exit(1)


@click.group()
def fit():
    """Stored fits of the deal model: export one for inspection with ArviZ.

    \b
    Example:
      negotiate fit export hazard-fit.nc
    """


@fit.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@model_options
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@reports_errors
def fit_export(path, model, reference, fits, force):
    """Write the stored fit of a model as an ArviZ DataTree (NetCDF): posterior with chains, sample stats.

    Fits the model first if no fit is stored for the reference class. Hazard models also get
    the pointwise log-likelihood of every training day, for az.loo. Open it with arviz:
    az.from_netcdf(PATH), then az.summary(...), az.loo(...) or az.plot_trace(...).

    \b
    Example:
      negotiate fit export hazard-fit.nc --model hazard
    """
    from negotiate.evidence.reference import DEFAULT_REFERENCE, load_reference
    from negotiate.models.export import export_fit
    from negotiate.models.update import fitted

    info = fitted(reference, fits, model=model, notify=lambda m: click.echo(m, err=True))
    export_fit(info.fit, path, overwrite=force, episodes=load_reference(reference or DEFAULT_REFERENCE))
    click.echo(f"Wrote {path}: fit {info.fit.key} of model {model} ({info.fit.size} draws)")


# ---------------------------------------------------------------- report


@click.command()
@scenario_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Report file: .html (self-contained), .md (figures beside it) or .json.")
@click.option("--figures", type=click.Path(file_okay=False, path_type=Path), help="Also write the charts as PNG files here.")
@click.option("--draws", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Monte Carlo draws over payoff uncertainty (0: none).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the draws and the prior's spread.")
@click.option("--as-of", "as_of", type=DATE, help="Report as of this date.")
@model_options
@click.option("-q", "--quiet", is_flag=True, help="No notes or sampler progress on stderr.")
@click.option("--sensitivity", "with_sensitivity", is_flag=True,
              help="Add which inputs decide the answer (one-at-a-time swings, tornado chart) and where learning "
                   "dynamics take play without a deal.")
@record_options
@reports_errors
def report(scenario, output, figures, draws, seed, as_of, model, reference, fits, quiet, with_sensitivity, db, no_record):
    """Write the probability report a strategist circulates (HTML, Markdown or JSON).

    Question, headline P(deal) with its interval and change since the previous report, the path
    chart, the events that moved it, the game (payoffs, equilibria, threat point, zone of agreement,
    bargaining frontier, predicted terms, robustness), diagnostics and provenance.

    \b
    Examples:
      negotiate report scenarios/us-china-kl-2025.yaml -o report.html
      negotiate report scenarios/us-china-kl-2025.yaml -o report.md \\
        --figures figs/
      negotiate report scenarios/us-china-kl-2025.yaml -o report.html \\
        --sensitivity
    """
    from negotiate.game.analysis import analyse
    from negotiate.game.montecarlo import monte_carlo
    from negotiate.models.update import update as run_update
    from negotiate.record.track import TrackRecord
    from negotiate.report.document import build_report, write_report
    from negotiate.report.document import figures as make_figures
    from negotiate.scenario.schema import load_scenario

    s = load_scenario(scenario)
    result = run_update(s, as_of=as_of, reference=reference, fit_dir=fits, seed=seed, notify=_notes(quiet), model=model)
    swings, learning = None, None
    if with_sensitivity:
        from negotiate.game.dynamics import DynamicsSettings
        from negotiate.game.sensitivity import sensitivity

        learning = DynamicsSettings(seed=seed)
    analysis = analyse(s, dynamics=learning)
    if with_sensitivity:
        swings = sensitivity(analysis.game, samples=0)
    if draws:
        analysis.monte_carlo = monte_carlo(analysis.game, draws, seed)
    solution = analysis.to_dict()
    if no_record:
        with TrackRecord(db) as track:
            last = track.previous(s.id)
        previous = None if last is None else last.summary()
    else:
        previous = record(db, s, result, "report")["previous"]
    content = build_report(result, solution, s.source_path, s.evidence_path(), seed, previous, swings)
    figs = make_figures(solution, result, swings) if output.suffix.lower() != ".json" or figures else {}
    for path in write_report(output, content, figs, figures):
        click.echo(f"Wrote {path}")


COLUMNS = (("model", "model"), ("base_rate_by_horizon", "by horizon"), ("base_rate", "base rate"),
           ("coin", "coin"), ("prior", "no events"))


def _render_backtest(d: dict) -> str:
    out = [f"Backtest ({d['mode']}, {d['folds']} folds a model; {d['resumed_folds']} of {d['tasks']} fold fits "
           f"resumed from {d['state']})"]
    for name, m in d["models"].items():
        out += ["", f"== {name}: Brier (lower is better) and log score (higher is better) per horizon",
                f"  {'horizon':<17}{'n':>4}  " + " ".join(f"{label:>10}" for _, label in COLUMNS)]
        for h, v in m["horizons"].items():
            out.append(f"  {h:<17}{v['n']:>4}  " + " ".join(f"{v[k]['brier']:10.3f}" for k, _ in COLUMNS) + "   Brier")
            out.append(f"  {'':<17}{'':>4}  " + " ".join(f"{v[k]['log_score']:10.3f}" for k, _ in COLUMNS) + "   log")
        beaten = [h for h, v in m["horizons"].items()
                  if all(v["model"]["brier"] < v[k]["brier"] for k, _ in COLUMNS[1:4])]
        out.append(f"  beats the base rate, the base rate by horizon and a coin flip on Brier at: {', '.join(beaten) or 'no horizon'}")
        first = next(iter(m["horizons"].values()))["skill"]
        out.append(f"  Brier of the model minus the base rate by horizon, with a {first['level']:.0%} interval "
                   "from resampling whole clusters; below 0 is better:")
        for h, v in m["horizons"].items():
            lo, hi = v["skill"]["interval"]
            verdict = "better" if hi < 0 else "worse" if lo > 0 else "cannot tell"
            out.append(f"    {h:<17}{v['skill']['difference']:+.3f}  [{lo:+.3f}, {hi:+.3f}]  {verdict}")
        out += [f"  reliability (fixed horizons; expected calibration error {m['calibration_error']:.3f}):",
                f"    {'forecast bin':<14}{'count':>6}  {'mean forecast':>13}  {'observed':>8}"]
        for r in m["reliability"]:
            if r["count"]:
                lo, hi = r["bin"]
                out.append(f"    {lo:.1f}-{hi:.1f}{'':<7}{r['count']:>6}  {r['mean_forecast']:13.2f}  {r['observed']:8.2f}")
        out.append("  worst-forecast episodes (mean Brier over fixed horizons):")
        for w in m["worst"]:
            fc = ", ".join(f"{h} {p:.2f}" for h, p in w["forecasts"].items())
            out.append(f"    {w['episode']:<26} outcome {w['outcome']}  Brier {w['brier']:.3f}  ({fc})")
        g = m["diagnostics"]
        out.append(f"  fits: max R-hat {g['max_rhat']:.3f}, min bulk ESS {g['min_ess_bulk']:.0f}, "
                   f"max divergences in a fold {g['divergences']}")
    return "\n".join(out) + "\n"


@click.command()
@click.argument("reference", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--train", "train", type=click.Path(file_okay=False, path_type=Path),
              help="Fit on this reference directory...")
@click.option("--test", "test", type=click.Path(file_okay=False, path_type=Path),
              help="...and score the episodes of this one (no cross-validation).")
@click.option("--model", "models", default="hazard", show_default=True, metavar="NAMES",
              help="Deal models to score side by side, comma-separated (hazard, hazard-domain, hazard-clock, v1), or all.")
@click.option("--folds", "folding", type=click.Choice(["cluster", "episode"]), default="cluster", show_default=True,
              help="Leave out one cluster of linked rounds, or one episode, at a time.")
@click.option("--jobs", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1,
              show_default="the number of cores", help="Worker processes of the embedded Dask cluster.")
@click.option("--scheduler", help="Run the folds on a running Dask cluster, e.g. tcp://host:8786.")
@click.option("--state", type=click.Path(file_okay=False, path_type=Path),
              help="Where finished folds are kept for resuming (default: beside the fit cache).")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write a reliability diagram of the first model (PNG).")
@click.option("--draws", type=click.IntRange(min=50), default=1000, show_default=True, help="Posterior draws per chain.")
@click.option("--tune", type=click.IntRange(min=50), default=500, show_default=True, help="Tuning steps per chain.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@json_option
@reports_errors
def backtest(reference, train, test, models, folding, jobs, scheduler, state, plot, draws, tune, quiet, as_json):
    """Score deal models on negotiations whose outcome is known (leave-one-cluster-out).

    Forecasts each held-out episode 30, 14, 7, 3 and 1 days before its deadline and after each
    of its events; prints Brier and log scores against four baselines (base rate by horizon,
    training base rate, coin flip, the model with no events), a reliability table with its
    calibration error and the worst-forecast episodes. Finished folds are kept, so an
    interrupted run resumes. A fold whose fit fails its diagnostics is reported loudly.

    REFERENCE is the reference directory to cross-validate on (episodes.csv and events.csv);
    the shipped reference class when omitted.

    It fits the model once a fold: on the shipped class (123 clusters), about 10 minutes on 2 cores
    for the default model and about 35 for all four. It prints an estimate when it starts and
    its progress on stderr (-q to silence).

    \b
    Examples:
      negotiate backtest
      negotiate backtest --model all --jobs 2 --json > backtest.json
      negotiate backtest --train seeds/reference --test my-cases/
      negotiate backtest --scheduler tcp://127.0.0.1:8786
    """
    import dataclasses

    from negotiate.errors import NegotiateError
    from negotiate.models.backtest import backtest as run_backtest
    from negotiate.models.deal import SamplerConfig
    from negotiate.models.variants import VARIANTS

    if test is not None and reference is not None:
        raise click.UsageError("give either REFERENCE (cross-validation) or --train/--test, not both")
    if test is None and train is not None and reference is not None:
        raise click.UsageError("give the reference directory once: as REFERENCE or as --train")
    names = tuple(VARIANTS) if models == "all" else tuple(m.strip() for m in models.split(",") if m.strip())
    tty = sys.stderr.isatty() and not quiet

    def progress(done, total, label, seconds_left):
        if tty:
            eta = f"; about {seconds_left / 60:.0f} min left" if seconds_left is not None and done < total else ""
            click.echo(f"\r[{done}/{total}] fold fits done ({label}{eta})" + " " * 10, err=True, nl=done == total)

    sampler = dataclasses.replace(SamplerConfig(), draws=draws, tune=tune)
    result = run_backtest(train or reference, test, models=names, folding=folding, jobs=jobs, scheduler=scheduler,
                          state_dir=state, sampler=sampler, progress=progress)
    for name, m in result["models"].items():
        if m["diagnostics"]["failed_folds"]:
            click.echo(f"WARNING: {name}: {len(m['diagnostics']['failed_folds'])} fold fits fail their diagnostics "
                       f"(R-hat > 1.01, bulk ESS < 400 or divergences): {', '.join(m['diagnostics']['failed_folds'])}; "
                       "their scores are suspect", err=True)
    if plot:
        from negotiate.report.plots import plot_reliability

        try:
            plot_reliability(next(iter(result["models"].values()))["reliability"]).savefig(plot, dpi=150)
        except OSError as exc:
            raise NegotiateError(f"{plot}: cannot write the plot ({exc.strerror})") from None
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(_render_backtest(result), nl=False)
