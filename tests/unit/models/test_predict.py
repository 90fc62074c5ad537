import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiate.evidence.catalogue import BUILTIN, Catalogue
from negotiate.evidence.ledger import Event
from negotiate.models.deal import TYPES, Fit, point_fit
from negotiate.models.predict import forecast, prior_logit_sd, trigamma

AS_OF = dt.date(2025, 10, 23)
CAT = Catalogue()
COOPERATIVE = [t.name for t in BUILTIN if t.direction == "cooperative"]
CONFLICTUAL = [t.name for t in BUILTIN if t.direction == "conflictual"]


def ev(day, etype, weight=1.0, desc="e"):
    return Event(dt.date.fromisoformat(day) if isinstance(day, str) else day, "US", "CN", etype, desc,
                 f"https://x/{etype}/{day}/{desc}", weight)


def test_trigamma_against_known_values():
    # psi'(1) = pi^2 / 6; psi'(1/2) = pi^2 / 2; psi'(x+1) = psi'(x) - 1/x^2
    assert trigamma(1.0) == pytest.approx(math.pi ** 2 / 6, rel=1e-10)
    assert trigamma(0.5) == pytest.approx(math.pi ** 2 / 2, rel=1e-10)
    assert trigamma(7.3) == pytest.approx(trigamma(6.3) - 1 / 6.3 ** 2, rel=1e-10)


def test_prior_spread_matches_beta_logit_variance_by_simulation():
    rng = np.random.default_rng(0)
    p = rng.beta(0.6 * 4, 0.4 * 4, 400_000)
    assert prior_logit_sd(0.6, 4) == pytest.approx(np.log(p / (1 - p)).std(), rel=0.01)


def test_point_effects_equal_the_closed_form():
    beta = {"consult": 0.4, "threaten": -0.7, "agree": 1.1, "sanction": -0.3}
    half_life = 9.0
    events = [ev("2025-10-01", "consult", 1.0), ev("2025-10-10", "threaten", 0.8), ev("2025-10-20", "agree", 0.5),
              ev("2025-10-22", "sanction"), ev("2025-10-25", "agree")]  # the last is after as_of: ignored
    p0 = 0.35
    out = forecast(point_fit(beta, half_life), events, AS_OF, p0, None, CAT)
    eta = math.log(p0 / (1 - p0)) + sum(
        e.weight * beta[e.type] * 2 ** (-(AS_OF - e.date).days / half_life) for e in events if e.date <= AS_OF)
    assert out["p_deal"] == pytest.approx(1 / (1 + math.exp(-eta)), abs=1e-9)
    assert out["events_used"] == 4 and out["events_ignored_after_as_of"] == 1


def test_no_events_gives_the_prior():
    rng = np.random.default_rng(3)
    n = 500
    fit = Fit({"alpha": rng.normal(size=n), "beta": rng.normal(size=(n, len(TYPES))), "mu": rng.normal(size=(n, 2)),
               "tau": np.abs(rng.normal(size=n)), "half_life": np.exp(rng.normal(2.5, 0.5, n))},
              {"max_rhat": 1, "min_ess_bulk": 1000, "divergences": 0}, "k")
    out = forecast(fit, [], AS_OF, 0.6, 4, CAT, seed=5)
    assert out["p_deal"] == out["prior_mean"]
    assert out["p_deal"] == pytest.approx(0.6, abs=3 * 0.22 / np.sqrt(n))  # the Beta prior's mean, up to MC error
    assert out["path"] == [] and out["contributions"] == []
    point = forecast(point_fit({}, 10), [], AS_OF, 0.6, None, CAT)
    assert point["p_deal"] == pytest.approx(0.6, abs=1e-12)


def test_same_seed_same_numbers():
    fit = point_fit({"consult": 0.5}, 10)
    events = [ev("2025-10-01", "consult")]
    a = forecast(fit, events, AS_OF, 0.5, 4.0, CAT, seed=1)
    assert a == forecast(fit, events, AS_OF, 0.5, 4.0, CAT, seed=1)


def test_path_and_as_of():
    fit = point_fit({"consult": 0.5, "threaten": -0.5}, 10)
    events = [ev("2025-10-01", "consult"), ev("2025-10-05", "threaten"), ev("2025-10-05", "consult", desc="b")]
    out = forecast(fit, events, AS_OF, 0.5, None, CAT)
    assert [p["date"] for p in out["path"]] == ["2025-10-01", "2025-10-05"]  # one point per day
    assert out["path"][-1]["types"] == ["threaten", "consult"]
    early = forecast(fit, events, dt.date(2025, 10, 2), 0.5, None, CAT)
    assert early["events_used"] == 1 and early["p_deal"] > 0.5


def test_custom_types_draw_from_their_direction():
    from negotiate.evidence.catalogue import Catalogue as C

    cat = C({"summit_set": ("cooperative", "a summit is scheduled")})
    out = forecast(point_fit({}, 10), [ev("2025-10-20", "summit_set")], AS_OF, 0.5, None, cat)
    assert out["p_deal"] == pytest.approx(0.5)  # mu = 0 and tau = 0 in a point fit


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 120), st.sampled_from(list(TYPES)), st.floats(0.1, 1.0)), max_size=12),
    st.sampled_from(COOPERATIVE), st.sampled_from(CONFLICTUAL),
    st.floats(0.05, 2.0), st.floats(0.05, 2.0), st.floats(0.05, 0.95), st.one_of(st.none(), st.floats(0.5, 50)),
    st.integers(0, 60),
)
def test_cooperative_events_raise_and_conflictual_lower(ledger, coop, conf, b_coop, b_conf, p0, strength, age):
    beta = {t: (0.3 if t in COOPERATIVE else -0.3) for t in TYPES} | {coop: b_coop, conf: -b_conf}
    fit = point_fit(beta, 12.0)
    events = [ev(AS_OF - dt.timedelta(days=d), t, w, desc=str(k)) for k, (d, t, w) in enumerate(ledger)]
    base = forecast(fit, events, AS_OF, p0, strength, CAT, seed=2)["p_deal"]
    day = AS_OF - dt.timedelta(days=age)
    up = forecast(fit, sorted(events + [ev(day, coop, desc="new")], key=lambda e: e.date), AS_OF, p0, strength, CAT, seed=2)
    down = forecast(fit, sorted(events + [ev(day, conf, desc="new")], key=lambda e: e.date), AS_OF, p0, strength, CAT, seed=2)
    assert up["p_deal"] > base > down["p_deal"]


def test_path_points_equal_the_closed_form_on_each_day():
    beta = {"consult": 0.4, "threaten": -0.7, "agree": 1.1}
    events = [ev("2025-09-01", "consult"), ev("2025-09-01", "threaten", 0.5, "b"), ev("2025-09-20", "agree"),
              ev("2025-10-10", "threaten")]
    out = forecast(point_fit(beta, 9.0), events, AS_OF, 0.4, None, CAT)
    for point in out["path"]:
        day = dt.date.fromisoformat(point["date"])
        eta = math.log(0.4 / 0.6) + sum(e.weight * beta[e.type] * 2 ** (-(day - e.date).days / 9.0)
                                        for e in events if e.date <= day)
        assert point["p_deal"] == pytest.approx(1 / (1 + math.exp(-eta)), abs=1e-12)
