"""The evidence group: add, list, import and types of ledger events."""

from __future__ import annotations

import json
from pathlib import Path

import click

from negotiate.cli.options import DATE, WEIGHT, columns, json_option, printable, reports_errors, scenario_argument


def _event_table(events, as_of) -> str:
    rows = [[e.date.isoformat() + ("!" if e.date > as_of else ""), e.actor, e.target, e.type,
             f"{e.weight:g}", e.description] for e in events]
    return columns(["date", "actor", "target", "type", "weight", "description"], rows)


create_outside_option = click.option(
    "--create-outside", is_flag=True,
    help="Start a missing ledger even outside the scenario's folder (where its evidence: path points).")


def _new_ledger(path: Path) -> bool:
    return not path.exists() and not path.is_symlink()


def _say_if_started(new: bool, path: Path) -> None:
    """Adding to a ledger that is not there starts one: say so, in case its path was misspelt."""
    if new and path.exists():
        click.echo(f"note: there was no ledger at {path}; started a new one there", err=True)


@click.group()
def evidence():
    """The ledger of dated events behind a forecast: add, list, import, types.

    \b
    Example:
      negotiate evidence list scenarios/us-china-kl-2025.yaml
    """


@evidence.command("add")
@scenario_argument
@click.option("--date", "date_", required=True, help="Date of the event, YYYY-MM-DD.")
@click.option("--actor", required=True, help="Party (or declared third party) that acted: its id or name, any case.")
@click.option("--target", required=True, help="Party it acted towards: its id or name, any case.")
@click.option("--type", "type_", required=True, help="Event type from `negotiate evidence types`.")
@click.option("--description", required=True, help="One line, in your own words.")
@click.option("--source", required=True, help="URL, or publication and date.")
@click.option("--weight", default="1", show_default=True, help="Reliability or intensity in (0, 1].")
@click.option("--allow-duplicate", is_flag=True, help="Add even if the same date, actor, type and source is there.")
@click.option("--after-as-of", is_flag=True, help="Accept an event dated after the scenario's as_of (flagged).")
@create_outside_option
@json_option
@reports_errors
def evidence_add(scenario, date_, actor, target, type_, description, source, weight, allow_duplicate, after_as_of,
                 create_outside, as_json):
    """Append one event to the scenario's ledger (atomic; existing rows kept byte for byte).

    \b
    Example:
      negotiate evidence add scenarios/us-china-kl-2025.yaml --date 2025-10-22 \\
        --actor US --target CN --type consult \\
        --description "Bessent says talks in Kuala Lumpur this weekend" \\
        --source "https://www.aa.com.tr/en/asia-pacific/..."
    """
    from negotiate.errors import NegotiateError
    from negotiate.evidence.catalogue import catalogue_for
    from negotiate.evidence.ledger import append_events, check_event, ledger_path
    from negotiate.scenario.schema import load_scenario

    s = load_scenario(scenario)
    path = ledger_path(s)
    raw = dict(date=date_, actor=actor, target=target, type=type_, description=description, source=source, weight=weight)
    event, problems = check_event(raw, s, catalogue_for(s), None)
    if problems or event is None:  # no event only with problems
        raise NegotiateError("\n".join(f"--{p.path[0]}: {p.message}" for p in problems))
    new = _new_ledger(path)
    result = append_events(path, [event], s, allow_duplicate=allow_duplicate, after_as_of=after_as_of,
                           create_outside=create_outside)
    _say_if_started(new, path)
    if as_json:
        click.echo(json.dumps({"ledger": str(path), "added": [e.to_dict() for e in result.added],
                               "after_as_of": bool(result.after_as_of)}, indent=2, ensure_ascii=False))
        return
    click.echo(f"Added to {printable(path)}:")
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
    from negotiate.evidence.ledger import ledger_path, read_ledger, sorted_events
    from negotiate.scenario.ledger_file import existing_ledger
    from negotiate.scenario.schema import load_scenario

    s = load_scenario(scenario)
    path = ledger_path(s)
    existing_ledger(s)  # a ledger named but missing is an error (a misspelt path), not "no events yet"
    events = sorted_events(read_ledger(path, s))
    if as_json:
        click.echo(json.dumps({"ledger": str(path), "as_of": s.as_of.isoformat(),
                               "events": [e.to_dict() | {"after_as_of": e.date > s.as_of} for e in events]},
                              indent=2, ensure_ascii=False))
        return
    if not events:
        click.echo(f"{printable(path)}: no events yet (negotiate evidence add ...)")
        return
    click.echo(_event_table(events, s.as_of), nl=False)
    late = sum(e.date > s.as_of for e in events)
    click.echo(f"{len(events)} events" + (f"; {late} after as_of {s.as_of} (!)" if late else ""))



