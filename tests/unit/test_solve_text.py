"""What `solve` prints: numbers a reader adds up, and nothing printed where there is nothing to say."""

import copy

from hypothesis import given
from hypothesis import strategies as st

from negotiate.game.analysis import analyse
from negotiate.report.solve_text import render_analysis, whole_percents
from negotiate.scenario.schema import load_scenario
from tests.conftest import FLAGSHIP


@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=5).filter(lambda q: sum(q) > 0))
def test_whole_percents_add_up_to_100_and_stay_within_a_point(weights):
    total = sum(weights)
    probabilities = [w / total for w in weights]
    shares = whole_percents(probabilities)
    assert sum(shares) == 100
    assert all(abs(s - 100 * q) < 1 for s, q in zip(shares, probabilities))


def test_a_two_thirds_lottery_reads_67_plus_33():
    assert whole_percents([2 / 3, 1 / 3]) == [67, 33]
    assert whole_percents([0.675, 0.325]) in ([68, 32], [67, 33])


def test_rubinstein_with_no_surplus_says_there_is_nothing_to_share():
    d = analyse(load_scenario(FLAGSHIP)).to_dict()
    assert "proposes first" in render_analysis(d)
    flat = copy.deepcopy(d)
    flat["rubinstein"]["surplus"] = 0.0
    text = render_analysis(flat)
    assert "no surplus over the threat point: there is nothing to share" in text
    assert "proposes first" not in text
