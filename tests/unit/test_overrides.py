"""set overrides and --fix requests: applied to the raw data before validation, messages naming the request."""

import pytest

from negotiate.errors import ScenarioError
from negotiate.game.analysis import analyse
from negotiate.game.posture import PostureGame
from negotiate.scenario.overrides import (
    OverrideSyntaxError,
    apply_overrides,
    load_what_if,
    parse_fix,
    parse_override,
)
from negotiate.scenario.schema import Fixed, Normal, load_scenario
from tests.conftest import FLAGSHIP, SCENARIOS

PD = [p for p in SCENARIOS if p.stem == "trade-war-pd"][0]


def test_parse_override_numbers_and_text():
    o = parse_override("parties.US.patience=0.8")
    assert o.path == ("parties", "US", "patience") and o.value == 0.8 and o.label == "parties.US.patience=0.8"
    assert parse_override("a.b=-3").value == -3 and isinstance(parse_override("a.b=-3").value, int)
    assert parse_override("a.b=abc").value == "abc"  # the message is the validator's


@pytest.mark.parametrize("text", ["parties.US.patience", "=3", "a..b=1", ".a=1"])
def test_parse_override_refuses_malformed_text(text):
    with pytest.raises(OverrideSyntaxError, match="expected PATH=VALUE"):
        parse_override(text)


@pytest.mark.parametrize("text", ["tariffs", "=x", "tariffs="])
def test_parse_fix_refuses_malformed_text(text):
    with pytest.raises(OverrideSyntaxError, match="expected LEVER=OPTION"):
        parse_fix(text)


def test_apply_overrides_leaves_the_input_alone():
    data = {"parties": {"US": {"patience": 0.9}}}
    out, problems, _ = apply_overrides(data, [parse_override("parties.US.patience=0.5")])
    assert not problems and out["parties"]["US"]["patience"] == 0.5 and data["parties"]["US"]["patience"] == 0.9


def test_set_changes_a_distribution_field_or_replaces_the_payoff():
    s, _, values = load_what_if(FLAGSHIP, ["levers.tariffs.options.impose_100.US.mean=-3",
                                           "levers.chips.options.ease.CN=2.5", "parties.US.power=2",
                                           "interactions.0.payoffs.US.sd=0"])
    assert s.levers["tariffs"].options["impose_100"]["US"] == Normal(mean=-3.0, sd=1.0)
    assert s.levers["chips"].options["ease"]["CN"] == Fixed(2.5)
    assert s.parties["US"].power == 2.0
    assert s.interactions[0].payoffs["US"] == Normal(mean=-3.0, sd=0.0)
    assert values["parties.US.power"] == 2.0


def message(sets=(), fixes=(), path=FLAGSHIP) -> str:
    with pytest.raises(ScenarioError) as info:
        load_what_if(path, sets, fixes)
    return str(info.value)


@pytest.mark.parametrize("text, expected", [
    ("parties.UX.patience=0.8", "set parties.UX.patience=0.8: parties.UX: unknown key 'UX'; did you mean 'US'?"),
    ("parties.US.patiense=0.8",
     "set parties.US.patiense=0.8: parties.US.patiense: unknown key 'patiense'; did you mean 'patience'?"),
    ("levers.tarifs.options.impose_100.US=1",
     "set levers.tarifs.options.impose_100.US=1: levers.tarifs: unknown key 'tarifs'; did you mean 'tariffs'?"),
    ("levers.tariffs.options.impose_100.US.low=1",
     "set levers.tariffs.options.impose_100.US.low=1: levers.tariffs.options.impose_100.US.low: "
     "unknown key 'low'; expected one of: mean, sd"),
    ("levers.tariffs.options.keep_threat.US.mean=1",
     "set levers.tariffs.options.keep_threat.US.mean=1: levers.tariffs.options.keep_threat.US: "
     "found 0, which has no field 'mean'; expected a path to a number"),
    ("parties.US.patience=abc", "set parties.US.patience=abc: parties.US.patience: found 'abc'; expected a number"),
    ("parties.US.patience=nan", "set parties.US.patience=nan: parties.US.patience: found nan; expected a number"),
    ("levers.tariffs.owner=1", "set levers.tariffs.owner=1: levers.tariffs.owner: found text 'US'; expected the path of a number"),
    ("interactions.7.payoffs.US=1", "set interactions.7.payoffs.US=1: interactions.7: found '7'; expected an index from 0 to 4"),
])
def test_bad_paths_name_the_request_and_the_field(text, expected):
    assert message([text]) == expected


