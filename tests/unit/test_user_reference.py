"""The shipped reference class is read-only: a user's additions go to the user data directory and are
read together with it (loading, fit keys), never written into the package or seeds/reference."""

import datetime as dt
import hashlib

import pytest
from click.testing import CliRunner

from negotiate.cli.main import cli
from negotiate.errors import NegotiateError
from negotiate.evidence.reference import (
    DEFAULT_REFERENCE,
    add_episode,
    check_reference,
    episode_from_scenario,
    hash_reference,
    load_reference,
    reference_dirs,
    user_reference_dir,
)
from negotiate.models.deal import SamplerConfig, fit_key
from negotiate.scenario.schema import load_scenario
from tests.conftest import FLAGSHIP, ROOT

FILES = ("episodes.csv", "events.csv")


@pytest.fixture
def shipped_bytes():
    before = {name: (DEFAULT_REFERENCE / name).read_bytes() for name in FILES}
    yield before
    assert {name: (DEFAULT_REFERENCE / name).read_bytes() for name in FILES} == before


def flagship_episode():
    return episode_from_scenario(load_scenario(FLAGSHIP), "deal", dt.date(2025, 10, 30), "https://example.org/d")


def digest(directory) -> str:
    h = hashlib.sha256()
    hash_reference(h, directory)
    return h.hexdigest()


def test_a_checkout_reads_seeds_reference():
    assert DEFAULT_REFERENCE == ROOT / "seeds" / "reference"


def test_user_data_directory_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NEGOTIATE_DATA", str(tmp_path / "mine"))
    assert user_reference_dir() == tmp_path / "mine" / "reference"
    monkeypatch.delenv("NEGOTIATE_DATA")
    assert user_reference_dir().name == "reference" and "negotiate" in user_reference_dir().parts


def test_additions_go_to_the_user_directory_and_are_read_with_the_shipped_class(shipped_bytes):
    shipped = load_reference()
    key_before, digest_before = fit_key(DEFAULT_REFERENCE, {"m": 1}, SamplerConfig()), digest(DEFAULT_REFERENCE)
    assert reference_dirs() == [DEFAULT_REFERENCE]

    written = add_episode(DEFAULT_REFERENCE, flagship_episode())

    assert written == user_reference_dir() and (written / "episodes.csv").is_file()
    assert reference_dirs() == [DEFAULT_REFERENCE, written]
    both = load_reference()
    assert [e.id for e in both] == [e.id for e in shipped] + ["us-china-kl-2025"]
    assert both[-1].outcome == 1 and all(e.date < dt.date(2025, 10, 30) for e in both[-1].events)
    assert [e.id for e in load_reference(additions=False)] == [e.id for e in shipped]
    assert [e.id for e in load_reference(written)] == ["us-china-kl-2025"]
    assert check_reference(DEFAULT_REFERENCE) == []  # the shipped class alone
    # a fit on the shipped class is a fit on both: its key changes with the additions
    assert digest(DEFAULT_REFERENCE) != digest_before
    assert fit_key(DEFAULT_REFERENCE, {"m": 1}, SamplerConfig()) != key_before
    with pytest.raises(NegotiateError, match="already in the reference class"):
        add_episode(DEFAULT_REFERENCE, flagship_episode())


def test_an_episode_of_the_shipped_class_is_not_added_again(shipped_bytes):
    first = load_reference()[0]
    with pytest.raises(NegotiateError, match=f"episode {first.id!r} is already in the reference class"):
        add_episode(DEFAULT_REFERENCE, first)
    assert not user_reference_dir().exists()  # nothing made for a refused episode
    assert load_reference() == load_reference(additions=False)


def test_the_same_id_in_both_is_a_loading_error(shipped_bytes):
    first = load_reference()[0]
    target = user_reference_dir()
    target.mkdir(parents=True)
    for name in FILES:  # a hand-made copy of the shipped class as "additions"
        (target / name).write_bytes((DEFAULT_REFERENCE / name).read_bytes())
    with pytest.raises(NegotiateError, match=f"episode {first.id!r} is also in"):
        load_reference()


def test_resolve_adds_to_the_user_directory_by_default(shipped_bytes, tmp_path, monkeypatch):
    monkeypatch.setenv("NEGOTIATE_DB", str(tmp_path / "track.sqlite"))
    result = CliRunner().invoke(cli, ["resolve", str(FLAGSHIP), "--outcome", "deal", "--on", "2025-10-30",
                                      "--source", "https://example.org/d", "--add-to-reference"])
    assert result.exit_code == 0, result.output
    assert f"in {user_reference_dir()}" in result.stdout
    assert "us-china-kl-2025" in {e.id for e in load_reference()}


def test_formulas_in_an_added_episode_are_neutralised_and_read_back_exactly(shipped_bytes):
    import csv
    import dataclasses

    formula = "=HYPERLINK(\"http://x\",\"y\")"
    episode = flagship_episode()
    events = [dataclasses.replace(e, description="@SUM(A1:A9)", source=formula) for e in episode.events]
    episode = dataclasses.replace(episode, title="+cmd|' /C calc'!A0", events=tuple(events))
    written = add_episode(DEFAULT_REFERENCE, episode)
    for name in FILES:  # no cell a spreadsheet would run
        for row in csv.reader((written / name).open(encoding="utf-8")):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    loaded = next(e for e in load_reference(DEFAULT_REFERENCE) if e.id == episode.id)
    assert loaded.title == episode.title
    assert {(e.description, e.source) for e in loaded.events} == {("@SUM(A1:A9)", formula)}