@evidence.command("import")
@scenario_argument
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["gdelt", "icews", "polecat"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--since", type=DATE, help="First date kept (default: 180 days before --until).")
@click.option("--until", type=DATE, help="Last date kept (default: the scenario's as_of).")
@click.option("--weight", type=WEIGHT, default=0.5, show_default=True, help="Weight of imported (machine-coded) events, in (0, 1].")
@click.option("--dry-run", is_flag=True, help="Show what would be added; write nothing.")
@click.option("--after-as-of", is_flag=True, help="Allow --until after the scenario's as_of (events flagged).")
@create_outside_option
@json_option
@reports_errors
def evidence_import(scenario, fmt, file, since, until, weight, dry_run, after_as_of, create_outside, as_json):
    """Import events between the scenario's two parties from GDELT 2.0, ICEWS or POLECAT files.

    Rows are filtered to the two parties (either direction) and the date window, and their CAMEO or
    PLOVER codes are mapped to the catalogue; malformed rows are counted and skipped. GDELT's .zip
    files are read as they are.

    \b
    Example:
      negotiate evidence import scenarios/us-china-kl-2025.yaml \\
        gdelt 20251022.export.CSV.zip --dry-run
    """
    from negotiate.evidence.importers import import_file
    from negotiate.evidence.ledger import append_events, ledger_path, split_known
    from negotiate.scenario.schema import load_scenario

    s = load_scenario(scenario)
    path = ledger_path(s)
    report = import_file(fmt, file, s, since=since, until=until, weight=weight)
    added, duplicates = report.events, []
    if not dry_run and report.events:
        new = _new_ledger(path)
        result = append_events(path, report.events, s, after_as_of=after_as_of, skip_duplicates=True,
                               create_outside=create_outside)
        _say_if_started(new, path)
        added, duplicates = result.added, result.duplicates
    elif dry_run:
        added, duplicates = split_known(path, report.events, s)
    summary = report.to_dict() | {"ledger": str(path), "dry_run": dry_run,
                                  "added": len(added), "already_in_ledger": len(duplicates)}
    if as_json:
        click.echo(json.dumps(summary | {"events": [e.to_dict() for e in added]}, indent=2, ensure_ascii=False))
        return
    verb = "would add" if dry_run else "added"
    click.echo(printable(f"{file} ({fmt}): read {report.read} rows, kept {report.kept} between "
                         f"{' and '.join(s.party_ids)} in the window, mapped {report.mapped}; {verb} {len(added)} to {path}"
                         + (f" ({len(duplicates)} already there)" if duplicates else "")))
    for reason, count in report.skipped.items():
        click.echo(f"  skipped {count}: {printable(reason)}")
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
      negotiate evidence types scenarios/us-china-kl-2025.yaml  # and its own
    """
    from negotiate.evidence.catalogue import catalogue_for
    from negotiate.scenario.schema import load_scenario

    catalogue = catalogue_for(load_scenario(scenario) if scenario else None)
    types = list(catalogue.types.values())
    if as_json:
        click.echo(json.dumps([{"type": t.name, "direction": t.direction, "meaning": t.meaning,
                                "plover": t.plover, "cameo": list(t.cameo)} for t in types], indent=2))
        return
    rows = [[t.name, t.direction, t.plover or "(scenario)", ",".join(t.cameo) or "-", t.meaning] for t in types]
    click.echo(columns(["type", "direction", "PLOVER", "CAMEO", "meaning"], rows), nl=False)
