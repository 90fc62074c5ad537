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


@pytest.mark.parametrize("fixed", [None, {"tariffs": "withdraw_100"}, {"rare_earths": "enforce", "chips": "ease"}])
def test_every_cell_is_the_sum_in_file_order_bit_for_bit(game, fixed):
    """Every cell, for one draw and a batch, equals the cell-by-cell sum (row party's levers, then the
    column party's, then interactions, each in file order): broadcasting changes no bit."""
    game = PostureGame(game.scenario, fixed)
    values = sample_payoffs(game.params, 3, np.random.default_rng(5))
    index = {p.path: k for k, p in enumerate(game.params)}
    for draw in (values[0], values):
        A, B = game.payoffs(draw)
        for r in range(game.shape[0]):
            for c in range(game.shape[1]):
                chosen = game.terms(r, c)
                for party, M in zip(game.parties, (A, B)):
                    total = np.zeros(len(values)) if draw.ndim == 2 else 0.0
                    for owner in game.parties:
                        for lever in game.levers[owner]:
                            total = total + np.asarray(draw)[..., index[f"levers.{lever}.options.{chosen[lever]}.{party}"]]
                    for i, inter in enumerate(game.scenario.interactions):
                        if all(chosen[lv] == opt for lv, opt in inter.when.items()):
                            total = total + np.asarray(draw)[..., index[f"interactions.{i}.payoffs.{party}"]]
                    assert np.array_equal(M[..., r, c], total)
