"""What changes when levers are fixed or numbers overridden: the ``what_if`` part of ``solve --json``.

The baseline is the scenario as written, solved without constraints; the what-if is the scenario with
the ``--set`` overrides, solved with the ``--fix`` levers committed. Both are summarised in the same
form (equilibria, threat point, zone of agreement, predicted terms, each side's gain and payoff) and
compared.
"""

from __future__ import annotations

from typing import Any

from negotiate.game.analysis import Analysis

# Payoffs closer than this are equal (they are sums of scenario numbers).
TOL = 1e-9


def outcome_summary(d: dict[str, Any]) -> dict[str, Any]:
    """The parts of an analysis a what-if compares, from ``Analysis.to_dict()``.

    Returns
    -------
    dict
        ``equilibria`` (as in ``solve --json``), ``threat_point`` (``payoffs``, ``mode`` and the
        threat equilibrium's ``strategies``, null when it is not one equilibrium), ``zopa_size``,
        ``deal``, ``predicted_terms`` (``terms``, ``words``; null without a deal), ``payoffs`` (of
        the predicted outcome: the deal, or the threat point without one), ``gains`` (over the
        threat point; 0 without a deal), ``critical_discount`` and ``self_enforcing``.
    """
    parties = [d["game"]["row_party"], d["game"]["column_party"]]
    t = d["threat_point"]
    index = t.get("equilibrium")
    nash = d["nash_bargaining"]
    deal = d["predicted_terms"] is not None
    return {
        "equilibria": d["equilibria"],
        "threat_point": {"mode": t["mode"], "payoffs": t["payoffs"],
                         "strategies": d["equilibria"][index]["strategies"] if index is not None else None},
        "zopa_size": d["zopa"]["size"],
        "deal": deal,
        "predicted_terms": d["predicted_terms"],
        "payoffs": dict(nash["payoffs"]) if deal else dict(t["payoffs"]),
        "gains": dict(nash["gains"]) if deal else {p: 0.0 for p in parties},
        "critical_discount": d["critical_discount"]["value"],
        "self_enforcing": bool(d["critical_discount"]["self_enforcing"]),
    }


def profile_key(strategies: dict | None) -> Any:
    if strategies is None:
        return None
    return tuple(sorted((p, s, round(q, 9)) for p, probs in strategies.items() for s, q in probs.items()))


def _payoffs_differ(a: dict[str, float], b: dict[str, float]) -> bool:
    return any(abs(a[p] - b[p]) > TOL for p in a)


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, bool]:
    """Which outcomes differ between two ``outcome_summary`` results."""
    eq = {profile_key(e["strategies"]) for e in before["equilibria"]} != {profile_key(e["strategies"]) for e in after["equilibria"]}
    tb, ta = before["threat_point"], after["threat_point"]
    threat = profile_key(tb["strategies"]) != profile_key(ta["strategies"]) or _payoffs_differ(tb["payoffs"], ta["payoffs"])
    terms_b = before["predicted_terms"]["terms"] if before["predicted_terms"] else None
    terms_a = after["predicted_terms"]["terms"] if after["predicted_terms"] else None
    return {
        "equilibria": eq,
        "threat_point": threat,
        "predicted_terms": terms_b != terms_a,
        "zopa_nonempty": (before["zopa_size"] > 0) != (after["zopa_size"] > 0),
        "self_enforcing": before["self_enforcing"] != after["self_enforcing"],
    }


def what_if(baseline: Analysis, modified: Analysis, fixed: dict[str, str], values: dict[str, float]) -> dict[str, Any]:
    """The ``what_if`` part of ``solve --json``: both solutions summarised, and what changed.

    Parameters
    ----------
    baseline : Analysis
        The scenario as written, without fixed levers.
    modified : Analysis
        With the overrides and the fixed levers.
    fixed : dict
        Lever -> option (``--fix``).
    values : dict
        Dotted path -> number (``--set``).

    Returns
    -------
    dict
        ``fix``, ``set``, ``baseline`` and ``modified`` (see ``outcome_summary``), ``changes``
        (``equilibria``, ``threat_point``, ``predicted_terms``, ``zopa_nonempty``, ``self_enforcing``:
        true when that outcome differs), ``gain_change`` and ``payoff_change`` (per party, modified
        minus baseline).
    """
    before = outcome_summary(baseline.to_dict())
    after = outcome_summary(modified.to_dict())
    return {
        "fix": dict(fixed),
        "set": dict(values),
        "baseline": before,
        "modified": after,
        "changes": compare(before, after),
        "gain_change": {p: after["gains"][p] - before["gains"][p] for p in before["gains"]},
        "payoff_change": {p: after["payoffs"][p] - before["payoffs"][p] for p in before["payoffs"]},
    }
