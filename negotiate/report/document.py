"""The probability report: one self-contained HTML file, or Markdown with figures beside it, or JSON.

Inputs are plain data (the results of ``update`` and ``solve``), so this module needs neither the
model nor the command line. Every string that comes from a user (titles, party names, event
descriptions, sources) is escaped; links are made only for http(s) URLs; nothing is fetched.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
import json
import os
import platform
import re
from collections.abc import Set as AbstractSet
from pathlib import Path

from negotiate.errors import NegotiateError
from negotiate.evidence.forecast import PreviousForecast, UpdateResult
from negotiate.fileio import replace_atomically
from negotiate.versions import package_versions

FORMATS = (".html", ".md", ".json")
TOP_EVENTS = 8

TOP_MOVES = 3  # event types shown that raise P most, and that lower it most

CAPTIONS = {
    "path": "The model's P(deal by the deadline) after each day's events, with the posterior uncertainty of that P "
            "in grey (5–95% over parameter draws). Upward triangles mark days of mostly cooperative events, downward "
            "ones mostly conflictual; numbered days moved it by 5 points or more (key beside the chart: event types "
            "and change in points).",
    "payoffs": "Payoffs of the posture game to each side, as changes against the status quo (darker is higher). "
               "Rows are the first party's strategies, columns the second's.",
    "frontier": "Every agreement (one option for each lever) by its payoffs, the frontier of lotteries between "
                "them, the threat point and the bargaining solutions.",
    "tornado": "Change of each side's gain over the threat point when one input at a time goes to its low (pale) "
               "and high (dark) value, against the central guesses; the second party's bars are hatched; largest "
               "swings on top. * changes the predicted terms, ** also the threat equilibrium or whether a zone of "
               "agreement exists.",
}
TOP_SWINGS = 10  # rows of the swings table


def _versions() -> dict[str, str]:
    return {"python": platform.python_version()} | package_versions("negotiate", "numpy", "pymc", "nashpy", "matplotlib")


def file_hash(path: Path | None) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path and path.exists() else None


def shown_path(path: Path | None) -> str | None:
    """A path as a reader should see it: relative to the working directory (not this machine's absolute path)."""
    if path is None:
        return None
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


RULE_WORDS = {
    "worst": "the equilibrium worst for both sides together (a cautious reading of a breakdown)",
    "best": "the equilibrium best for both sides together",
    "mean": "the average of the equilibria",
    "dynamics": "the equilibrium that play drifts to (learning dynamics)",
}


def threat_words(threat: dict, parties: list[str]) -> str:
    """One plain sentence on the threat point: what each side gets if the talks fail, and why that."""
    pays = ", ".join(f"{p} {threat['payoffs'][p]:+.2f}" for p in parties)
    if threat.get("mode") == "equilibrium":
        why = f"Without a deal both sides are taken to play {RULE_WORDS.get(threat.get('rule', ''), 'an equilibrium')}."
    else:
        why = "The scenario sets it."
    return f"What each side gets if the talks fail: {pays}, in payoffs against the status quo. {why}"


def discount_words(crit: dict, parties: list[str], patience: dict[str, float]) -> str:
    """The critical discount factor in plain words."""
    held = ", ".join(f"{p} {patience[p]:g}" for p in parties)
    verdict = "both are patient enough" if crit["self_enforcing"] else "not both are patient enough"
    return (f"The deal keeps itself in force if each side weighs the next round at least {crit['value']:.2f} as much as "
            f"this one: then breaking it, which would send both back to the threat point for good, costs more than it "
            f"gains. Their patience (per round): {held}; {verdict}.")


def terms_with_names(words: str, names: dict[str, str]) -> str:
    """'United States: withdraw ...; China: suspend ...' from the terms in words keyed by party codes."""
    parts = []
    for part in words.split("; "):
        code, sep, rest = part.partition(": ")
        parts.append(f"{names[code]}: {rest}" if sep and code in names else part)
    return "; ".join(parts)


def build_report(update: UpdateResult, solution: dict, scenario_path: Path | None, ledger_path: Path | None, seed: int,
                 previous: PreviousForecast | None, sensitivity: dict | None = None) -> dict:
    """The report's content as data (also the ``.json`` output).

    With ``sensitivity`` (from ``negotiate.game.sensitivity.sensitivity``), the content gains a
    ``sensitivity`` part: ``rule``, ``settings``, ``baseline`` and ``inputs`` (ranked swings) as there,
    and ``dynamics``, the ``dynamics`` of ``solution`` (null when the learning dynamics were not run).
    """
    change = None
    if previous is not None:
        change = {"previous_p_deal": previous["p_deal"], "previous_made_at": previous["made_at"],
                  "previous_as_of": previous["as_of"], "change": update["p_deal"] - previous["p_deal"]}
    content = {
        "scenario": solution["scenario"] | {"as_of": update["scenario"]["as_of"]},
        "parties": solution["parties"],
        "forecast": {"model": update["model"], "p_deal": update["p_deal"], "p_model": update["p_model"],
                     "p_with_prior": update["p_with_prior"], "interval": update["interval"],
                     "days_left": update["days_left"], "since_previous": change, "prior": update["prior"],
                     "p_tomorrow_without_events": update["p_tomorrow_without_events"],
                     "what_would_move": update["what_would_move"], "path": update["path"],
                     "top_events": update["contributions"][:TOP_EVENTS], "events_used": update["events_used"]},
        "game": {k: solution[k] for k in ("game", "equilibria", "solver", "threat_point", "zopa", "nash_bargaining",
                                          "kalai_smorodinsky", "rubinstein", "critical_discount", "predicted_terms",
                                          "hull_frontier")} | {"monte_carlo": solution.get("monte_carlo")},
        "diagnostics": update["diagnostics"],
        "provenance": {
            "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "scenario_file": shown_path(scenario_path), "scenario_sha256": file_hash(scenario_path),
            "ledger_file": shown_path(ledger_path), "ledger_sha256": file_hash(ledger_path),
            "fit": update["fit"]["key"], "fit_draws": update["fit"]["draws"], "seed": seed, "versions": _versions(),
        },
    }
    if sensitivity is not None:
        content["sensitivity"] = {k: sensitivity[k] for k in ("rule", "settings", "baseline", "inputs")} | {
            "dynamics": solution.get("dynamics")}
    return content


def figures(solution: dict, update: UpdateResult, sensitivity: dict | None = None) -> dict[str, bytes]:
    """The report's charts as PNG bytes; with ``sensitivity``, also its tornado chart."""
    from negotiate.report.plots import plot_frontier, plot_path, plot_payoffs

    out = {}
    charts = [("path", plot_path(update)), ("payoffs", plot_payoffs(solution)), ("frontier", plot_frontier(solution))]
    if sensitivity is not None:
        from negotiate.report.whatif_plots import tornado_chart

        charts.append(("tornado", tornado_chart(sensitivity, top=TOP_SWINGS, greyscale=True)))
    for name, fig in charts:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        out[name] = buffer.getvalue()
    return out


# ---------------------------------------------------------------- text helpers


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def link(source: str) -> str:
    """An anchor for http(s) URLs only; anything else is shown as escaped text."""
    source = str(source).strip()
    if re.match(r"^https?://[^\s<>\"']+$", source, flags=re.IGNORECASE):
        return f'<a href="{esc(source)}" rel="noopener noreferrer">{esc(source)}</a>'
    return esc(source)


def md(value) -> str:
    """Escape for Markdown: no raw HTML, no link or table syntax from user text."""
    text = html.escape(str(value), quote=False)
    return re.sub(r"([\\`*_\[\]()|#!])", r"\\\1", text).replace("\n", " ")


def md_link(source: str) -> str:
    source = str(source).strip()
    if re.match(r"^https?://[^\s<>\"'()]+$", source, flags=re.IGNORECASE):
        return f"<{source}>"
    return md(source)


def _pct(p: float) -> str:
    return f"{p:.0%}" if p >= 0.01 or p == 0 else f"{p:.1%}"


# ---------------------------------------------------------------- sections shared by HTML and Markdown


def _points(change: float) -> str:
    return f"{change * 100:+.1f}".replace("-", "−")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _pooled(f: dict) -> bool:
    """Whether P was pooled with a prior, so that P with it and P from the model alone differ."""
    return f["p_with_prior"] is not None and "model_strength" in f["prior"]


def _prior_who(prior: dict) -> str:
    return "the game's prior" if prior["source"] == "game" else "your prior"


def _prior_words(prior: dict) -> str:
    """'your prior (60%, strength 4)', or the game's; '' when the scenario gives none."""
    if prior["deal_probability"] is None:
        return ""
    who = _prior_who(prior)
    strength = f", strength {prior['strength']:g}" if prior["strength"] else ""
    return f"{who} ({_pct(prior['deal_probability'])}{strength})"


def _headline(r: dict) -> dict:
    """The headline's parts: the question, the numbers with their labels, and the smaller lines below."""
    f = r["forecast"]
    prior = f["prior"]
    if _pooled(f):
        numbers = [(f["p_deal"], f"with {_prior_words(prior)}"), (f["p_model"], "model alone")]
        note = (f"Pooled by pseudo-counts: {_prior_who(prior)} counts as {prior['strength']:g} "
                f"observations, the model's P as {prior['model_strength']:.0f} (from its posterior spread).")
    elif f["model"] == "v1" and prior["deal_probability"] is not None:
        numbers = [(f["p_deal"], f"model v1 with {_prior_words(prior)} in place of its base rate")]
        note = "Model v1 has no P from the model alone when a prior is given."
    else:
        numbers = [(f["p_deal"], "model alone")]
        note = "The scenario gives no prior: this is the model's P alone."
    lo, hi = f["interval"]
    if r["provenance"]["fit_draws"] <= 1:
        spread = "Posterior uncertainty of the model's P: none shown (the fit is a single parameter draw)."
    elif f["model"] == "v1":
        spread = f"Spread of P (5–95% over parameter draws and the prior's spread, model v1): {_pct(lo)} to {_pct(hi)}."
    else:
        spread = f"Posterior uncertainty of the model's P (5–95% over parameter draws): {_pct(lo)} to {_pct(hi)}."
    if f["since_previous"]:
        c = f["since_previous"]
        since = (f"Change: {_points(c['change'])} points since the previous report "
                 f"({_pct(c['previous_p_deal'])}, made {c['previous_made_at'][:10]} as of {c['previous_as_of']}).")
    else:
        since = "Change: no previous report in the track record."
    return {"question": f"P(deal by {r['scenario']['deadline']})", "numbers": numbers, "note": note,
            "since": since, "spread": spread}


def _moves(f: dict) -> tuple[list[dict], list[dict]]:
    """The event types that would raise P most tomorrow, and those that would lower it most."""
    moves = f["what_would_move"]
    up = sorted((m for m in moves if m["change"] > 0), key=lambda m: -m["change"])[:TOP_MOVES]
    down = sorted((m for m in moves if m["change"] < 0), key=lambda m: m["change"])[:TOP_MOVES]
    return up, down


def _tomorrow_words(r: dict) -> str:
    """The paragraph that opens "What would move it"."""
    f = r["forecast"]
    if f["p_tomorrow_without_events"] is None:
        return "Model v1 does not say what would move P; the default model, hazard, does."
    if not f["what_would_move"]:
        return "The deadline is at most a day away: there is no next day on which one more event could still count."
    tomorrow = dt.date.fromisoformat(r["scenario"]["as_of"]) + dt.timedelta(days=1)
    p1, p0 = f["p_tomorrow_without_events"], f["p_model"]
    alone = " alone" if _pooled(f) else ""
    return (f"With no news, the model's P{alone} tomorrow ({tomorrow.isoformat()}) would be {p1:.1%}, "
            f"{_points(p1 - p0)} points against today's {p0:.1%} (a day less to the deadline, and the news a day "
            "older). One more event of a given type tomorrow would instead give the P below; the change, in points, "
            "is against tomorrow with no news.")


def _missing_moves(f: dict) -> str:
    """What to say when no event type would lower P tomorrow (or none would raise it)."""
    up, down = _moves(f)
    if not f["what_would_move"] or (up and down):
        return ""
    if not down:
        return ("No single event of any type would lower it tomorrow: in this model more news also means more "
                "activity, which on its own raises the daily chance of a deal.")
    return "No single event of any type would raise it tomorrow."


def _move_rows(moves: list[dict]) -> list[list[str]]:
    return [[m["type"], m["direction"], f"{m['p_deal']:.1%}", _points(m["change"])] for m in moves]


MOVE_HEADER = ["event type", "kind", "P tomorrow", "change"]


def _equilibrium_rows(r: dict) -> list[list[str]]:
    g = r["game"]
    parties = [g["game"]["row_party"], g["game"]["column_party"]]
    rows = []
    for k, e in enumerate(g["equilibria"], 1):
        cells = [str(k), "pure" if e["pure"] else "mixed"]
        for p in parties:
            cells.append("; ".join(name if q > 1 - 1e-9 else f"{name} ({q:.2f})" for name, q in e["strategies"][p].items()))
        cells.append(", ".join(f"{p} {e['payoffs'][p]:.2f}" for p in parties))
        rows.append(cells)
    return rows


def _robustness(r: dict) -> list[str]:
    mc = r["game"]["monte_carlo"]
    if not mc:
        return ["No Monte Carlo run."]
    lines = [f"Over {mc['draws']} payoff draws (seed {mc['seed']}): the zone of agreement is non-empty in "
             f"{mc['p_zopa_nonempty']:.0%} of draws; {mc['distinct_agreements']} different agreements are predicted."]
    for a in mc["agreements"][:3]:
        lines.append(f"{a['frequency']:.0%}: {a['words']}")
    return lines


def _path_words(f: dict) -> str:
    prior = f["prior"]
    if f["model"] == "v1":
        start = (f"the strategist's prior {_prior_words(prior)}" if prior["deal_probability"] is not None
                 else "the reference class base rate")
        return f"Starting from {start}, mean {_pct(prior['mean'])}; {f['events_used']} events in the ledger."
    line = (f"dotted line: {_prior_words(prior)}, which the chart does not include" if prior["deal_probability"] is not None
            else f"dotted line: the model's P with no events, {_pct(prior['mean'])}")
    return f"The model's P alone after each day's events; {f['events_used']} events in the ledger ({line})."


EVENTS_WORDS = "Change in the model's P(deal) now with the event against without it (older events count less)."


def _zopa_and_p(r: dict) -> str:
    """In plain words: how the game's zone of agreement relates to P(deal by the deadline)."""
    f, g = r["forecast"], r["game"]
    mc = g["monte_carlo"]
    if mc:
        first = (f"The zone of agreement is non-empty in {mc['p_zopa_nonempty']:.0%} of payoff draws: under most "
                 "guesses about the payoffs there is a deal that both sides prefer to their threat point, so there is "
                 "something to agree on." if mc["p_zopa_nonempty"] >= 0.5 else
                 f"The zone of agreement is non-empty in only {mc['p_zopa_nonempty']:.0%} of payoff draws: under most "
                 "guesses about the payoffs no deal beats the threat point for both sides.")
    elif g["zopa"]["size"]:
        n = g["zopa"]["size"]
        first = (f"At the central payoff guesses {n} {'agreement beats' if n == 1 else 'agreements beat'} the threat "
                 "point for both sides: there is something to agree on.")
    else:
        first = "At the central payoff guesses no agreement beats the threat point for both sides."
    p = (f"{_pct(f['p_deal'])} with {_prior_who(f['prior'])} and {_pct(f['p_model'])} from the model alone"
         if _pooled(f) else _pct(f["p_deal"]))
    pair = f"{mc['p_zopa_nonempty']:.0%} and {_pct(f['p_deal'])}" if mc else "the two"
    return (f"{first} P(deal by {r['scenario']['deadline']}), {p}, answers a different question: whether a deal is "
            "announced by that date, given how negotiations like this one have gone day by day (the days left, the "
            "setting and the news). A zone of agreement is necessary for a deal but says nothing about when it comes, "
            f"so {pair} need not be close.")


CHANGE_WORDS = {"predicted_terms": "terms", "threat_equilibrium": "threat equilibrium", "zopa_nonempty": "zone exists",
                "self_enforcing": "self-enforcement"}
DYNAMICS_WORDS = ("Learning dynamics (nashpy): where play settles without a deal, from the status quo and from uniform "
                  "play, over runs from random points near each start.")


def _swings_words(sens: dict) -> str:
    st = sens["settings"]
    return ("One input at a time goes to its low and then its high value, the others staying at their central guesses, "
            "and the game is solved again: a payoff distribution to its 5% and 95% quantiles, a fixed payoff by "
            f"{st['fixed_swing_abs']:.2f} either way ({st['fixed_swing']:.0%} of the largest payoff), each party's "
            f"patience by {st['patience_swing']:g} and its power halved and doubled. Ranked by how many outcomes a swing "
            "changes (predicted terms, threat equilibrium, whether a zone of agreement exists, self-enforcement), "
            "then by how much it moves the two sides' gains over the threat point.")


def _swing_rows(sens: dict, parties: list[str]) -> tuple[list[list[str]], str]:
    """The top swings as rows (rank, input, low .. high, changes, each side's gain at low / high), and what is left out."""
    entries = sens["inputs"]
    moving = [e for e in entries if e["swing"] > 0 or any(e["changes"].values())]
    rows = [[str(e["rank"]), e["input"], f"{e['low']:.2f} .. {e['high']:.2f}",
             ", ".join(CHANGE_WORDS[k] for k, v in e["changes"].items() if v) or "–",
             *(f"{e['at_low']['gains'][p]:.2f} / {e['at_high']['gains'][p]:.2f}" for p in parties)]
            for e in moving[:TOP_SWINGS]]
    more = len(moving) - len(rows)
    still = len(entries) - len(moving)
    left = ", ".join(x for x in (f"{more} more that move something (all in the JSON report)" if more else "",
                                 f"{still} inputs change nothing" if still else "") if x)
    return rows, left


def _swing_header(parties: list[str], base: dict) -> list[str]:
    return ["rank", "input", "low .. high", "changes",
            *(f"gain {p} at low / high (central {base['gains'][p]:.2f})" for p in parties)]


def _dynamics_rows(dy: dict) -> list[list[str]]:
    from negotiate.report.solve_text import START_NAMES, settled_words

    rows = []
    for start in ("status_quo", "uniform"):
        runs = {r["dynamics"]: r for r in dy["runs"] if r["start"] == start}
        if runs:
            rows.append([START_NAMES[start], settled_words(runs["fictitious_play"]), settled_words(runs["replicator"])])
    return rows


def _dynamics_lines(r: dict) -> list[str]:
    """The settings and the verdict of the learning dynamics, in words."""
    from negotiate.report.solve_text import dynamics_verdict

    dy, g = r["sensitivity"]["dynamics"], r["game"]
    parties = [g["game"]["row_party"], g["game"]["column_party"]]
    st = dy["settings"]
    m, n = dy["reduced_shape"]
    lines = [f"On the reduced {m} × {n} game, {st['restarts']} runs of each dynamics from each start, each from "
             f"{1 - st['perturbation']:.0%} the start and {st['perturbation']:.0%} a random mixture (seed {st['seed']}); "
             "equilibria numbered as in the list above."]
    sq = dy["starts"]["status_quo"]
    if sq is None:
        lines.append("No status-quo start: some lever names no status quo.")
    else:
        lines.append("Status quo start: " + "; ".join(
            f"{p}: {v['strategy']}" + (f" (its status quo {v['status_quo']} is strictly dominated)" if v["levers_changed"] else "")
            for p, v in sq.items()) + ".")
    lines.append(dynamics_verdict(dy, g["equilibria"], parties))
    return lines


# ---------------------------------------------------------------- HTML

CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
color:#111;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.8em}
.meta{color:#444}.headline{margin:1em 0 .3em}.headline .q{font-size:1.15em;font-weight:700;margin:0 0 .2em}
.numbers{display:flex;flex-wrap:wrap;gap:.5em 3em;align-items:flex-end}.numbers .p{font-size:2.4em;font-weight:700;
line-height:1.1;display:block}.numbers .label{display:block;color:#333}.sub{color:#333;margin:.3em 0}
.spread{font-size:.85em;color:#444;margin:.3em 0 1em}.moves{display:flex;flex-wrap:wrap;gap:0 2em}
caption{text-align:left;font-weight:700;padding:.2em 0}.explain{border-left:4px solid #999;padding:.2em .7em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}td,th{border:1px solid #bbb;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#eee}td:first-child{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:.85em;color:#333}
.warn{border:2px solid #000;padding:.5em;font-weight:700}.terms{font-size:1.05em;padding:.4em .6em;
border-left:4px solid #000;background:#f4f4f4}code{font-size:.85em;word-break:break-all}
"""


def _table(header: list[str], rows: list[list[str]], numeric: AbstractSet[int] = frozenset(), caption: str = "") -> str:
    head = "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>" if any(header) else ""
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    body = "".join("<tr>" + "".join(
        f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table>{cap}{head}{body}</table>"


def _figure(name: str, png: bytes | None) -> str:
    if png is None:
        return ""
    data = base64.b64encode(png).decode()
    return (f'<figure id="fig-{name}"><img alt="{esc(CAPTIONS[name])}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(CAPTIONS[name])}</figcaption></figure>")


def render_html(r: dict, figs: dict[str, bytes]) -> str:
    """The report as one self-contained HTML page (no scripts, no external resources)."""
    s, f, g = r["scenario"], r["forecast"], r["game"]
    parties = [g["game"]["row_party"], g["game"]["column_party"]]
    names = {p: r["parties"][p]["name"] for p in parties}
    patience = {p: r["parties"][p]["patience"] for p in parties}
    head = _headline(r)
    numbers = "".join(f'<div><span class="p">{_pct(p)}</span><span class="label">{esc(label)}</span></div>'
                      for p, label in head["numbers"])
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{esc(s['title'])}: P(deal)</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(s['title'])}</h1>",
        f"<p class=\"meta\"><b>Question:</b> {esc(s['question'])}<br><b>Deadline:</b> {esc(s['deadline'])} &middot; "
        f"<b>As of:</b> {esc(s['as_of'])} ({_days(f['days_left'])} left) &middot; "
        + " &middot; ".join(f"<b>{esc(p)}</b>: {esc(r['parties'][p]['name'])}" for p in parties) + "</p>",
        f"<div class=\"headline\" id=\"headline\"><p class=\"q\">{esc(head['question'])}</p>"
        f"<div class=\"numbers\">{numbers}</div></div>",
        f"<p class=\"sub\">{esc(head['note'])}<br>{esc(head['since'])}</p>",
        f"<p class=\"spread\">{esc(head['spread'])}</p>",
    ]
    if not r["diagnostics"]["ok"]:
        parts.append(f"<p class=\"warn\">The model's fit fails its diagnostics ({esc('; '.join(r['diagnostics']['failures']))}): "
                     "treat this probability with suspicion.</p>")
    parts += ["<h2 id=\"what-would-move\">What would move it</h2>", f"<p>{esc(_tomorrow_words(r))}</p>"]
    up, down = _moves(f)
    if f["what_would_move"]:
        tables = [_table(MOVE_HEADER, [[esc(c) for c in row] for row in _move_rows(moves)], {2, 3}, caption)
                  for moves, caption in ((up, "Raise it most"), (down, "Lower it most")) if moves]
        parts.append(f"<div class=\"moves\">{''.join(tables)}</div>")
    if _missing_moves(f):
        parts.append(f"<p>{esc(_missing_moves(f))}</p>")
    parts += ["<h2>How P(deal) moved</h2>", f"<p>{esc(_path_words(f))}</p>", _figure("path", figs.get("path")),
              "<h2>Events that moved it most</h2>", f"<p>{esc(EVENTS_WORDS)}</p>"]
    rows = [[esc(c["date"]), esc(f"{c['actor']} → {c['target']}"), esc(c["type"]), _points(c["p_change"]),
             esc(c["description"])] for c in f["top_events"]]
    parts.append(_table(["date", "actor → target", "type", "points", "event"], rows, {3}) if rows else "<p>No events.</p>")
    parts.append("<h2>The game</h2>")
    gm = g["game"]
    parts.append(f"<p>Posture game {gm['shape'][0]} × {gm['shape'][1]} strategies "
                 f"({esc(parties[0])}: {esc(', '.join(gm['levers'][parties[0]]))}; {esc(parties[1])}: "
                 f"{esc(', '.join(gm['levers'][parties[1]]))}), {gm['reduced_shape'][0]} × {gm['reduced_shape'][1]} after "
                 "removing strictly dominated strategies.</p>")
    parts.append(_figure("payoffs", figs.get("payoffs")))
    solver = g["solver"]
    parts.append(f"<p><b>Equilibria</b> ({esc(solver['method'])}; {'complete set' if solver['complete'] else 'possibly incomplete'}"
                 f"{'; degenerate game' if solver['degenerate'] else ''}):</p>")
    parts.append(_table(["#", "kind", parties[0], parties[1], "payoffs"],
                        [[esc(c) for c in row] for row in _equilibrium_rows(r)]))
    parts.append(f"<p><b>Threat point.</b> {esc(threat_words(g['threat_point'], parties))}</p>")
    z = g["zopa"]
    parts.append(f"<p><b>Zone of possible agreement:</b> {z['size']} agreements beat the threat point for both sides.</p>")
    parts.append(_figure("frontier", figs.get("frontier")))
    nb, ks, crit = g["nash_bargaining"], g["kalai_smorodinsky"], g["critical_discount"]
    if g["predicted_terms"]:
        parts.append(f"<p><b>Predicted terms</b> (Nash bargaining solution over pure agreements):</p>"
                     f"<p class=\"terms\">{esc(terms_with_names(g['predicted_terms']['words'], names))}</p>")
    else:
        parts.append("<p><b>Predicted terms:</b> none; no agreement beats the threat point for both sides.</p>")
    if nb and nb.get("payoffs"):
        parts.append("<p>Nash solution payoffs: " + esc(", ".join(f"{p} {nb['payoffs'][p]:.2f}" for p in parties)) +
                     (("; Kalai–Smorodinsky: " + esc(", ".join(f"{p} {ks['payoffs'][p]:.2f}" for p in parties))) if ks else "")
                     + ".</p>")
    if crit.get("value") is not None:
        parts.append(f"<p><b>Does the deal hold?</b> {esc(discount_words(crit, parties, patience))}</p>")
    parts.append("<p><b>Robustness to payoff uncertainty.</b> " + "<br>".join(esc(x) for x in _robustness(r)) + "</p>")
    parts.append(f"<p class=\"explain\" id=\"zopa-and-p\"><b>The zone of agreement and P(deal).</b> {esc(_zopa_and_p(r))}</p>")
    if r.get("sensitivity"):
        parts += _html_sensitivity(r, figs)
    d = r["diagnostics"]
    parts += ["<h2>Model diagnostics</h2>",
              f"<p>Max R-hat {d['max_rhat']:.3f}, min bulk ESS {d['min_ess_bulk']:.0f}, divergences {d['divergences']} "
              f"({'pass' if d['ok'] else 'FAIL'}: R-hat ≤ 1.01, ESS ≥ 400, no divergence).</p>"]
    pv = r["provenance"]
    prov = [["made (UTC)", esc(pv["made_at"])], ["scenario", f"<code>{esc(pv['scenario_file'])}</code><br>sha256 <code>{esc(pv['scenario_sha256'])}</code>"],
            ["ledger", f"<code>{esc(pv['ledger_file'])}</code><br>sha256 <code>{esc(pv['ledger_sha256'])}</code>"],
            ["model fit", f"<code>{esc(pv['fit'])}</code> ({pv['fit_draws']} draws)"], ["seed", esc(pv["seed"])],
            ["versions", esc(", ".join(f"{k} {v}" for k, v in pv["versions"].items()))]]
    parts += ["<h2>Provenance</h2>", _table(["", ""], prov)]
    sources = [[esc(p["date"]), esc(p["event"])] for p in f["path"]]
    parts += ["<h2>Ledger (events used)</h2>", _table(["date", "events"], sources) if sources else "<p>None.</p>"]
    parts.append(f"<h2>Sources of the top events</h2><ul>{''.join(f'<li>{esc(c['date'])}: {link(c['source'])}</li>' for c in f['top_events'] if c.get('source'))}</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_sensitivity(r: dict, figs: dict[str, bytes]) -> list[str]:
    sens, g = r["sensitivity"], r["game"]
    parties = [g["game"]["row_party"], g["game"]["column_party"]]
    rows, left = _swing_rows(sens, parties)
    out = ["<h2 id=\"sensitivity\">Which inputs decide the answer</h2>", f"<p>{esc(_swings_words(sens))}</p>",
           _figure("tornado", figs.get("tornado")),
           _table(_swing_header(parties, sens["baseline"]), [[esc(c) for c in row] for row in rows], {0, 4, 5},
                  "One-at-a-time swings") if rows else "<p>No swing changes anything.</p>"]
    if left:
        out.append(f"<p>{esc(left[0].upper() + left[1:])}.</p>")
    if sens["dynamics"]:
        lines = _dynamics_lines(r)
        out += [f"<h3 id=\"dynamics\">Where play drifts without a deal</h3><p>{esc(DYNAMICS_WORDS)} {esc(lines[0])}</p>",
                _table(["start", "fictitious play", "replicator dynamics"],
                       [[esc(c) for c in row] for row in _dynamics_rows(sens["dynamics"])]),
                "<p>" + "<br>".join(esc(x) for x in lines[1:]) + "</p>"]
    return out


# ---------------------------------------------------------------- Markdown


def render_markdown(r: dict, figure_names: dict[str, str]) -> str:
    s, f, g = r["scenario"], r["forecast"], r["game"]
    parties = [g["game"]["row_party"], g["game"]["column_party"]]
    head = _headline(r)
    numbers = " · ".join(f"**{_pct(p)}** {md(label)}" for p, label in head["numbers"])
    out = [f"# {md(s['title'])}", "", f"**Question:** {md(s['question'])}  ",
           f"**Deadline:** {md(s['deadline'])} · **As of:** {md(s['as_of'])} ({_days(f['days_left'])} left)",
           "", f"## {md(head['question'])}: {numbers}", "", f"{md(head['note'])}  ", md(head["since"]), "",
           f"*{md(head['spread'])}*", ""]
    if not r["diagnostics"]["ok"]:
        out += [f"**Warning: the model's fit fails its diagnostics ({md('; '.join(r['diagnostics']['failures']))}).**", ""]

    def fig(name):
        return [f"![{md(CAPTIONS[name])}]({figure_names[name]})", "", f"*{md(CAPTIONS[name])}*", ""] if name in figure_names else []

    out += ["## What would move it", "", md(_tomorrow_words(r)), ""]
    for moves, caption in zip(_moves(f), ("Raise it most", "Lower it most")):
        if moves:
            out += [f"**{caption}**", "", "| " + " | ".join(MOVE_HEADER) + " |", "|---|---|---:|---:|"]
            out += ["| " + " | ".join(md(c) for c in row) + " |" for row in _move_rows(moves)] + [""]
    if _missing_moves(f):
        out += [md(_missing_moves(f)), ""]
    out += ["## How P(deal) moved", "", md(_path_words(f)), ""] + fig("path")
    out += ["## Events that moved it most", "", md(EVENTS_WORDS), "", "| date | actor → target | type | points | event | source |", "|---|---|---|---:|---|---|"]
    for c in f["top_events"]:
        out.append(f"| {md(c['date'])} | {md(c['actor'])} → {md(c['target'])} | {md(c['type'])} | {_points(c['p_change'])} | "
                   f"{md(c['description'])} | {md_link(c.get('source', ''))} |")
    out += ["", "## The game", ""] + fig("payoffs")
    out += ["| # | kind | " + " | ".join(md(p) for p in parties) + " | payoffs |", "|---|---|---|---|---|"]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in _equilibrium_rows(r)]
    out += ["", "**Threat point.** " + md(threat_words(g["threat_point"], parties)),
            "", f"**Zone of possible agreement:** {g['zopa']['size']} agreements.", ""] + fig("frontier")
    names = {p: r["parties"][p]["name"] for p in parties}
    terms = md(terms_with_names(g["predicted_terms"]["words"], names)) if g["predicted_terms"] else "none"
    out += [f"**Predicted terms:** {terms}", "",
            "**Robustness:** " + md(" ".join(_robustness(r))), "",
            "**The zone of agreement and P(deal).** " + md(_zopa_and_p(r)), ""]
    if r.get("sensitivity"):
        out += _markdown_sensitivity(r, fig)
    d = r["diagnostics"]
    out += ["## Model diagnostics", "", f"Max R-hat {d['max_rhat']:.3f}, min bulk ESS {d['min_ess_bulk']:.0f}, "
            f"divergences {d['divergences']}.", ""]
    pv = r["provenance"]
    out += ["## Provenance", "", f"- made {md(pv['made_at'])}", f"- scenario `{pv['scenario_sha256']}`",
            f"- ledger `{pv['ledger_sha256']}`", f"- fit `{pv['fit']}`, seed {pv['seed']}",
            "- versions " + md(", ".join(f"{k} {v}" for k, v in pv["versions"].items())), ""]
    return "\n".join(out)


def _markdown_sensitivity(r: dict, fig) -> list[str]:
    sens, g = r["sensitivity"], r["game"]
    parties = [g["game"]["row_party"], g["game"]["column_party"]]
    rows, left = _swing_rows(sens, parties)
    header = _swing_header(parties, sens["baseline"])
    out = ["## Which inputs decide the answer", "", md(_swings_words(sens)), ""] + fig("tornado")
    if rows:
        out += ["| " + " | ".join(md(h) for h in header) + " |", "|---:|---|---|---|" + "---:|" * len(parties)]
        out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows] + [""]
    else:
        out += ["No swing changes anything.", ""]
    if left:
        out += [md(left[0].upper() + left[1:]) + ".", ""]
    if sens["dynamics"]:
        lines = _dynamics_lines(r)
        out += ["### Where play drifts without a deal", "", md(DYNAMICS_WORDS + " " + lines[0]), "",
                "| start | fictitious play | replicator dynamics |", "|---|---|---|"]
        out += ["| " + " | ".join(md(c) for c in row) + " |" for row in _dynamics_rows(sens["dynamics"])]
        out += [""] + [md(x) + "  " for x in lines[1:]] + [""]
    return out


def write_report(path: Path, report: dict, figs: dict[str, bytes], figures_dir: Path | None = None) -> list[Path]:
    """Write the report in the format its suffix names; returns every file written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise NegotiateError(f"{path}: unknown report format {suffix or '(none)'}; expected one of {', '.join(FORMATS)}")
    if not path.parent.exists():
        raise NegotiateError(f"{path}: directory {path.parent} does not exist")
    written = []
    target = Path(figures_dir) if figures_dir is not None else path.with_name(f"{path.stem}_figures")
    if figures_dir is not None or suffix == ".md":
        if target.exists() and not target.is_dir():
            raise NegotiateError(f"{target}: exists and is not a directory; expected the directory for the report's "
                                 "figures (move that file, or choose another figures directory)")
        target.mkdir(parents=True, exist_ok=True)
        for name, png in figs.items():
            replace_atomically(target / f"{name}.png", png)
            written.append(target / f"{name}.png")
    if suffix == ".html":
        text = render_html(report, figs)
    elif suffix == ".md":
        # links relative to the report when the figures sit below it, absolute otherwise
        files = {name: target / f"{name}.png" for name in figs}
        rel = {name: (f.relative_to(path.parent) if f.is_relative_to(path.parent) else f).as_posix()
               for name, f in files.items()}
        text = render_markdown(report, rel)
    else:
        text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    replace_atomically(path, text.encode("utf-8"))
    return [path] + written
