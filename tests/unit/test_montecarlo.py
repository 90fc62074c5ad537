import warnings

import numpy as np
import pytest

from negotiate.game.analysis import analyse
from negotiate.game.equilibria import solve_bimatrix
from negotiate.game.montecarlo import equilibrium_threats, monte_carlo
from negotiate.game.posture import PostureGame, sample_payoffs
from negotiate.game.threat import pick_threat_equilibrium
from negotiate.scenario.schema import load_scenario
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def game():
    return PostureGame(load_scenario(ROOT / "scenarios" / "us-china-kl-2025.yaml"))


def test_same_seed_same_numbers(game):
    assert monte_carlo(game, 300, 7) == monte_carlo(game, 300, 7)
    assert monte_carlo(game, 300, 7) != monte_carlo(game, 300, 8)


@pytest.mark.parametrize("rule", ["worst", "best", "mean"])
def test_batched_threats_equal_exact_solver_draw_by_draw(game, rule):
    values = sample_payoffs(game.params, 150, np.random.default_rng(11))
    A, B = game.payoffs(values)
    threats, _ = equilibrium_threats(A, B, rule)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d in range(len(A)):
            eq = solve_bimatrix(A[d], B[d], warn=False).equilibria
            expected, _ = pick_threat_equilibrium(np.array([e.payoffs for e in eq]), rule)
            np.testing.assert_allclose(threats[d], expected, atol=1e-9)


def test_fixed_payoffs_reproduce_the_point_analysis():
    pd = PostureGame(load_scenario(ROOT / "scenarios" / "trade-war-pd.yaml"))
    mc = monte_carlo(pd, 100, 1)
    point = analyse(pd.scenario).to_dict()
    assert mc["p_zopa_nonempty"] == 1.0
    assert mc["agreements"] == [{"terms": point["predicted_terms"]["terms"],
                                 "words": point["predicted_terms"]["words"], "frequency": 1.0}]
    assert mc["gains"]["H"]["q50"] == pytest.approx(1.0)


def test_frequencies_and_quantiles_are_coherent(game):
    mc = monte_carlo(game, 500, 3)
    freqs = [a["frequency"] for a in mc["agreements"]]
    assert freqs == sorted(freqs, reverse=True)
    assert sum(freqs) <= mc["p_zopa_nonempty"] + 1e-12
    for q in mc["gains"].values():
        values = list(q.values())
        assert values == sorted(values) and values[0] > 0  # gains over the threat point are positive


@pytest.mark.parametrize("scenario", ["us-china-kl-2025.yaml", "trade-war-pd.yaml"])
def test_same_numbers_whatever_the_chunk_size(scenario):
    """Draws are made before the work is cut into chunks, so chunking changes no number."""
    g = PostureGame(load_scenario(ROOT / "scenarios" / scenario))
    whole = monte_carlo(g, 240, 5, chunk=240)
    for chunk in (1, 7, 64, None):
        assert monte_carlo(g, 240, 5, chunk=chunk) == whole


def test_progress_is_reported_chunk_by_chunk(game):
    seen = []
    monte_carlo(game, 50, 1, chunk=20, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(20, 50), (40, 50), (50, 50)]
