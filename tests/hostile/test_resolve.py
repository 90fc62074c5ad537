"""`resolve --add-to-reference` records the outcome and updates the reference class together, or neither."""

import shutil

from negotiate.evidence.reference import DEFAULT_REFERENCE, load_reference
from negotiate.record.track import TrackRecord
from tests.hostile.conftest import run


def resolve(workspace, outcome, *extra):
    return run("resolve", workspace / "s.yaml", "--outcome", outcome, "--on", "2025-10-30", "--source", "https://example.org/r",
               "--db", workspace / "t.sqlite", *extra)


def current(workspace):
    with TrackRecord(workspace / "t.sqlite") as t:
        r = t.current_resolution("us-china-kl-2025")
        return None if r is None else r.outcome


def test_amend_with_add_to_reference_changes_both_or_neither(workspace):
    ref = workspace / "ref"
    shutil.copytree(DEFAULT_REFERENCE, ref)
    assert resolve(workspace, "deal", "--add-to-reference", "--reference", ref).exit_code == 0
    amended = resolve(workspace, "no-deal", "--amend", "--reason", "the deal fell through", "--add-to-reference",
                      "--reference", ref)
    assert amended.exit_code == 0, amended.output
    episodes = [e for e in load_reference(ref) if e.id == "us-china-kl-2025"]
    assert len(episodes) == 1 and episodes[0].outcome == 0 and episodes[0].resolved_on.isoformat() == "2025-10-30"
    assert current(workspace) == "no-deal"  # the two agree
    others = sorted(e.id for e in load_reference(DEFAULT_REFERENCE))
    assert sorted(e.id for e in load_reference(ref) if e.id != "us-china-kl-2025") == others
    assert len([e for e in load_reference(ref) if e.id != "us-china-kl-2025"]) == len(others)
    again = resolve(workspace, "no-deal", "--add-to-reference", "--reference", ref)  # the same resolution, added twice
    assert again.exit_code == 1 and "already in the reference class" in again.stderr and current(workspace) == "no-deal"


def test_a_refused_reference_update_records_no_resolution(workspace):
    missing = workspace / "no-such-reference"
    result = resolve(workspace, "deal", "--add-to-reference", "--reference", missing)
    assert result.exit_code == 1 and "reference" in result.stderr
    assert current(workspace) is None


def test_an_amend_refused_by_the_reference_leaves_the_old_resolution(workspace):
    ref = workspace / "ref"
    shutil.copytree(DEFAULT_REFERENCE, ref)
    assert resolve(workspace, "deal", "--add-to-reference", "--reference", ref).exit_code == 0
    before = {name: (ref / name).read_bytes() for name in ("episodes.csv", "events.csv")}
    void = resolve(workspace, "void", "--amend", "--reason", "ill-posed", "--add-to-reference", "--reference", ref)
    assert void.exit_code == 1 and "void" in void.stderr
    assert current(workspace) == "deal"
    assert {name: (ref / name).read_bytes() for name in before} == before