@pytest.mark.parametrize("text, line, expected", [
    ("parties.US.patience=1.5", 29, "parties.US.patience: found 1.5; expected a per-round discount factor strictly between 0 and 1"),
    ("parties.CN.power=0", 30, "parties.CN.power: found 0; expected a number above 0"),
    ("levers.tariffs.options.impose_100.US.sd=-1", 45,
     "levers.tariffs.options.impose_100.US: found sd -1; expected a standard deviation of 0 or more"),
])
def test_bad_values_get_the_validators_file_line_message(text, line, expected):
    assert message([text]) == f"set {text}: {FLAGSHIP}:{line}: {expected}"


def test_every_bad_request_is_reported_and_a_number_set_twice_is_refused():
    assert message(["parties.UX.patience=0.8", "prior.strength=3", "prior.strength=5"]).splitlines() == [
        "set parties.UX.patience=0.8: parties.UX: unknown key 'UX'; did you mean 'US'?",
        "set prior.strength=5: prior.strength: set twice (also by set prior.strength=3); set each number once",
    ]


@pytest.mark.parametrize("fix, expected", [
    ("tarifs=impose_100", "fix tarifs=impose_100: levers.tarifs: unknown lever 'tarifs'; did you mean 'tariffs'?"),
    ("tariffs=impose_10",
     "fix tariffs=impose_10: levers.tariffs.options.impose_10: unknown option 'impose_10'; did you mean 'impose_100'?"),
])
def test_bad_fixes(fix, expected):
    assert message(fixes=[fix]) == expected


def test_a_lever_fixed_twice():
    assert message(fixes=["tariffs=impose_100", "tariffs=keep_threat"]) == (
        "fix tariffs=keep_threat: levers.tariffs: fixed twice (also by fix tariffs=impose_100); fix each lever once")


def test_fixing_a_lever_shrinks_its_owners_strategies_only():
    s = load_scenario(FLAGSHIP)
    game = PostureGame(s, {"tariffs": "impose_100"})
    assert game.shape == (3, 9)
    assert all(strategy[0] == "impose_100" for strategy in game.strategies["US"])
    full = PostureGame(s)
    A_full, _ = full.payoffs(full.point_values())
    A, _ = game.payoffs(game.point_values())
    rows = [full.strategies["US"].index(st) for st in game.strategies["US"]]
    assert (A_full[rows] == A).all()


def test_prisoners_dilemma_oracle_fixing_one_side_to_cooperate_gives_the_others_best_response():
    """Home committed to hold (cooperate): Foreign's best response is to raise (defect); the unique equilibrium."""
    s = load_scenario(PD)
    for lever, other in (("home_tariff", "F"), ("foreign_tariff", "H")):
        a = analyse(s, fixed={lever: "hold"})
        assert len(a.solved.equilibria) == 1
        e = a.solved.equilibria[0]
        assert e.is_pure()
        profile = {p: a.game.strategy_name(p, int(probs.argmax())) for p, probs in zip(a.parties, (e.row, e.col))}
        assert profile[other] == "raise"
        assert profile[s.levers[lever].owner] == "hold"
        # the cooperator gets the sucker's payoff -2, the defector the temptation 1; no deal beats that for both
        assert sorted(e.payoffs) == [-2.0, 1.0]
        assert a.nash_cell is None and not a.zopa_cells
