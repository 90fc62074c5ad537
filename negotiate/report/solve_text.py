"""Plain-text rendering of an analysis for the terminal, from its JSON form (one source of truth)."""

from __future__ import annotations

from typing import Any

from negotiate.report.tables import render_columns

TOP_FRONTIER = 8
# How the text names what-if requests; a front end passes its own names (the CLI: its flags).
REQUEST_NAMES = {"fix": "fix", "set": "set"}


def requests_words(fix: dict[str, str], values: dict[str, float], names: dict[str, str] | None = None) -> str:
    """'fix tariffs=impose_100 set parties.US.patience=0.8', each request under the name ``names`` gives it."""
    names = {**REQUEST_NAMES, **(names or {})}
    return " ".join([f"{names['fix']} {lever}={option}" for lever, option in fix.items()]
                    + [f"{names['set']} {path}={value:g}" for path, value in values.items()])


def _num(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _terms(terms: dict[str, str]) -> str:
    return ", ".join(f"{lever}={option}" for lever, option in terms.items())


def _pair(payoffs: dict[str, float], parties: list[str]) -> str:
    return ", ".join(f"{p} {_num(payoffs[p])}" for p in parties)


def whole_percents(probabilities: list[float]) -> list[int]:
    """Percentages rounded so that they add up to 100 (largest remainders get the leftover points)."""
    raw = [100 * q for q in probabilities]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: out[i] - raw[i])[:100 - sum(out)]:
        out[i] += 1
    return out


def _lottery(point: dict, parties: list[str]) -> str:
    lottery = point["lottery"]
    if len(lottery) == 1:
        return f"{_pair(point['payoffs'], parties)}: the pure agreement {_terms(lottery[0]['terms'])}"
    shares = whole_percents([q["probability"] for q in lottery])
    parts = " or ".join(f"{share}% {_terms(q['terms'])}" for share, q in zip(shares, lottery))
    return f"{_pair(point['payoffs'], parties)}: a lottery, {parts}"


def _strategies(e: dict, parties: list[str]) -> str:
    return "   ".join(
        f"{p}: " + ", ".join(name if q > 1 - 1e-9 else f"{name} {q:.3f}" for name, q in e["strategies"][p].items())
        for p in parties
    )


def _changed(flag: bool) -> str:
    return "  (changed)" if flag else "  (unchanged)"


def render_what_if(w: dict[str, Any], parties: list[str], names: dict[str, str] | None = None) -> list[str]:
    """Lines comparing the what-if with the scenario as written (``what_if`` of ``solve --json``)."""
    b, a, ch = w["baseline"], w["modified"], w["changes"]
    out = [f"What if: {requests_words(w['fix'], w['set'], names)}  (against the scenario as written)"]
    out.append(f"  Equilibria: {len(b['equilibria'])} -> {len(a['equilibria'])}{_changed(ch['equilibria'])}")
    if ch["equilibria"]:
        for label, side in (("before", b), ("after ", a)):
            for k, e in enumerate(side["equilibria"], 1):
                out.append(f"    {label} #{k}: {_strategies(e, parties)}   payoffs {_pair(e['payoffs'], parties)}")
    out.append(f"  Threat point: {_pair(b['threat_point']['payoffs'], parties)} -> "
               f"{_pair(a['threat_point']['payoffs'], parties)}{_changed(ch['threat_point'])}")
    out.append(f"  Zone of agreement: {b['zopa_size']} -> {a['zopa_size']} agreements"
               + ("  (changed: " + ("it opens)" if a["zopa_size"] else "it closes)") if ch["zopa_nonempty"] else ""))
    out.append(f"  Predicted terms{_changed(ch['predicted_terms'])}")
    for label, side in (("before", b), ("after ", a)):
        pt = side["predicted_terms"]
        out.append(f"    {label}: " + (pt["words"] if pt else "no deal (the threat point)"))
    out.append("  Gain over the threat point: " + ", ".join(
        f"{p} {_num(b['gains'][p])} -> {_num(a['gains'][p])} ({w['gain_change'][p]:+.2f})" for p in parties))
    out.append("  Payoff of the predicted outcome: " + ", ".join(
        f"{p} {_num(b['payoffs'][p])} -> {_num(a['payoffs'][p])} ({w['payoff_change'][p]:+.2f})" for p in parties))

    def enforced(side: dict) -> str:
        if not side["deal"]:
            return "n/a (no deal)"
        return ("yes" if side["self_enforcing"] else "no") + f" (critical discount factor {_num(side['critical_discount'], 3)})"

    out.append(f"  Self-enforcing: {enforced(b)} -> {enforced(a)}")
    out.append("")
    return out


DYNAMICS_NAMES = {"fictitious_play": "fictitious play", "replicator": "replicator dynamics"}
START_NAMES = {"status_quo": "the status quo", "uniform": "uniform play"}


