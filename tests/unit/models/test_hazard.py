"""The hazard model against its closed form, its limits, and simulation-based calibration."""

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiate.evidence.catalogue import Catalogue
from negotiate.evidence.ledger import Event
from negotiate.evidence.reference import Episode
from negotiate.models.deal import SamplerConfig
from negotiate.models.hazard import (
    BUCKETS,
    TYPES,
    Case,
    HazardConfig,
    bucket_of,
    overlap_weight,
    p_deal_by_deadline,
    point_draws,
    training_rows,
)
from negotiate.models.update import combine_with_prior
from negotiate.models.variants import variant

FULL = HazardConfig()
DEADLINE = dt.date(2025, 3, 31)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def ev(date, etype, weight=1.0):
    return Event(date, "A", "B", etype, "test", f"t://{date}/{etype}", weight)


def test_buckets_cover_every_day_once():
    days = np.arange(0, 400)
    b = bucket_of(days)
    for d, k in zip(days, b):
        lo, hi = BUCKETS[k]
        assert lo <= d <= hi


@pytest.mark.parametrize("domains", [False, True], ids=["hazard", "hazard-domain"])
def test_closed_form_with_fixed_parameters(domains):
    """P = 1 - prod(1 - sigmoid(eta_d)), eta written out by hand from the model's definition."""
    config = dataclasses.replace(FULL, domains=domains)
    clock = [-1.0, -1.5, -2.0, -2.5, -3.0, -3.5, -4.0]
    scores = {"consult": 1.2, "threaten": -0.7}
    draws = point_draws(config, clock, b_summit=0.6, domain={"trade": 0.2}, kind={"summit": -0.1},
                        type_score=scores, b_tone=0.9, b_activity=0.3)
    events = (ev(dt.date(2025, 3, 20), "consult"), ev(dt.date(2025, 3, 25), "threaten", 0.5))
    case = Case(dt.date(2025, 3, 1), DEADLINE, events, "trade", "summit", True)
    as_of = dt.date(2025, 3, 26)
    s1 = 1.0 * 2 ** (-(as_of - events[0].date).days / FULL.half_life)  # the news as of the landmark
    s2 = 0.5 * 2 ** (-(as_of - events[1].date).days / FULL.half_life)
    tone = (1.2 * s1 - 0.7 * s2) / (1 + s1 + s2)
    expected_survival = 1.0
    for left in (4, 3, 2, 1, 0):  # days 27..31
        bucket = {4: 3, 3: 2, 2: 2, 1: 1, 0: 0}[left]
        domain_effect = 0.2 if domains else 0.0  # the trade effect counts only in hazard-domain
        eta = clock[bucket] + 0.6 * (left <= 1) + domain_effect - 0.1 + 0.9 * tone + 0.3 * math.log1p(s1 + s2)
        expected_survival *= 1 - sigmoid(eta)
    p = p_deal_by_deadline(draws, config, case, as_of)
    assert p.shape == (1,)
    assert p[0] == pytest.approx(1 - expected_survival, rel=1e-12)


def test_events_after_as_of_are_ignored():
    draws = point_draws(FULL, -3.0, b_tone=1.0, b_activity=0.5)
    case = Case(dt.date(2025, 3, 1), DEADLINE, (ev(dt.date(2025, 3, 28), "agree"),))
    silent = dataclasses.replace(case, events=())
    as_of = dt.date(2025, 3, 27)
    assert p_deal_by_deadline(draws, FULL, case, as_of) == pytest.approx(p_deal_by_deadline(draws, FULL, silent, as_of))
    later = dt.date(2025, 3, 28)
    assert p_deal_by_deadline(draws, FULL, case, later) > p_deal_by_deadline(draws, FULL, silent, later)


def test_no_events_and_no_time_passing_gives_the_clock_prior():
    """With no events, P is the clock's alone; asked twice on the same day, the same P."""
    clock = [-1.0, -1.5, -2.0, -2.5, -3.0, -3.5, -4.0]
    draws = point_draws(FULL, clock)
    case = Case(dt.date(2025, 3, 1), DEADLINE, ())
    as_of = dt.date(2025, 3, 30)  # one day left: the deadline day itself
    p = p_deal_by_deadline(draws, FULL, case, as_of)
    assert p[0] == pytest.approx(sigmoid(-1.0))
    assert p_deal_by_deadline(draws, FULL, case, as_of)[0] == p[0]
    assert p_deal_by_deadline(draws, FULL, case, DEADLINE)[0] == 0.0  # no day left


@settings(max_examples=60, deadline=None)
@given(clock=st.lists(st.floats(-8, 2), min_size=7, max_size=7), days_before=st.integers(1, 60),
       n_events=st.integers(0, 4), b_summit=st.floats(-2, 2))
