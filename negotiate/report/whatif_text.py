"""Plain-text rendering of ``negotiate sensitivity`` and ``negotiate sweep``, from their JSON form."""

from __future__ import annotations

from typing import Any

from negotiate.report.solve_text import requests_words
from negotiate.report.tables import render_columns

TOP_SOBOL = 8
CHANGE_WORDS = {"predicted_terms": "terms", "threat_equilibrium": "threat", "zopa_nonempty": "zone",
                "self_enforcing": "enforcement"}


def _num(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _terms(terms: dict[str, str] | None) -> str:
    return "no deal" if terms is None else ", ".join(f"{lever}={option}" for lever, option in terms.items())


def render_sensitivity(d: dict[str, Any], top: int = 20, names: dict[str, str] | None = None) -> str:
    """The readable report of ``negotiate sensitivity``; ``names`` names the requests (``fix``, ``set``)."""
    parties = d["parties"]
    s, b = d["settings"], d["baseline"]
    out = [f"Sensitivity of {d['scenario']['title']}  [{d['scenario']['id']}]"]
    if d["fix"] or d["set"]:
        out.append("With " + requests_words(d["fix"], d["set"], names))
    out.append("")
    out.append(f"Baseline: predicted terms {_terms(b['predicted_terms'])}")
    out.append(f"  threat point {', '.join(f'{p} {_num(b['threat_point'][p])}' for p in parties)}; "
               f"zone of agreement: {b['zopa_size']} agreements; gains "
               f"{', '.join(f'{p} {_num(b['gains'][p])}' for p in parties)}; "
               f"self-enforcing: {'yes' if b['self_enforcing'] else 'no'}")
    out.append("")
    out.append(f"One at a time: each input to its low and high value, the others at their point values "
               f"(distributions: 5% and 95% quantiles; fixed payoffs: -/+ {s['fixed_swing_abs']:.2f}; "
               f"patience -/+ {s['patience_swing']:g}; power halved and doubled)")
    out.append("Ranked by the outcomes changed (terms, threat equilibrium, zone exists, self-enforcement), then by the gains' swing:")
    entries = d["inputs"]
    shown = [e for e in entries if e["swing"] > 0 or any(e["changes"].values())][:top]
    rows = []
    for e in shown:
        gains = [f"{_num(e['at_low']['gains'][p])} / {_num(e['at_high']['gains'][p])}" for p in parties]
        changed = ", ".join(CHANGE_WORDS[k] for k, v in e["changes"].items() if v) or "-"
        rows.append([str(e["rank"]), f"{_num(e['low'])} .. {_num(e['high'])}", *gains, changed, e["input"]])
    header = ["rank", "low .. high", *[f"gain {p} low / high" for p in parties], "changes", "input"]
    out += render_columns(header, rows, "left", "  ")
    quiet = sum(1 for e in entries if e["swing"] == 0 and not any(e["changes"].values()))
    rest = len(entries) - len(shown) - quiet
    if rest > 0:
        out.append(f"  ... {rest} more (all of them in the JSON output)")
    if quiet:
        out.append(f"  {quiet} inputs change nothing")
    sobol = d["sobol"]
    if sobol:
        out.append("")
        out.append(f"Sobol' indices over joint payoff draws ({len(sobol['inputs'])} uncertain payoffs; "
                   f"{sobol['samples']} base samples, {sobol['evaluations']} games; seed {sobol['seed']}); "
                   "total (first-order) +/- 95% half-width:")
        for name, o in sobol["outputs"].items():
            if name == "zopa_nonempty":
                label = f"zone of agreement non-empty: P = {o['mean']:.1%}"
            else:
                label = f"gain of {name.split('.', 1)[1]}: mean {o['mean']:.2f}, variance {o['variance']:.2f}"
            out.append(f"  {label}")
            if o["variance"] == 0:
                out.append("    does not vary over the draws")
                continue
            rows = [[f"{r['total']:.2f} ({r['first_order']:.2f})", f"+/- {r['total_conf']:.2f}", r["input"]]
                    for r in o["indices"][:TOP_SOBOL]]
            out += render_columns(["total (first)", "", "input"], rows, "left", "    ")
    return "\n".join(out) + "\n"


def render_sweep(d: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """The readable report of ``negotiate sweep``: one row per grid point and a key of the agreements.

    ``names`` names the requests (``fix``, ``set``) as the caller's user knows them.
    """
    parties = d["parties"]
    grids = d["grids"]
    out = [f"Sweep of {d['scenario']['title']}  [{d['scenario']['id']}]"]
    if d["fix"] or d["set"]:
        out.append("With " + requests_words(d["fix"], d["set"], names))
    out.append(" x ".join(f"{g['path']}: {len(g['values'])} values from {g['values'][0]:g} to {g['values'][-1]:g}" for g in grids)
               + f" ({len(d['points'])} points; {d['execution']['mode']})")
    out.append("")
    header = [g["path"] for g in grids] + ["deal", "zone", "critical", "self-enforcing", *[f"gain {p}" for p in parties]]
    rows = []
    for p in d["points"]:
        rows.append([*(f"{v:g}" for v in p["values"].values()),
                     "-" if p["agreement"] is None else f"#{p['agreement'] + 1}",
                     str(p["zopa_size"]), _num(p["critical_discount"], 3), "yes" if p["self_enforcing"] else "no",
                     *(_num(p["gains"][q]) for q in parties)])
    out += render_columns(header, rows, "right", "  ")
    out.append("")
    out.append("Predicted agreements (deal column):")
    for k, a in enumerate(d["agreements"]):
        out.append(f"  #{k + 1} at {a['points']} points: {a['words']}")
    if not d["agreements"]:
        out.append("  none: no grid point has a deal")
    return "\n".join(out) + "\n"
