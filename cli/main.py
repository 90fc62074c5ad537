"""The `negotiate` command. Library errors become exit code 1 with their message; usage errors 2.

Heavy modules are imported inside the commands so that `negotiate --help` stays fast, and
`solve`, `validate` and `new` never import pymc, pytensor or arviz.
"""

from __future__ import annotations

import functools
import json
import os
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


class IsoDate(click.ParamType):
    """A date given as YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        import datetime as dt

        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r}: expected a date as YYYY-MM-DD", param, ctx)


DATE = IsoDate()


def db_option(func):
    return click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="NEGOTIATE_DB",
                        help="Track-record database (default: negotiate.sqlite here, or $NEGOTIATE_DB).")(func)


def record_options(func):
    func = click.option("--no-record", is_flag=True, help="Do not record this forecast in the track record.")(func)
    return db_option(func)


def _record(db, scenario, result: dict, command: str) -> dict:
    """Store the forecast in the track record; returns what `--json` shows under `record`."""
    from negotiate.store import Forecast, TrackRecord, input_hash

    with TrackRecord(db) as track:
        previous = track.previous(scenario.id)
        fid = track.record(Forecast(
            scenario.id, scenario.question, scenario.deadline.isoformat(), result["scenario"]["as_of"],
            result["p_deal"], result["interval"][0], result["interval"][1],
            f"negotiate {_version()}; fit {result['fit']['key']}", input_hash(scenario), command))
        return {"id": fid, "db": str(track.path),
                "previous": None if previous is None else {"p_deal": previous.p, "made_at": previous.made_at,
                                                           "as_of": previous.as_of}}


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


# ---------------------------------------------------------------- evidence


def _ledger_of(scenario):
    from negotiate.errors import NegotiateError

    path = scenario.evidence_path()
    if path is None:
        raise NegotiateError(
            f"{scenario.source_path}: no evidence ledger; add `evidence: events.csv` (a path relative to the scenario) to keep one"
        )
    return path


def _columns(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns; the last one runs free (long descriptions)."""
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths)) + "  " + r[-1] for r in [header] + rows]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _event_table(events, as_of) -> str:
    rows = [[e.date.isoformat() + ("!" if e.date > as_of else ""), e.actor, e.target, e.type,
             f"{e.weight:g}", e.description] for e in events]
    return _columns(["date", "actor", "target", "type", "weight", "description"], rows)


@cli.group()
def evidence():
    """The ledger of dated events behind a forecast: add, list, import, types.

    \b
    Example:
      negotiate evidence list scenarios/us-china-kl-2025.yaml
    """


@evidence.command("add")
@scenario_argument
@click.option("--date", "date_", required=True, help="Date of the event, YYYY-MM-DD.")
@click.option("--actor", required=True, help="Party (or declared third party) that acted.")
@click.option("--target", required=True, help="Party it acted towards.")
@click.option("--type", "type_", required=True, help="Event type from `negotiate evidence types`.")
@click.option("--description", required=True, help="One line, in your own words.")
@click.option("--source", required=True, help="URL, or publication and date.")
@click.option("--weight", default="1", show_default=True, help="Reliability or intensity in (0, 1].")
@click.option("--allow-duplicate", is_flag=True, help="Add even if the same date, actor, type and source is there.")
@click.option("--after-as-of", is_flag=True, help="Accept an event dated after the scenario's as_of (flagged).")
@json_option
@reports_errors
def evidence_add(scenario, date_, actor, target, type_, description, source, weight, allow_duplicate, after_as_of, as_json):
    """Append one event to the scenario's ledger (atomic; existing rows kept byte for byte).

    \b
    Example:
      negotiate evidence add scenarios/us-china-kl-2025.yaml --date 2025-10-22 \\
        --actor US --target CN --type consult \\
        --description "Bessent says talks in Kuala Lumpur this weekend" \\
        --source "https://www.aa.com.tr/en/asia-pacific/..."
    """
    from negotiate.errors import NegotiateError
    from negotiate.ledger import append_events, check_event
    from negotiate.scenario import load_scenario

    s = load_scenario(scenario)
    path = _ledger_of(s)
    raw = dict(date=date_, actor=actor, target=target, type=type_, description=description, source=source, weight=weight)
    event, problems = check_event(raw, s, s.catalogue(), None)
    if problems:
        raise NegotiateError("\n".join(f"--{p.path[0]}: {p.message}" for p in problems))
    result = append_events(path, [event], s, allow_duplicate=allow_duplicate, after_as_of=after_as_of)
    if as_json:
        click.echo(json.dumps({"ledger": str(path), "added": [e.to_dict() for e in result.added],
                               "after_as_of": bool(result.after_as_of)}, indent=2, ensure_ascii=False))
        return
    click.echo(f"Added to {path}:")
    click.echo(_event_table(result.added, s.as_of), nl=False)
    if result.after_as_of:
        click.echo(f"warning: dated after as_of {s.as_of}; forecasts as of {s.as_of} ignore it", err=True)