def test_a_day_passing_without_a_deal_lowers_p(clock, days_before, n_events, b_summit):
    """P(t) = 1 - prod_{d>t}(1 - h_d) loses the factor of day t+1: lower whenever that hazard is positive.

    With the news held (no event effects), only the clock runs; events are then present but inert.
    """
    draws = point_draws(FULL, clock, b_summit=b_summit)
    as_of = DEADLINE - dt.timedelta(days=days_before)
    events = tuple(ev(as_of - dt.timedelta(days=k), "consult" if k % 2 else "threaten") for k in range(n_events))
    case = Case(as_of - dt.timedelta(days=10), DEADLINE, events, summit_at_deadline=True)
    today = p_deal_by_deadline(draws, FULL, case, as_of)[0]
    tomorrow = p_deal_by_deadline(draws, FULL, case, as_of + dt.timedelta(days=1))[0]
    assert tomorrow <= today
    if today < 1 - 1e-12:  # below the floating-point ceiling
        assert tomorrow < today


def test_cooperative_news_raises_and_conflictual_lowers_with_positive_tone():
    draws = point_draws(FULL, -3.0, b_tone=1.0)
    base = Case(dt.date(2025, 3, 1), DEADLINE, (ev(dt.date(2025, 3, 10), "consult"),))
    as_of = dt.date(2025, 3, 20)
    p0 = p_deal_by_deadline(draws, FULL, base, as_of)[0]
    up = dataclasses.replace(base, events=base.events + (ev(as_of, "agree"),))
    down = dataclasses.replace(base, events=base.events + (ev(as_of, "sanction"),))
    assert p_deal_by_deadline(draws, FULL, up, as_of)[0] > p0 > p_deal_by_deadline(draws, FULL, down, as_of)[0]


def test_a_scenarios_own_type_scores_as_its_direction():
    catalogue = Catalogue({"walkout": ("conflictual", "leaves the table")})
    draws = point_draws(FULL, -3.0, b_tone=1.0)  # built-in conflictual types score -1
    as_of = dt.date(2025, 3, 20)
    own = Case(dt.date(2025, 3, 1), DEADLINE, (ev(as_of, "walkout"),))
    builtin = Case(dt.date(2025, 3, 1), DEADLINE, (ev(as_of, "reject"),))
    assert p_deal_by_deadline(draws, FULL, own, as_of, catalogue)[0] == pytest.approx(
        p_deal_by_deadline(draws, FULL, builtin, as_of)[0])


def test_training_rows_cover_the_open_days_after_each_landmark():
    resolved = dt.date(2025, 3, 20)
    e = Episode("x", "t", "A", "B", dt.date(2024, 12, 1), DEADLINE, "?", 1, resolved, "s",
                (ev(dt.date(2025, 3, 1), "consult"),))
    rows, y, owner = training_rows([e], FULL)
    landmarks = [L for L in FULL.landmarks if e.start <= DEADLINE - dt.timedelta(days=L) < resolved]
    assert landmarks == [90, 60, 30, 14]  # 7, 3 and 1 days before fall after the deal
    assert rows.days.sum() == sum((resolved - (DEADLINE - dt.timedelta(days=L))).days for L in landmarks)
    assert y.sum() == len(landmarks)  # the deal, once after each landmark, in the bucket of 11 days left
    assert set(rows.bucket[y == 1]) == {4}
    no = dataclasses.replace(e, outcome=0, resolved_on=DEADLINE)
    rows0, y0, _ = training_rows([no], FULL)
    assert y0.sum() == 0 and rows0.days.sum() == sum(FULL.landmarks)


def test_prior_combination_adds_pseudo_counts():
    rng = np.random.default_rng(0)
    draws = rng.beta(30, 20, 200_000)  # Beta with 50 pseudo-observations, mean 0.6
    combined, n_model = combine_with_prior(draws, 0.2, 10.0)
    assert n_model == pytest.approx(49.0, rel=0.02)  # m(1-m)/v - 1 of a Beta(a, b) is a + b - 1 ... of its mean/var
    assert combined == pytest.approx((0.6 * n_model + 0.2 * 10) / (n_model + 10), rel=1e-3)
    # a prior of no weight leaves the model's P; a certain model ignores the prior
    assert combine_with_prior(draws, 0.2, 1e-9)[0] == pytest.approx(draws.mean())
    point, n = combine_with_prior(np.full(10, 0.3), 0.9, 4.0)
    assert n == 1000.0 and point == pytest.approx((0.3 * 1000 + 0.9 * 4) / 1004)


