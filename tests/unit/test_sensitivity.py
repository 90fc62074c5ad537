"""Sensitivity: quantiles, one-at-a-time swings, Sobol' indices (closed-form oracle), and the batched outcomes."""

import math

import numpy as np
import pytest

from negotiate.errors import NegotiateError
from negotiate.game.analysis import analyse
from negotiate.game.batch import batch_outcomes
from negotiate.game.posture import PostureGame, sample_payoffs
from negotiate.game.sensitivity import inverse_cdf, one_at_a_time, quantile, sensitivity, sobol_indices, swings
from negotiate.scenario.schema import Fixed, Normal, Triangular, Uniform, load_scenario
from tests.conftest import FLAGSHIP, SCENARIOS

PD = [p for p in SCENARIOS if p.stem == "trade-war-pd"][0]


def test_quantiles_of_each_form():
    assert quantile(Normal(mean=2.0, sd=1.0), 0.05) == pytest.approx(2 - 1.6448536269514722)
    assert quantile(Normal(mean=2.0, sd=1.0), 0.95) == pytest.approx(2 + 1.6448536269514722)
    assert quantile(Normal(mean=0.0, sd=1.0), 0.975) == pytest.approx(1.959963984540054, abs=1e-9)
    assert quantile(Uniform(low=-1.0, high=3.0), 0.05) == pytest.approx(-0.8)
    assert quantile(Uniform(low=-1.0, high=3.0), 0.95) == pytest.approx(2.8)
    assert quantile(Fixed(1.5), 0.05) == 1.5
    t = Triangular(low=0.0, mode=1.0, high=4.0)

    def cdf(x):  # the triangular distribution function, written out
        a, c, b = 0.0, 1.0, 4.0
        return (x - a) ** 2 / ((b - a) * (c - a)) if x <= c else 1 - (b - x) ** 2 / ((b - a) * (b - c))

    for q in (0.05, 0.2, 0.25, 0.5, 0.95):
        assert cdf(quantile(t, q)) == pytest.approx(q)


@pytest.mark.parametrize("dist", [Normal(mean=1.0, sd=2.0), Uniform(low=0.0, high=2.0), Triangular(low=-1.0, mode=0.0, high=3.0)])
def test_inverse_cdf_agrees_with_the_quantiles(dist):
    q = np.array([0.05, 0.3, 0.5, 0.95])
    assert inverse_cdf(dist, q) == pytest.approx([quantile(dist, x) for x in q])


def test_swings_cover_every_input_with_documented_ranges():
    game = PostureGame(load_scenario(FLAGSHIP))
    items = {s.input: s for s in swings(game)}
    assert len(items) == len(game.params) + 4
    impose = items["levers.tariffs.options.impose_100.US"]  # normal(-2, 1)
    assert (impose.low, impose.high) == pytest.approx((-2 - 1.6448536269514722, -2 + 1.6448536269514722))
    keep = items["levers.tariffs.options.keep_threat.US"]  # fixed 0; largest |payoff| is 6
    assert (keep.low, keep.high) == pytest.approx((-0.6, 0.6))
    assert (items["parties.US.patience"].low, items["parties.US.patience"].high) == pytest.approx((0.8, 0.99))
    assert (items["parties.CN.power"].low, items["parties.CN.power"].high) == (0.5, 2.0)
    assert not any(s.form == "fixed" for s in swings(game, fixed_swing=0))


def test_one_at_a_time_on_the_prisoners_dilemma():
    """Foreign's patience 0.4 swung up to 0.5 reaches the textbook critical discount factor 1/2: self-enforcing."""
    result = one_at_a_time(PostureGame(load_scenario(PD)))
    by_input = {e["input"]: e for e in result["inputs"]}
    assert result["baseline"]["predicted_terms"] == {"home_tariff": "hold", "foreign_tariff": "hold"}
    assert result["baseline"]["self_enforcing"] is False
    patience = by_input["parties.F.patience"]
    assert patience["changes"] == {"predicted_terms": False, "threat_equilibrium": False, "zopa_nonempty": False,
                                   "self_enforcing": True}
    assert patience["at_high"]["self_enforcing"] is True and patience["at_low"]["self_enforcing"] is False
    assert not any(by_input["parties.H.patience"]["changes"].values())  # Foreign's 0.4 fails either way
    # +/- 10% of the largest payoff (2) never makes restraint dominant: nothing else changes the terms
    assert not any(e["changes"]["predicted_terms"] for e in result["inputs"])
    assert [e["rank"] for e in result["inputs"]] == list(range(1, len(result["inputs"]) + 1))


