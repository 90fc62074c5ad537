"""Numbers at the edge of floating point: a clean message naming the file, line and field, never an
OverflowError, a division by zero or "non-finite" without a field."""

import pytest

from tests.hostile.conftest import copy_flagship, run

IMPOSE = "US: {mean: -2.0, sd: 1.0}"


@pytest.mark.parametrize(("payoff", "found"), [
    ("{mean: 0, sd: 1e308}", "sd 1e+308"),
    ("{low: -1.0e+308, high: 1.0e+308}", "low -1e+308"),
    ("{low: -5, mode: 0, high: 2e6}", "high 2e+06"),
    ("1.5e7", "1.5e+07"),
])
@pytest.mark.parametrize("command", [["solve", "--draws", "20"], ["validate"]])
def test_huge_payoffs_name_their_field(tmp_path, payoff, found, command):
    s = copy_flagship(tmp_path)
    s.write_text(s.read_text().replace(IMPOSE, f"US: {payoff}", 1))
    result = run(command[0], s, *command[1:])
    assert result.exit_code == 1
    assert (f"s.yaml:45: levers.tariffs.options.impose_100.US: found {found}; expected a number of at most 1,000,000 "
            "in absolute value (payoffs are changes against the status quo on a scale you choose)") in result.stderr


def test_a_huge_payoff_through_set_names_the_request(tmp_path):
    s = copy_flagship(tmp_path)
    result = run("solve", s, "--set", "levers.tariffs.options.impose_100.US.sd=1e308")
    assert result.exit_code == 1 and "found sd 1e+308; expected a number of at most 1,000,000" in result.stderr


@pytest.mark.parametrize(("prior", "message"), [
    ("{deal_probability: 1.0e-300, strength: 4}", "prior.deal_probability: found 1e-300; expected a probability from 0.001 to 0.999"),
    ("{deal_probability: 0.6, strength: 1.0e-300}",
     "prior.strength: found 1e-300; expected a weight in pseudo-observations from 0.01 to 10,000"),
    ("{deal_probability: 0.6, strength: 1.0e+300}",
     "prior.strength: found 1e+300; expected a weight in pseudo-observations from 0.01 to 10,000"),
])
def test_a_prior_at_the_edge_is_refused_before_any_division(tmp_path, prior, message):
    s = copy_flagship(tmp_path)
    s.write_text(s.read_text().replace("prior: {deal_probability: 0.6, strength: 4}", f"prior: {prior}"))
    result = run("update", s, "--no-record")
    assert result.exit_code == 1 and f"s.yaml:147: {message}" in result.stderr