def settled_words(run: dict[str, Any]) -> str:
    """'#2 in 9 of 10, #1 in 1' (and the runs at another equilibrium or not settled) for one group of runs."""
    n = run["restarts"]
    parts = [f"#{c['equilibrium'] + 1} in {c['count']} of {n}" if i == 0 else f"#{c['equilibrium'] + 1} in {c['count']}"
             for i, c in enumerate(run["settled"])]
    if run["other_equilibrium"]:
        parts.append(f"another equilibrium (not listed) in {run['other_equilibrium']}")
    if run["unsettled"]:
        parts.append(f"not settled in {run['unsettled']}")
    return ", ".join(parts) if parts else "none settled"


def dynamics_verdict(dy: dict[str, Any], equilibria: list[dict], parties: list[str]) -> str:
    """The sentence that says where play drifts most often."""
    best = dy["most_often"]
    if best is None:
        return "No run settled at a listed equilibrium: play cycles or keeps moving."
    e = equilibria[best["equilibrium"]]
    profile = "; ".join(f"{p}: " + ", ".join(name if q > 1 - 1e-9 else f"{name} {q:.3f}" for name, q in e["strategies"][p].items())
                        for p in parties)
    return (f"Play drifts to equilibrium #{best['equilibrium'] + 1} most often from {START_NAMES[best['start']]} "
            f"({best['count']} of {best['runs']} runs): {profile}; payoffs {_pair(e['payoffs'], parties)}.")


def render_dynamics(dy: dict[str, Any], equilibria: list[dict], parties: list[str]) -> list[str]:
    """Lines of the learning-dynamics block (``dynamics`` of ``solve --json``)."""
    st = dy["settings"]
    m, n = dy["reduced_shape"]
    out = [f"Learning dynamics (nashpy) on the reduced {m} x {n} game: {st['restarts']} runs of each from each start, "
           f"each from {1 - st['perturbation']:.0%} the start + {st['perturbation']:.0%} a random mixture (seed {st['seed']})"]
    sq = dy["starts"]["status_quo"]
    for start in ("status_quo", "uniform"):
        runs = [r for r in dy["runs"] if r["start"] == start]
        if start == "status_quo":
            if sq is None:
                out.append("  from the status quo: not run (some lever names no status quo)")
                continue
            where = "; ".join(f"{p}: {v['strategy']}" + (
                f" (its status quo {v['status_quo']} is strictly dominated; the nearest kept posture changes "
                f"{v['levers_changed']} lever{'s' if v['levers_changed'] > 1 else ''})" if v["levers_changed"] else "")
                for p, v in sq.items())
            out.append(f"  from the status quo ({where}):")
        else:
            out.append("  from uniform play:")
        for r in runs:
            out.append(f"    {DYNAMICS_NAMES[r['dynamics']] + ':':<22}{settled_words(r)}")
    out.append("  " + dynamics_verdict(dy, equilibria, parties))
    out.append("")
    return out