def _simulate(rng, n, truth, config):
    """A synthetic reference class drawn from the model: each day's hazard from the clock, the summit
    and the news, with every event long before the first landmark (the news the same at each one)."""
    draws = point_draws(config, truth["clock"], b_summit=truth["b_summit"], b_tone=truth["b_tone"],
                        b_activity=truth["b_activity"])
    episodes = []
    for k in range(n):
        deadline = dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1500)))
        start = deadline - dt.timedelta(days=200)
        events = tuple(sorted((ev(start + dt.timedelta(days=int(rng.integers(0, 100))),
                                  str(rng.choice(["consult", "agree", "threaten", "sanction"])))
                               for _ in range(int(rng.integers(0, 8)))), key=lambda e: e.date))
        case = Case(start, deadline, events, summit_at_deadline=bool(rng.random() < 0.3))
        outcome, resolved = 0, deadline
        for back in range(max(config.landmarks), -1, -1):  # day by day from the first landmark on
            day = deadline - dt.timedelta(days=back)
            h = p_deal_by_deadline(draws, config, dataclasses.replace(case, deadline=deadline), day - dt.timedelta(days=1))[0]
            h -= p_deal_by_deadline(draws, config, dataclasses.replace(case, deadline=deadline), day)[0]
            h /= 1 - p_deal_by_deadline(draws, config, dataclasses.replace(case, deadline=deadline), day)[0]
            if rng.random() < h:
                outcome, resolved = 1, day
                break
        episodes.append(Episode(f"s{k}", "sim", "A", "B", start, deadline, "?", outcome, resolved, "sim", events,
                                summit_at_deadline=case.summit_at_deadline))
    return episodes


@pytest.mark.slow
def test_simulation_based_calibration_recovers_parameters():
    """Reference classes simulated from known parameters: the 90% intervals cover them most of the time."""
    config = dataclasses.replace(FULL, half_life=1e9)  # no decay: the news is constant, a proper generative model
    truth = {"clock": [-1.2, -2.0, -2.6, -3.4, -4.2, -5.0, -5.5], "b_summit": 0.8, "b_tone": 1.0, "b_activity": 0.4}
    model = dataclasses.replace(variant("hazard"), config=config)
    covered, total = 0, 0
    for rep in range(3):
        episodes = _simulate(np.random.default_rng(300 + rep), 150, truth, config)
        fit = model.fit(episodes, SamplerConfig(draws=500, tune=500, seed=rep))
        assert fit.diagnostics["divergences"] < 10
        checks = [(fit.draws[k], truth[k]) for k in ("b_summit", "b_tone", "b_activity")]
        checks += [(fit.draws["clock"][:, j], truth["clock"][j]) for j in (0, 1, 3, 6)]
        for samples, value in checks:
            lo, hi = np.quantile(samples, [0.05, 0.95])
            covered += lo <= value <= hi
            total += 1
    assert covered / total >= 0.75, f"{covered} of {total} covered"


def test_types_match_the_catalogue():
    assert tuple(Catalogue().names())[: len(TYPES)] == TYPES


def test_the_episodes_said_to_be_left_out_are_those_the_fits_cannot_use():
    from negotiate.evidence.reference import DEFAULT_REFERENCE, load_reference
    from negotiate.models.deal import snapshots
    from negotiate.models.hazard import training_rows
    from negotiate.models.variants import VARIANTS

    episodes = load_reference(DEFAULT_REFERENCE)
    hazard = VARIANTS["hazard"]
    _, _, owner = training_rows(episodes, hazard.config)
    used = {episodes[i].id for i in set(owner.tolist())}
    assert {ident for ident, _ in hazard.left_out(episodes)} == {e.id for e in episodes} - used
    v1 = VARIANTS["v1"]
    assert snapshots(episodes, v1.config.horizons).episodes == len(episodes) - len(v1.left_out(episodes))
    assert len(v1.left_out(episodes)) > 0  # the check above compares something


def test_overlap_weight_counts_each_open_day_once():
    """Distinct over stacked open days, by hand: landmarks 30, 14 and 7 days before the deadline."""
    config = dataclasses.replace(FULL, landmarks=(30, 14, 7))
    deadline = dt.date(2025, 6, 30)

    def episode(start, outcome, resolved):
        return Episode("e", "t", "A", "B", start, deadline, "?", outcome, resolved, "s", ())

    no_deal = episode(deadline - dt.timedelta(days=40), 0, deadline)  # rows of 30 + 14 + 7 days, 30 distinct
    late_start = episode(deadline - dt.timedelta(days=10), 0, deadline)  # only the 7-day landmark: 7 and 7
    # a deal 10 days before the deadline: the 30 and 14-day landmarks, 20 + 4 days, 20 distinct
    early_deal = episode(deadline - dt.timedelta(days=40), 1, deadline - dt.timedelta(days=10))
    assert overlap_weight([no_deal], config) == pytest.approx(30 / 51)
    assert overlap_weight([late_start], config) == 1.0
    assert overlap_weight([no_deal, late_start, early_deal], config) == pytest.approx((30 + 7 + 20) / (51 + 7 + 24))
    # the stacked rows the fit is given hold exactly the stacked open days counted here
    rows, _, _ = training_rows([no_deal, late_start, early_deal], config)
    assert rows.days.sum() == 51 + 7 + 24
