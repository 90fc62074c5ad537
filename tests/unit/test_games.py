import numpy as np
import pytest

from negotiate.game.posture import PostureGame, sample_payoffs
from negotiate.scenario.schema import load_scenario


@pytest.fixture
def game(flagship):
    return PostureGame(load_scenario(flagship))


def test_strategies_are_the_product_of_owned_levers(game):
    assert game.parties == ["US", "CN"]
    assert game.shape == (9, 9)
    assert game.strategies["US"][0] == ("impose_100", "expand")
    assert game.strategy_name("CN", 8) == "suspend + commit_large"


def test_cell_payoff_is_the_sum_of_options_plus_interactions(game):
    """Recompute one cell by hand from the scenario, independently of the vectorised builder."""
    s = game.scenario
    A, B = game.payoffs(game.point_values())
    r = game.strategies["US"].index(("withdraw_100", "ease"))
    c = game.strategies["CN"].index(("enforce", "resume"))
    chosen = {"tariffs": "withdraw_100", "chips": "ease", "rare_earths": "enforce", "soybeans": "resume"}
    for party, M in (("US", A), ("CN", B)):
        total = sum(s.levers[lv].options[opt][party].point() for lv, opt in chosen.items())
        for inter in s.interactions:
            if all(chosen[lv] == opt for lv, opt in inter.when.items()):
                total += inter.payoffs[party].point()
        assert M[r, c] == pytest.approx(total)


def test_status_quo_cell_scores_zero(game):
    A, B = game.payoffs(game.point_values())
    r, c = game.status_quo_cell()
    assert game.terms(r, c) == {"tariffs": "keep_threat", "chips": "maintain",
                                "rare_earths": "as_announced", "soybeans": "boycott"}
    assert A[r, c] == 0 and B[r, c] == 0


def test_draws_are_vectorised_and_match_single_evaluation(game):
    values = sample_payoffs(game.params, 50, np.random.default_rng(1))
    A, B = game.payoffs(values)
    assert A.shape == (50, 9, 9)
    A7, B7 = game.payoffs(values[7])
    np.testing.assert_allclose(A[7], A7)
    np.testing.assert_allclose(B[7], B7)


def test_draw_moments_match_distributions(game):
    values = sample_payoffs(game.params, 200_000, np.random.default_rng(2))
    np.testing.assert_allclose(values.mean(axis=0), game.point_values(), atol=0.02)


def test_terms_in_words_use_labels(game):
    r = game.strategies["US"].index(("withdraw_100", "maintain"))
    c = game.strategies["CN"].index(("suspend", "boycott"))
    words = game.terms_in_words(r, c)
    assert words.startswith("US: withdraw the 100% threat")
    assert "CN: suspend the 9 October rare-earth controls, keep buying no US soybeans" in words