def test_swings_that_change_the_terms_are_ranked_first_on_the_flagship():
    result = one_at_a_time(PostureGame(load_scenario(FLAGSHIP)))
    flags = [sum(e["changes"].values()) for e in result["inputs"]]
    assert flags == sorted(flags, reverse=True) and flags[0] >= 1
    assert result["baseline"]["gains"] == pytest.approx({"US": 4.2, "CN": 5.7})


def test_sobol_indices_of_an_additive_function_match_the_closed_form():
    """Y = a1 X1 + a2 X2 + a3 X3, independent: S_i = ST_i = a_i^2 Var(X_i) / sum_j a_j^2 Var(X_j)."""
    a = np.array([1.0, 2.0, 3.0])
    dists = [Normal(mean=1.0, sd=0.5), Uniform(low=0.0, high=2.0), Triangular(low=-1.0, mode=0.0, high=2.0)]
    variances = np.array([0.25, 4 / 12, (1 + 0 + 4 - 0 + 2 - 0) / 18])
    expected = a ** 2 * variances / (a ** 2 * variances).sum()
    result = sobol_indices(lambda x: {"y": x @ a}, dists, ["x1", "x2", "x3"], samples=2048, seed=3)
    out = result["outputs"]["y"]
    assert result["evaluations"] == 2048 * 5
    assert out["variance"] == pytest.approx((a ** 2 * variances).sum(), rel=0.05)
    by_name = {r["input"]: r for r in out["indices"]}
    for name, s in zip(["x1", "x2", "x3"], expected):
        r = by_name[name]
        assert abs(r["first_order"] - s) <= max(3 * r["first_order_conf"], 0.01), (name, r, s)
        assert abs(r["total"] - s) <= max(3 * r["total_conf"], 0.01), (name, r, s)


def test_sobol_indices_of_a_constant_output_are_zero():
    result = sobol_indices(lambda x: {"y": np.ones(len(x))}, [Uniform(low=0.0, high=1.0)], ["x"], samples=64)
    assert result["outputs"]["y"]["variance"] == 0.0
    assert result["outputs"]["y"]["indices"][0]["total"] == 0.0


def test_sobol_samples_must_be_a_power_of_two():
    with pytest.raises(NegotiateError, match="samples must be a power of 2"):
        sobol_indices(lambda x: {"y": x[:, 0]}, [Uniform(low=0.0, high=1.0)], ["x"], samples=300)


def test_sensitivity_on_the_flagship_has_both_parts():
    result = sensitivity(PostureGame(load_scenario(FLAGSHIP)), samples=64, seed=1)
    sobol = result["sobol"]
    assert set(sobol["outputs"]) == {"gain.US", "gain.CN", "zopa_nonempty"}
    assert len(sobol["inputs"]) == 23  # the payoffs with a spread
    assert 0.8 < sobol["outputs"]["zopa_nonempty"]["mean"] <= 1.0
    assert result["sobol"]["evaluations"] == 64 * 25


def test_sensitivity_without_uncertain_payoffs_has_no_sobol_part():
    assert sensitivity(PostureGame(load_scenario(PD)), samples=64)["sobol"] is None


def test_batched_outcomes_agree_with_analyse():
    scenario = load_scenario(FLAGSHIP)
    game = PostureGame(scenario)
    values = sample_payoffs(game.params, 60, np.random.default_rng(5))
    out = batch_outcomes(game, values)
    n = game.shape[1]
    for i in range(len(values)):
        a = analyse(scenario, values=values[i])
        assert out.cell[i] == (-1 if a.nash_cell is None else a.nash_cell[0] * n + a.nash_cell[1])
        assert out.threat[i] == pytest.approx(a.threat)
        assert out.zopa_size[i] == len(a.zopa_cells)
        assert out.self_enforcing[i] == a.critical["self_enforcing"]
        value = a.critical["value"]
        assert (math.isnan(out.critical_value[i]) if value is None else out.critical_value[i] == pytest.approx(value))
        if a.nash_cell is not None:
            assert out.gains[i] == pytest.approx(a.cell_payoffs(a.nash_cell) - a.threat)
