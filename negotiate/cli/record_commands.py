"""The track record: history, resolve, score."""

from __future__ import annotations

import json
from pathlib import Path

import click

from negotiate.cli.options import DATE, columns, db_option, json_option, printable, reports_errors, scenario_argument


@click.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@db_option
@json_option
@reports_errors
def history(scenario, db, as_json):
    """List the forecasts recorded in the track record (of one scenario, or all).

    \b
    Example:
      negotiate history scenarios/us-china-kl-2025.yaml
    """
    import dataclasses

    from negotiate.record.track import TrackRecord
    from negotiate.scenario.schema import load_scenario

    sid = load_scenario(scenario).id if scenario else None
    with TrackRecord(db, readonly=True) as track:
        rows = track.forecasts(sid)
        resolutions = {r.scenario_id: r for r in track.resolutions(sid)}
    if as_json:
        click.echo(json.dumps({"forecasts": [dataclasses.asdict(f) for f in rows],
                               "resolutions": [dataclasses.asdict(r) for r in resolutions.values()]}, indent=2))
        return
    if not rows:
        click.echo("No forecasts recorded yet (negotiate update records one).")
        return
    header = ["made (UTC)", "scenario", "as of", "P(deal)", "90% interval", "input", "model"]
    table = [[f.made_at[:19].replace("T", " "), f.scenario_id, f.as_of, f"{f.p:.1%}",
              f"{f.lo:.1%}-{f.hi:.1%}" if f.lo is not None else "", f.input_hash, f.model_version] for f in rows]
    click.echo(columns(header, table), nl=False)
    for r in resolutions.values():
        click.echo(printable(f"{r.scenario_id}: resolved {r.outcome} on {r.resolved_on} ({r.source})"))


@click.command()
@scenario_argument
@click.option("--outcome", required=True, type=click.Choice(["deal", "no-deal", "void"]), help="What happened.")
@click.option("--on", "on", required=True, type=DATE, help="Date it was known, YYYY-MM-DD.")
@click.option("--source", required=True, help="URL or citation that documents the outcome.")
@click.option("--amend", is_flag=True, help="Replace an earlier, different resolution (both are kept).")
@click.option("--reason", help="Why the resolution is amended (required with --amend).")
@click.option("--add-to-reference", is_flag=True, help="Also add the scenario and its ledger to the reference class.")
@click.option("--reference", type=click.Path(file_okay=False, path_type=Path),
              help="Reference directory for --add-to-reference (default: your additions to the shipped class).")
@db_option
@reports_errors
def resolve(scenario, outcome, on, source, amend, reason, add_to_reference, reference, db):
    """Record how a question resolved: deal, no-deal or void.

    \b
    Example:
      negotiate resolve scenarios/us-china-kl-2025.yaml --outcome deal \\
        --on 2025-10-30 --source "https://..." --add-to-reference
    """
    import datetime as dt

    from negotiate.errors import NegotiateError
    from negotiate.record.track import Resolution, TrackRecord
    from negotiate.scenario.schema import load_scenario

    s = load_scenario(scenario)
    if on < s.as_of:
        raise NegotiateError(f"--on {on} is before the scenario's as_of {s.as_of}; expected the date the outcome was known")
    today = dt.date.today()
    if on > today:
        raise NegotiateError(f"--on {on} is after today ({today}); expected the date the outcome was known")
    if outcome == "deal" and on > s.deadline:
        click.echo(f"warning: a deal on {on} came after the deadline {s.deadline}; the question asks for a deal by the "
                   f"deadline, so it resolves as no-deal (record --outcome no-deal, or --amend this resolution)", err=True)
    added = []
    add = None
    if add_to_reference:  # both or neither: the episode is added inside the resolution's transaction
        from negotiate.evidence.reference import DEFAULT_REFERENCE, add_episode, episode_from_scenario

        target = reference or DEFAULT_REFERENCE
        episode = episode_from_scenario(s, outcome, on, source)  # refuses a void question before anything is written

        def add(_resolution):
            added.append(add_episode(target, episode, replace=amend) or target)

    with TrackRecord(db) as track:
        current, written = track.resolve(Resolution(s.id, outcome, on.isoformat(), source, reason=reason),
                                         amend=amend, also=add)
    click.echo(f"{s.id}: {'resolved' if written else 'already resolved'} as {current.outcome} on {current.resolved_on}"
               + (f" (amends resolution #{current.amends})" if written and current.amends else ""))
    if added:
        click.echo(f"Added {s.id} to the reference class in {printable(added[0])}; the next update refits on it.")


@click.command()
@db_option
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write a calibration chart (PNG).")
@json_option
@reports_errors
def score(db, plot, as_json):
    """Score every resolved question in the track record: Brier, log score, reliability.

    Each forecast counts once for the Brier and log scores; the time-averaged Brier of a question
    counts each forecast for the days until the next one replaced it.

    \b
    Example:
      negotiate score --plot calibration.png
    """
    from negotiate.record.scoring import score_track_record
    from negotiate.record.track import TrackRecord

    with TrackRecord(db, readonly=True) as track:
        result = score_track_record(track.resolved_questions())
    if plot:
        from negotiate.errors import NegotiateError
        from negotiate.report.plots import plot_reliability

        if plot.suffix.lower() not in (".png", ".svg", ".pdf"):
            raise NegotiateError(f"{plot}: unknown chart format {plot.suffix or '(none)'}; expected .png, .svg or .pdf")
        try:
            plot_reliability(result["reliability"], title="Calibration of the track record").savefig(plot, dpi=150)
        except OSError as exc:
            raise NegotiateError(f"{plot}: cannot write the plot ({exc.strerror or exc})") from None
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    if not result["questions"]:
        click.echo("No resolved questions with forecasts yet (negotiate resolve ... records an outcome).")
        return
    click.echo(f"{result['questions']} resolved questions, {result['forecasts']} forecasts")
    click.echo(f"Brier score {result['brier']:.3f} (lower is better); log score {result['log_score']:.3f} (higher is better)")
    click.echo(f"Mean time-averaged Brier per question {result['mean_time_averaged_brier']:.3f}")
    for q in result["per_question"]:
        click.echo(f"  {printable(q['scenario_id']):<28} outcome {q['outcome']}  forecasts {q['forecasts']:>3}  "
                   f"Brier {q['brier']:.3f}  time-averaged {q['time_averaged_brier']:.3f}")
    click.echo("Reliability:")
    for r in result["reliability"]:
        if r["count"]:
            click.echo(f"  {r['bin'][0]:.1f}-{r['bin'][1]:.1f}  n {r['count']:>4}  forecast {r['mean_forecast']:.2f}  observed {r['observed']:.2f}")