@evidence.command("list")
@scenario_argument
@json_option
@reports_errors
def evidence_list(scenario, as_json):
    """Show the scenario's ledger in date order ('!' marks events after as_of).

    \b
    Example:
      negotiate evidence list scenarios/us-china-kl-2025.yaml --json
    """
    from negotiate.ledger import read_ledger, sorted_events
    from negotiate.scenario import load_scenario

    s = load_scenario(scenario)
    path = _ledger_of(s)
    events = sorted_events(read_ledger(path, s))
    if as_json:
        click.echo(json.dumps({"ledger": str(path), "as_of": s.as_of.isoformat(),
                               "events": [e.to_dict() | {"after_as_of": e.date > s.as_of} for e in events]},
                              indent=2, ensure_ascii=False))
        return
    if not events:
        click.echo(f"{path}: no events yet (negotiate evidence add ...)")
        return
    click.echo(_event_table(events, s.as_of), nl=False)
    late = sum(e.date > s.as_of for e in events)
    click.echo(f"{len(events)} events" + (f"; {late} after as_of {s.as_of} (!)" if late else ""))



@evidence.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["gdelt", "icews", "polecat"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scenario", "scenario_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Scenario whose two parties and ledger to use.")
@click.option("--since", type=DATE, help="First date kept (default: 180 days before --until).")
@click.option("--until", type=DATE, help="Last date kept (default: the scenario's as_of).")
@click.option("--weight", type=float, default=0.5, show_default=True, help="Weight of imported (machine-coded) events.")
@click.option("--dry-run", is_flag=True, help="Show what would be added; write nothing.")
@click.option("--after-as-of", is_flag=True, help="Allow --until after the scenario's as_of (events flagged).")
@json_option
@reports_errors
def evidence_import(fmt, file, scenario_path, since, until, weight, dry_run, after_as_of, as_json):
    """Import events between the scenario's two parties from GDELT 2.0, ICEWS or POLECAT files.

    \b
    Rows are filtered to the two parties (either direction) and the date window, their CAMEO or
    PLOVER codes mapped to the catalogue; malformed rows are counted and skipped.
    Example:
      negotiate evidence import gdelt 20251022.export.CSV \\
        --scenario scenarios/us-china-kl-2025.yaml --dry-run
    """
    from negotiate.importers import import_file
    from negotiate.ledger import append_events
    from negotiate.scenario import load_scenario

    s = load_scenario(scenario_path)
    path = _ledger_of(s)
    report = import_file(fmt, file, s, since=since, until=until, weight=weight)
    added, duplicates = report.events, []
    if not dry_run and report.events:
        result = append_events(path, report.events, s, after_as_of=after_as_of, skip_duplicates=True)
        added, duplicates = result.added, result.duplicates
    elif dry_run and path.exists():
        from negotiate.ledger import read_ledger

        have = {e.event.key() for e in read_ledger(path, s)}
        duplicates = [e for e in report.events if e.key() in have]
        added = [e for e in report.events if e.key() not in have]
    summary = report.to_dict() | {"ledger": str(path), "dry_run": dry_run,
                                  "added": len(added), "already_in_ledger": len(duplicates)}
    if as_json:
        click.echo(json.dumps(summary | {"events": [e.to_dict() for e in added]}, indent=2, ensure_ascii=False))
        return
    verb = "would add" if dry_run else "added"
    click.echo(f"{file} ({fmt}): read {report.read} rows, kept {report.kept} between "
               f"{' and '.join(s.party_ids)} in the window, mapped {report.mapped}; {verb} {len(added)} to {path}"
               + (f" ({len(duplicates)} already there)" if duplicates else ""))
    for reason, count in report.skipped.items():
        click.echo(f"  skipped {count}: {reason}")
    if added:
        click.echo(_event_table(added, s.as_of), nl=False)


@evidence.command("types")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@json_option
@reports_errors
def evidence_types(scenario, as_json):
    """List the event catalogue: type, direction, meaning, PLOVER type and CAMEO codes.

    \b
    Examples:
      negotiate evidence types
      negotiate evidence types scenarios/us-china-kl-2025.yaml   # with the scenario's own types
    """
    from negotiate.catalogue import Catalogue
    from negotiate.scenario import load_scenario

    catalogue = load_scenario(scenario).catalogue() if scenario else Catalogue()
    types = list(catalogue.types.values())
    if as_json:
        click.echo(json.dumps([{"type": t.name, "direction": t.direction, "meaning": t.meaning,
                                "plover": t.plover, "cameo": list(t.cameo)} for t in types], indent=2))
        return
    rows = [[t.name, t.direction, t.plover or "(scenario)", ",".join(t.cameo) or "-", t.meaning] for t in types]
    click.echo(_columns(["type", "direction", "PLOVER", "CAMEO", "meaning"], rows), nl=False)


# ---------------------------------------------------------------- update


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


@cli.command()
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
    from negotiate.scenario import load_scenario

    s = load_scenario(scenario)
    result = run_update(s, as_of=as_of, reference=reference, store=fits, refit=refit,
                        seed=seed, notify=lambda m: click.echo(m, err=True))
    result["record"] = None if no_record else _record(db, s, result, "update")
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_render_update(result), nl=False)
    if not result["diagnostics"]["ok"]:
        click.echo("warning: the deal model's fit fails its diagnostics: " + "; ".join(result["diagnostics"]["failures"]), err=True)
        if strict:
            sys.exit(1)