def render_analysis(d: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """The readable report of ``negotiate solve`` for the dict from ``Analysis.to_dict``.

    ``names`` names the what-if requests (``fix``, ``set``) as the caller's user knows them.
    """
    s, g = d["scenario"], d["game"]
    row, col = g["row_party"], g["column_party"]
    parties = [row, col]
    out = [f"{s['title']}  [{s['id']}]", f"Question: {s['question']}", f"As of {s['as_of']}; deadline {s['deadline']}", ""]
    if d.get("what_if"):
        out += render_what_if(d["what_if"], parties, names)
        out.append("The what-if in full")
        out.append("")

    m, n = g["shape"]
    rm, rn = g["reduced_shape"]
    out.append("Posture game")
    for p, role in ((row, "rows"), (col, "columns")):
        levers = ", ".join(g["levers"][p]) or "none"
        out.append(f"  {p} ({role}): {len(g['strategies'][p])} strategies from levers: {levers}")
    out.append(f"  {m} x {n}; after eliminating strictly dominated strategies: {rm} x {rn}")
    for p in parties:
        if g["eliminated"][p]:
            out.append(f"  {p} never plays: " + "; ".join(g["eliminated"][p]))
    out.append("")

    solver = d["solver"]
    status = "complete set" if solver["complete"] else "INCOMPLETE (some equilibria may be missing)"
    degen = "degenerate game" if solver["degenerate"] else "nondegenerate game"
    out.append(f"Nash equilibria: {len(d['equilibria'])} ({status}; {solver['method']}; {degen})")
    for note in solver["notes"]:
        out.append(f"  note: {note}")
    for k, e in enumerate(d["equilibria"], 1):
        kind = "pure " if e["pure"] else "mixed"
        strat = _strategies(e, parties)
        out.append(f"  #{k} {kind}  {strat}   payoffs {_pair(e['payoffs'], parties)}")
    out.append("")
    if d.get("dynamics"):
        out += render_dynamics(d["dynamics"], d["equilibria"], parties)

    t = d["threat_point"]
    if t["mode"] == "equilibrium":
        how = f"equilibrium #{t['equilibrium'] + 1}, rule: {t['rule']}" if t["equilibrium"] is not None else f"mean of the equilibria, rule: {t['rule']}"
    elif t["mode"] == "status_quo":
        how = "status quo: " + _terms(t["terms"])
    else:
        how = "given in the scenario"
    out.append(f"Threat point ({how}): {_pair(t['payoffs'], parties)}")
    out.append("")

    z = d["zopa"]
    out.append(f"Zone of possible agreement: {z['size']} of {d['agreements']['count']} agreements beat the threat point for both")
    if z["lotteries_only"]:
        out.append("  no single agreement does, but lotteries (packages traded over time) do")
    if z["agreements"]:
        out.append("  best by Nash product:")
        rows = [[_num(a["gains"][row]), _num(a["gains"][col]), _terms(a["terms"])] for a in z["agreements"]]
        out += render_columns([f"gain {row}", f"gain {col}", "terms"], rows, "right", "    ")
    out.append("")

    front = d["pareto_frontier"]
    out.append(f"Pareto frontier (pure agreements): {len(front)}")
    rows = [[_num(a["payoffs"][row]), _num(a["payoffs"][col]), _terms(a["terms"])] for a in front[:TOP_FRONTIER]]
    out += render_columns([row, col, "terms"], rows, "right", "    ")
    if len(front) > TOP_FRONTIER:
        out.append(f"    ... {len(front) - TOP_FRONTIER} more (all of them in the JSON output)")
    out.append("")

    nb = d["nash_bargaining"]
    power = ", ".join(f"{p} {d['parties'][p]['power']:g}" for p in parties)
    out.append(f"Nash bargaining solution (power {power})")
    if nb is None:
        out.append("  none: no agreement or lottery gives both sides more than the threat point")
    else:
        if nb["terms"] is not None:
            out.append(f"  over pure agreements: {_pair(nb['payoffs'], parties)} (gains {_pair(nb['gains'], parties)})")
            out.append(f"    {_terms(nb['terms'])}")
        out.append(f"  over lotteries (convex hull): {_lottery(nb['hull'], parties)}")
    ks = d["kalai_smorodinsky"]
    out.append("Kalai-Smorodinsky solution (over lotteries)")
    out.append(f"  {_lottery(ks, parties)}" if ks else "  none: some side cannot gain over the threat point")
    out.append("")

    r = d["rubinstein"]
    pat = ", ".join(f"{p} {d['parties'][p]['patience']:g}" for p in parties)
    other = col if r["proposer"] == row else row
    out.append(f"Rubinstein alternating offers (patience {pat}; transferable surplus {_num(r['surplus'])})")
    if _num(r["surplus"]) in ("0.00", "-0.00") or r["surplus"] <= 0:
        out.append("  no surplus over the threat point: there is nothing to share")
    else:
        for first in (r["proposer"], other):
            sh = r["shares_by_proposer"][first]
            out.append(f"  {first} proposes first: " + ", ".join(f"{p} {sh[p]:.1%}" for p in parties))
    out.append("")

    c = d["critical_discount"]
    out.append("Self-enforcement of the predicted deal (repeated game, grim trigger back to the threat equilibrium)")
    if not c["by_party"]:
        out.append(f"  not applicable: {c.get('reason', 'no deal')}")
    else:
        for p, v in c["by_party"].items():
            crit = "never (the punishment is no worse than the deal)" if v["critical"] is None else f"{v['critical']:.3f}"
            mark = "holds" if v["holds"] else "FAILS"
            out.append(f"  {p}: critical discount factor {crit}; patience {v['patience']:g}: {mark}")
        verdict = "self-enforcing" if c["self_enforcing"] else "NOT self-enforcing"
        out.append(f"  critical discount factor {_num(c['value'], 3)}: the deal is {verdict}")
    out.append("")

    out.append("Predicted deal terms")
    pt = d["predicted_terms"]
    out.append(f"  {pt['words']}" if pt else "  no deal: no agreement beats the threat point for both sides")

    mc = d.get("monte_carlo")
    if mc:
        out.append("")
        out.append(f"Monte Carlo over payoff uncertainty ({mc['draws']} draws, seed {mc['seed']})")
        out.append(f"  P(zone of agreement non-empty): {mc['p_zopa_nonempty']:.1%}")
        out.append(f"  predicted agreement ({mc['distinct_agreements']} distinct), most frequent:")
        rows = [[f"{a['frequency']:.1%}", _terms(a["terms"])] for a in mc["agreements"]]
        out += render_columns(["share", "terms"], rows, "right", "    ")
        out.append("  gain over the threat point at the predicted agreement (quantiles 5/25/50/75/95%):")
        for p in parties:
            q = mc["gains"][p]
            out.append(f"    {p}: " + ("n/a" if q is None else " / ".join(_num(v) for v in q.values())))
        if mc["solved_individually"]:
            out.append(f"  ({mc['solved_individually']} draws with degenerate or large reduced games went through the exact solver)")
    return "\n".join(out) + "\n"
