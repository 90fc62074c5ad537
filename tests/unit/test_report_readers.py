"""The report as its reader sees it: plain sentences, party names, readable charts, portable paths."""

import datetime as dt
import os

import matplotlib.dates as mdates
import numpy as np

from negotiate.game.analysis import analyse
from negotiate.report.document import discount_words, shown_path, terms_with_names, threat_words
from negotiate.report.plots import plot_frontier, plot_path
from negotiate.scenario.schema import load_scenario
from tests.conftest import FLAGSHIP


def solution():
    return analyse(load_scenario(FLAGSHIP)).to_dict()


def test_the_threat_point_in_one_plain_sentence():
    threat = {"mode": "equilibrium", "rule": "worst", "equilibrium": 1, "payoffs": {"US": 0.5, "CN": -3.0}}
    text = threat_words(threat, ["US", "CN"])
    assert text.startswith("What each side gets if the talks fail: US +0.50, CN -3.00, in payoffs against the status quo.")
    assert "rule" not in text and "(equilibrium" not in text
    assert "The scenario sets it." in threat_words({"mode": "fixed", "payoffs": {"US": 0, "CN": 0}}, ["US", "CN"])


def test_self_enforcement_without_jargon():
    text = discount_words({"value": 0.26, "self_enforcing": False}, ["US", "CN"], {"US": 0.2, "CN": 0.95})
    assert "grim trigger" not in text and "0.26" in text and "US 0.2, CN 0.95; not both are patient enough" in text


def test_terms_name_the_parties():
    d = solution()
    names = {p: d["parties"][p]["name"] for p in d["parties"]}
    text = terms_with_names(d["predicted_terms"]["words"], names)
    assert text.startswith("United States: ") and "; China: " in text
    assert "US:" not in text and "CN:" not in text


def test_paths_are_shown_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    assert shown_path(tmp_path / "a" / "s.yaml") == os.path.join("a", "s.yaml")
    assert shown_path(None) is None


def _update(path):
    return {"path": path, "prior": {"mean": 0.6, "deal_probability": 0.6, "source": "strategist"},
            "scenario": {"as_of": "2025-10-23", "deadline": "2025-10-30"}}


def test_the_path_chart_starts_before_the_first_event_and_marks_the_deadline():
    path = [{"date": "2025-10-10", "p_deal": 0.7, "change": 0.2, "interval": [0.6, 0.8], "types": ["agree"], "event": "x"},
            {"date": "2025-10-20", "p_deal": 0.5, "change": -0.2, "interval": [0.4, 0.6], "types": ["threaten"], "event": "y"}]
    ax = plot_path(_update(path)).axes[0]
    line = max(ax.get_lines(), key=lambda l: len(l.get_xdata()))  # the step line
    xs = [mdates.num2date(x).date() if not isinstance(x, dt.date) else x for x in line.get_xdata()]
    assert xs[0] < dt.date(2025, 10, 10) and xs[-1] == dt.date(2025, 10, 23)
    assert line.get_ydata()[0] == 0.7 - 0.2  # where the model stood before any event
    verticals = [l for l in ax.get_lines() if len(set(l.get_xdata())) == 1 and "deadline" in l.get_label()]
    assert len(verticals) == 1


def test_the_frontier_chart_zooms_on_the_frontier_and_the_threat_point():
    d = solution()
    ax = plot_frontier(d).axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    t = d["threat_point"]["payoffs"]
    front = np.array([[a["payoffs"]["US"], a["payoffs"]["CN"]] for a in d["hull_frontier"]])
    assert x0 < t["US"] < x1 and y0 < t["CN"] < y1
    assert (front[:, 0] > x0).all() and (front[:, 0] < x1).all() and (front[:, 1] > y0).all() and (front[:, 1] < y1).all()
    A = np.array(d["game"]["payoffs"]["US"])
    B = np.array(d["game"]["payoffs"]["CN"])
    outside = (x0 > A) | (x1 < A) | (y0 > B) | (y1 < B)
    assert outside.any() and any(f"{outside.sum()} of {A.size} agreements lie outside" in x.get_text() for x in ax.texts)
    assert ((A[outside] < t["US"]) | (B[outside] < t["CN"])).all()  # each worse than the threat point for a side
