import dataclasses
import datetime as dt
import shutil

import numpy as np
import pytest

from negotiate.errors import NegotiateError
from negotiate.evidence.ledger import Event
from negotiate.evidence.reference import DEFAULT_REFERENCE, Episode, load_reference
from negotiate.models.deal import (
    Fit,
    ModelConfig,
    SamplerConfig,
    fit,
    fit_key,
    point_fit,
    snapshots,
)
from negotiate.models.export import export_fit, to_datatree
from negotiate.models.hazard import BUCKET_NAMES, HazardConfig
from negotiate.models.variants import variant


def test_snapshots_never_see_the_outcome():
    episodes = load_reference()
    data = snapshots(episodes, ModelConfig().horizons)
    assert data.episodes >= 30
    # every episode's snapshots weigh 1 in total
    assert data.row_weight.sum() == pytest.approx(data.episodes)
    assert (data.pair_age >= 0).all()
    # one row per horizon that falls after the start and strictly before the resolution
    expected_rows = sum(
        sum(ep.start <= ep.deadline - dt.timedelta(days=h) < ep.resolved_on for h in ModelConfig().horizons)
        for ep in episodes)
    assert len(data.outcome) == expected_rows
    # an event seen by a snapshot is never the resolution itself or later
    assert data.pair_age.min() >= 0


def test_store_round_trip(tmp_path):
    f = point_fit({"consult": 0.3}, 11.0)
    path = f.save(tmp_path)
    g = Fit.load(path)
    assert g.key == "point" and g.diagnostics == f.diagnostics
    for k in f.draws:
        np.testing.assert_array_equal(f.draws[k], g.draws[k])


def test_corrupt_store_is_a_clear_error(tmp_path):
    bad = tmp_path / "abc.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(NegotiateError, match="unreadable stored fit"):
        Fit.load(bad)


def test_key_depends_on_data_and_config(tmp_path):
    ref = tmp_path / "ref"
    shutil.copytree(DEFAULT_REFERENCE, ref)
    hazard = variant("hazard").config_dict()
    base = fit_key(ref, hazard, SamplerConfig())
    assert base == fit_key(ref, variant("hazard").config_dict(), SamplerConfig())
    assert base != fit_key(ref, variant("hazard-clock").config_dict(), SamplerConfig())
    assert base != fit_key(ref, variant("v1").config_dict(), SamplerConfig())
    tweaked = dataclasses.replace(variant("hazard"), config=dataclasses.replace(HazardConfig(), half_life=10.0))
    assert base != fit_key(ref, tweaked.config_dict(), SamplerConfig())
    assert base != fit_key(ref, hazard, dataclasses.replace(SamplerConfig(), seed=1))
    with open(ref / "events.csv", "a") as handle:
        handle.write("\n")
    assert base != fit_key(ref, hazard, SamplerConfig())


def test_stored_fit_keeps_chains_and_sample_stats(tmp_path):
    stats = {"diverging": np.zeros((2, 3), bool), "energy": np.arange(6.0).reshape(2, 3)}
    f = Fit({"clock": np.arange(42.0).reshape(6, 7)}, {"max_rhat": 1.0, "min_ess_bulk": 500.0, "divergences": 0},
            "k", {"chains": 2}, stats)
    g = Fit.load(f.save(tmp_path))
    assert g.meta["chains"] == 2 and g.size == 6
    np.testing.assert_array_equal(g.stats["energy"], stats["energy"])
    tree = to_datatree(g)
    clock = np.asarray(tree.posterior["clock"])
    assert clock.shape == (2, 3, 7)
    np.testing.assert_array_equal(clock[1, 0], np.arange(42.0).reshape(6, 7)[3])  # chain after chain
    assert list(tree.posterior["clock"].coords["bucket"].values) == list(BUCKET_NAMES)
    assert np.asarray(tree.sample_stats["energy"]).shape == (2, 3)


