"""A scenario's evidence: path may point anywhere: no new ledger outside the scenario's folder without
being asked, and no echo of a file that is not a ledger."""

from tests.hostile.conftest import ADD, copy_flagship, run


def test_a_new_ledger_outside_the_scenarios_folder_needs_the_flag(tmp_path):
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    s = copy_flagship(inner, ledger="../../outside.csv", copy_ledger=False)
    refused = run("evidence", "add", s, *ADD)
    assert refused.exit_code == 1
    assert refused.stderr == (f"Error: {tmp_path / 'outside.csv'}: no ledger there, and it lies outside the scenario's "
                              f"folder {inner}; expected a ledger beside the scenario or below it\n"
                              "(pass --create-outside to start it there anyway)\n")
    assert not (tmp_path / "outside.csv").exists()
    imported = run("evidence", "import", s, "gdelt", tmp_path / "none.CSV")
    assert imported.exit_code == 1 and not (tmp_path / "outside.csv").exists()
    assert run("evidence", "add", s, *ADD, "--create-outside").exit_code == 0
    assert (tmp_path / "outside.csv").exists()


def test_an_existing_ledger_outside_the_folder_is_used_as_it_is(tmp_path):
    inner = tmp_path / "a"
    inner.mkdir()
    s = copy_flagship(inner, ledger="../shared.csv", copy_ledger=False)
    (tmp_path / "shared.csv").write_text("date,actor,target,type,description,source,weight\n")
    assert run("evidence", "add", s, *ADD).exit_code == 0


def test_a_file_that_is_not_a_ledger_is_not_echoed(tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:s3cret-hash:/root:/bin/bash\n")
    s = copy_flagship(tmp_path, ledger=str(secret), copy_ledger=False)
    for args in (["update", s, "--no-record"], ["evidence", "list", s], ["evidence", "add", s, *ADD]):
        result = run(*args)
        assert result.exit_code == 1
        assert "s3cret" not in result.output and "root:x" not in result.output
        assert "found a first line that is not a ledger header (not shown: this may not be a ledger)" in result.stderr


def test_a_ledger_header_with_a_typo_is_still_shown(tmp_path):
    s = copy_flagship(tmp_path)
    (tmp_path / "events.csv").write_text("date,actor,target,kind,description,source,weight\n")
    result = run("evidence", "list", s)
    assert result.exit_code == 1 and "found header 'date,actor,target,kind,description,source,weight'" in result.stderr