# ---------------------------------------------------------------- report


@cli.command()
@scenario_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Report file: .html (self-contained), .md (figures beside it) or .json.")
@click.option("--figures", type=click.Path(file_okay=False, path_type=Path), help="Also write the charts as PNG files here.")
@click.option("--draws", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Monte Carlo draws over payoff uncertainty (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws and the prior's spread.")
@click.option("--as-of", "as_of", type=DATE, help="Report as of this date.")
@click.option("--fits", type=click.Path(file_okay=False, path_type=Path), help="Fit store (as for update).")
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
    from negotiate.analysis import analyse
    from negotiate.montecarlo import monte_carlo
    from negotiate.report import build_report, write_report
    from negotiate.report import figures as make_figures
    from negotiate.scenario import load_scenario
    from negotiate.store import TrackRecord

    s = load_scenario(scenario)
    result = run_update(s, as_of=as_of, reference=reference, store=fits, seed=seed,
                        notify=lambda m: click.echo(m, err=True))
    analysis = analyse(s)
    if draws:
        analysis.monte_carlo = monte_carlo(analysis.game, draws, seed)
    solution = analysis.to_dict()
    if no_record:
        with TrackRecord(db) as track:
            last = track.previous(s.id)
        previous = None if last is None else {"p_deal": last.p, "made_at": last.made_at, "as_of": last.as_of}
    else:
        previous = _record(db, s, result, "report")["previous"]
    content = build_report(result, solution, s.source_path, s.evidence_path(), seed, previous)
    figs = make_figures(solution, result) if output.suffix.lower() != ".json" or figures else {}
    for path in write_report(output, content, figs, figures):
        click.echo(f"Wrote {path}")


# ---------------------------------------------------------------- track record


@cli.command()
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

    from negotiate.scenario import load_scenario
    from negotiate.store import TrackRecord

    sid = load_scenario(scenario).id if scenario else None
    with TrackRecord(db) as track:
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
    click.echo(_columns(header, table), nl=False)
    for r in resolutions.values():
        click.echo(f"{r.scenario_id}: resolved {r.outcome} on {r.resolved_on} ({r.source})")


@cli.command()
@scenario_argument
@click.option("--outcome", required=True, type=click.Choice(["deal", "no-deal", "void"]), help="What happened.")
@click.option("--on", "on", required=True, type=DATE, help="Date it was known, YYYY-MM-DD.")
@click.option("--source", required=True, help="URL or citation that documents the outcome.")
@click.option("--amend", is_flag=True, help="Replace an earlier, different resolution (both are kept).")
@click.option("--reason", help="Why the resolution is amended (required with --amend).")
@click.option("--add-to-reference", is_flag=True, help="Also add the scenario and its ledger to the reference class.")
@click.option("--reference", type=click.Path(file_okay=False, path_type=Path),
              help="Reference directory for --add-to-reference (default: seeds/reference).")
@db_option
@reports_errors
def resolve(scenario, outcome, on, source, amend, reason, add_to_reference, reference, db):
    """Record how a question resolved: deal, no-deal or void.

    \b
    Example:
      negotiate resolve scenarios/us-china-kl-2025.yaml --outcome deal --on 2025-10-30 \\
        --source "https://..." --add-to-reference
    """
    from negotiate.errors import NegotiateError
    from negotiate.scenario import load_scenario
    from negotiate.store import Resolution, TrackRecord

    s = load_scenario(scenario)
    if on < s.as_of:
        raise NegotiateError(f"--on {on} is before the scenario's as_of {s.as_of}; expected the date the outcome was known")
    with TrackRecord(db) as track:
        current, written = track.resolve(Resolution(s.id, outcome, on.isoformat(), source, reason=reason), amend=amend)
    click.echo(f"{s.id}: {'resolved' if written else 'already resolved'} as {current.outcome} on {current.resolved_on}"
               + (f" (amends resolution #{current.amends})" if written and current.amends else ""))
    if add_to_reference:
        from negotiate.reference import DEFAULT_REFERENCE, add_episode

        target = reference or DEFAULT_REFERENCE
        add_episode(target, _episode_of(s, outcome, on, source))
        click.echo(f"Added {s.id} to the reference class in {target}; the next update refits on it.")


def _episode_of(s, outcome: str, on, source: str):
    from negotiate.errors import NegotiateError
    from negotiate.ledger import read_ledger, sorted_events
    from negotiate.reference import Episode

    if outcome == "void":
        raise NegotiateError("a void question has no outcome to learn from; not added to the reference class")
    if outcome == "deal" and on > s.deadline:
        raise NegotiateError(f"the deal came on {on}, after the deadline {s.deadline}: by the question's terms that is "
                             "no deal by the deadline; resolve it as no-deal to add it")
    path = s.evidence_path()
    resolved = on if outcome == "deal" else s.deadline
    events = [e for e in (sorted_events(read_ledger(path, s)) if path else [])
              if e.date < resolved and e.actor in s.parties and e.target in s.parties]
    if len(events) < 1:
        raise NegotiateError("the ledger has no events before the resolution; nothing to learn from")
    a, b = s.party_ids
    return Episode(s.id, s.title, a, b, min(events[0].date, s.as_of), s.deadline, s.question,
                   int(outcome == "deal"), resolved, source, tuple(events))


@cli.command()
@db_option
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write a calibration chart (PNG).")
@json_option
@reports_errors
def score(db, plot, as_json):
    """Score every resolved question in the track record: Brier, log score, reliability.

    \b
    Each forecast counts once for the Brier and log scores; the time-averaged Brier of a question
    counts each forecast for the days until the next one replaced it.
    Example:
      negotiate score --plot calibration.png
    """
    from negotiate.scoring import score_track_record
    from negotiate.store import TrackRecord

    with TrackRecord(db) as track:
        result = score_track_record(track.resolved_questions())
    if plot:
        from negotiate.errors import NegotiateError
        from negotiate.plots import plot_reliability

        try:
            plot_reliability(result["reliability"], title="Calibration of the track record").savefig(plot, dpi=150)
        except OSError as exc:
            raise NegotiateError(f"{plot}: cannot write the plot ({exc.strerror})") from None
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
        click.echo(f"  {q['scenario_id']:<28} outcome {q['outcome']}  forecasts {q['forecasts']:>3}  "
                   f"Brier {q['brier']:.3f}  time-averaged {q['time_averaged_brier']:.3f}")
    click.echo("Reliability:")
    for r in result["reliability"]:
        if r["count"]:
            click.echo(f"  {r['bin'][0]:.1f}-{r['bin'][1]:.1f}  n {r['count']:>4}  forecast {r['mean_forecast']:.2f}  observed {r['observed']:.2f}")


# ---------------------------------------------------------------- backtest


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


@cli.command()
@click.argument("reference", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--train", "train", type=click.Path(file_okay=False, path_type=Path),
              help="Fit on this reference directory...")
@click.option("--test", "test", type=click.Path(file_okay=False, path_type=Path),
              help="...and score the episodes of this one (no leave-one-out).")
@click.option("--jobs", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1,
              show_default="the number of cores", help="Worker processes of the embedded Dask cluster.")
@click.option("--scheduler", help="Run the folds on a running Dask cluster, e.g. tcp://host:8786.")
@click.option("--state", type=click.Path(file_okay=False, path_type=Path),
              help="Where finished folds are kept for resuming (default: beside the fit store).")
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
        from negotiate.plots import plot_reliability

        try:
            plot_reliability(result["reliability"]).savefig(plot, dpi=150)
        except OSError as exc:
            raise NegotiateError(f"{plot}: cannot write the plot ({exc.strerror})") from None
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(_render_backtest(result), nl=False)


def main():  # console-script entry point
    cli(prog_name="negotiate")


if __name__ == "__main__":
    main()