def test_export_writes_netcdf_that_arviz_reads_back(tmp_path):
    import arviz as az

    f = Fit({"b_tone": np.linspace(0, 1, 8)}, {"max_rhat": 1.0, "min_ess_bulk": 500.0, "divergences": 0}, "k",
            {"chains": 2}, {"diverging": np.zeros((2, 4), bool)})
    path = export_fit(f, tmp_path / "fit.nc")
    back = az.from_netcdf(path)
    np.testing.assert_allclose(np.asarray(back.posterior["b_tone"]).ravel(), np.linspace(0, 1, 8))
    with pytest.raises(NegotiateError, match="file exists") as refused:
        export_fit(f, path)
    assert refused.value.remedies == {"overwrite"}


def _synthetic_reference(rng, n_episodes, beta_coop, beta_conf, half_life):
    """Episodes whose outcome is drawn from the model itself, at one day before the deadline."""
    coop = ["consult", "agree", "concede"]
    conf = ["threaten", "sanction", "accuse"]
    episodes = []
    for k in range(n_episodes):
        deadline = dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 2000)))
        start = deadline - dt.timedelta(days=60)
        events = []
        for j in range(int(rng.integers(4, 10))):
            etype = rng.choice(coop + conf)
            date = start + dt.timedelta(days=int(rng.integers(0, 59)))
            events.append(Event(date, "A", "B", str(etype), "synthetic", f"sim://{k}/{j}", 1.0))
        t = deadline - dt.timedelta(days=1)
        eta = sum((beta_coop if e.type in coop else beta_conf) * 2 ** (-(t - e.date).days / half_life) for e in events)
        outcome = int(rng.random() < 1 / (1 + np.exp(-eta)))
        episodes.append(Episode(f"s{k}", "sim", "A", "B", start, deadline, "?", outcome,
                                deadline, "sim", tuple(sorted(events, key=lambda e: e.date))))
    return episodes


@pytest.mark.slow
def test_simulation_based_calibration_recovers_direction_effects():
    """Synthetic reference classes with known effects: the 90% intervals cover them most of the time."""
    covered, total = 0, 0
    for rep in range(4):
        rng = np.random.default_rng(100 + rep)
        truth = {"coop": 0.8, "conf": -0.9}
        episodes = _synthetic_reference(rng, 60, truth["coop"], truth["conf"], 12.0)
        f = fit(episodes, ModelConfig(horizons=(1,)), SamplerConfig(draws=400, tune=400, seed=rep))
        mu = f.draws["mu"]
        for d, name in enumerate(("coop", "conf")):
            lo, hi = np.quantile(mu[:, d], [0.05, 0.95])
            covered += lo <= truth[name] <= hi
            total += 1
        assert f.diagnostics["divergences"] < 10
    assert covered / total >= 0.75


def test_hazard_export_carries_the_pointwise_log_likelihood_for_loo(tmp_path):
    import arviz as az

    from negotiate.models.hazard import point_draws, training_rows

    rng = np.random.default_rng(0)
    config = variant("hazard").config
    one = point_draws(config, [-1.5, -2.0, -2.5, -3.0, -3.5, -4.0, -4.5], b_tone=0.8, b_activity=0.3)
    draws = {k: np.repeat(v, 40, axis=0) + 0.05 * rng.standard_normal((40,) + v.shape[1:]) for k, v in one.items()}
    f = Fit(draws, {"max_rhat": 1.0, "min_ess_bulk": 500.0, "divergences": 0}, "k",
            {"chains": 2, "model": variant("hazard").config_dict()})
    episodes = load_reference()[:20]
    tree = az.from_netcdf(export_fit(f, tmp_path / "fit.nc", episodes=episodes))
    loglik = np.asarray(tree.log_likelihood["deal_days"])
    rows, y, _ = training_rows(episodes, config)
    assert loglik.shape == (2, 20, len(y)) and (loglik <= 0).all()
    np.testing.assert_array_equal(np.asarray(tree.observed_data["deal_days"]), y)
    # a row without a deal: n open days at probability 1 - h each, h from the first draw
    from negotiate.models.hazard import _eta

    k = int(np.argmax(y == 0))
    h = 1 / (1 + np.exp(-_eta({n: a[:1] for n, a in draws.items()}, rows, config)[0, k]))
    assert loglik[0, 0, k] == pytest.approx(rows.days[k] * np.log(1 - h))
    assert np.isfinite(az.loo(tree).elpd)  # what the export is for
