from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiate.errors import ScenarioError
from negotiate.scenario.schema import Fixed, Normal, Triangular, Uniform, load_scenario
from tests.conftest import DATA, SCENARIOS

BAD = sorted((DATA / "bad").glob("*.yaml"))


def test_bad_corpus_is_large_enough():
    assert len(BAD) >= 15
    assert all(p.with_suffix(".expected").exists() for p in BAD)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_input_gives_its_exact_message(path: Path):
    expected = path.with_suffix(".expected").read_text().rstrip("\n").replace("{file}", str(path))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == expected


def test_bad_input_leaves_the_file_unchanged():
    for path in BAD:
        before = path.read_bytes()
        with pytest.raises(ScenarioError):
            load_scenario(path)
        assert path.read_bytes() == before


def test_missing_file():
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(DATA / "nope.yaml")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_load(path):
    scenario = load_scenario(path)
    assert len(scenario.parties) == 2


def test_payoff_forms(tmp_path):
    text = (DATA / "good" / "minimal.yaml").read_text().replace(
        "      x: {A: 1, B: 0}\n      y: {A: 0, B: 1}",
        "      x: {A: {mean: 1, sd: 0.5}, B: {low: -1, high: 1}}\n      y: {A: {low: 0, mode: 1, high: 3}, B: 2.5}",
    )
    p = tmp_path / "s.yaml"
    p.write_text(text)
    lever = load_scenario(p).levers["a_lever"]
    assert lever.options["x"]["A"] == Normal(mean=1, sd=0.5)
    assert isinstance(lever.options["x"]["B"], Uniform) and lever.options["x"]["B"].point() == 0
    assert isinstance(lever.options["y"]["A"], Triangular) and lever.options["y"]["A"].point() == pytest.approx(4 / 3)
    assert lever.options["y"]["B"] == Fixed(2.5)


def test_boolean_is_not_a_number(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text((DATA / "good" / "minimal.yaml").read_text().replace("x: {A: 1, B: 0}", "x: {A: true, B: 0}", 1))
    with pytest.raises(ScenarioError, match="found True; expected a number"):
        load_scenario(p)


def test_yes_no_on_off_are_words_and_1e308_a_number(tmp_path):
    """YAML 1.2's core types: an option may be called no; an exponent without a dot is a number."""
    p = tmp_path / "s.yaml"
    text = (DATA / "good" / "minimal.yaml").read_text().replace("x: {A: 1, B: 0}", "no: {A: 1e3, B: 0}", 1)
    p.write_text(text.replace("y: {A: 0, B: 1}", "off: {A: 0, B: 1}", 1))
    lever = load_scenario(p).levers["a_lever"]
    assert list(lever.options) == ["no", "off"] and lever.options["no"]["A"] == Fixed(1000.0)


def test_evidence_path_is_relative_to_the_scenario(flagship):
    scenario = load_scenario(flagship)
    assert scenario.evidence_path() == (flagship.parent / "../seeds/us-china-kl-2025/events.csv").resolve()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    p.write_bytes(data)
    with pytest.raises(ScenarioError):
        load_scenario(p)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abc:{}[]-, \n'\"0123456789.#&*!|>", max_size=200))
def test_arbitrary_yaml_text_never_crashes(tmp_path_factory, text):
    p = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    p.write_text(text)
    with pytest.raises(ScenarioError):
        load_scenario(p)
