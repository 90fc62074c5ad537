"""Writes never follow a planted link, never replace a read-only file, and leave nothing half-written."""

import os
import stat
import subprocess
import sys
import time

import pytest

from negotiate.evidence.ledger import read_ledger
from negotiate.fileio import UnsafeFile, locked, replace_atomically
from negotiate.scenario.schema import load_scenario
from tests.conftest import ROOT
from tests.hostile.conftest import ADD, run


def test_a_symlink_planted_at_the_old_temporary_name_is_not_followed(workspace):
    victim = workspace / "victim.txt"
    victim.write_text("precious\n")
    ledger = workspace / "events.csv"
    # the names the old code used: .<name>.<pid>.tmp (the CLI runs in this process)
    (workspace / f".events.csv.{os.getpid()}.tmp").symlink_to(victim)
    result = run("evidence", "add", workspace / "s.yaml", *ADD)
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious\n"
    assert ledger.is_file() and not ledger.is_symlink()
    assert b"talks this weekend" in ledger.read_bytes()


def test_a_symlink_planted_at_the_lock_name_is_not_followed(workspace):
    victim = workspace / "victim.txt"
    victim.write_text("precious\n")
    (workspace / ".events.csv.lock").symlink_to(victim)
    result = run("evidence", "add", workspace / "s.yaml", *ADD)
    assert victim.read_text() == "precious\n"
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
    if result.exit_code == 1:
        assert "lock" in result.stderr


def test_a_ledger_that_is_a_symlink_is_refused_and_its_target_untouched(workspace):
    victim = workspace / "victim.csv"
    (workspace / "events.csv").rename(victim)
    before = victim.read_bytes()
    (workspace / "events.csv").symlink_to(victim)
    result = run("evidence", "add", workspace / "s.yaml", *ADD)
    assert result.exit_code == 1 and "symbolic link" in result.stderr, result.output
    assert victim.read_bytes() == before and (workspace / "events.csv").is_symlink()


def test_leftover_temporary_files_are_ignored(workspace):
    (workspace / ".events.csv.k1ll3d.tmp").write_text("half a ledger,\"")
    (workspace / f".events.csv.{os.getpid()}.tmp").write_text("half a ledger,\"")
    assert run("evidence", "add", workspace / "s.yaml", *ADD).exit_code == 0
    s = load_scenario(workspace / "s.yaml")
    assert any(e.event.description == "talks this weekend" for e in read_ledger(workspace / "events.csv", s))


def test_a_read_only_ledger_is_refused_not_replaced(workspace):
    ledger = workspace / "events.csv"
    before = ledger.read_bytes()
    ledger.chmod(0o444)
    result = run("evidence", "add", workspace / "s.yaml", *ADD)
    assert result.exit_code == 1 and "read-only" in result.stderr, result.output
    assert ledger.read_bytes() == before and stat.S_IMODE(ledger.stat().st_mode) == 0o444


def test_replacing_keeps_the_file_mode_and_a_new_file_follows_the_umask(tmp_path):
    kept = tmp_path / "kept.txt"
    kept.write_text("x")
    kept.chmod(0o640)
    replace_atomically(kept, b"y")
    assert kept.read_bytes() == b"y" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    mask = os.umask(0o022)
    try:
        replace_atomically(tmp_path / "new.txt", b"z")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt", "new.txt"]  # no temporary file left


def test_replacing_a_symlink_or_a_directory_is_refused(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("keep")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(UnsafeFile, match="symbolic link"):
        replace_atomically(link, b"new")
    assert target.read_text() == "keep" and link.is_symlink()
    (tmp_path / "dir").mkdir()
    with pytest.raises(UnsafeFile, match="not a regular file"):
        replace_atomically(tmp_path / "dir", b"new")


def test_locked_works_without_fcntl(tmp_path):
    """File locking must import where fcntl does not exist (Windows)."""
    code = ("import sys; sys.modules['fcntl'] = None\n"
            "import pathlib, negotiate.fileio as f, negotiate.evidence.ledger\n"
            f"p = pathlib.Path({str(tmp_path / 'x.csv')!r})\n"
            "with f.locked(p):\n    f.replace_atomically(p, b'ok')\n"
            "print(p.read_text())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_lock_is_exclusive(tmp_path):
    """A second process waits for the lock held by the first."""
    path = tmp_path / "x.csv"
    code = ("import sys, pathlib, time; from negotiate.fileio import locked\n"
            "with locked(pathlib.Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(1.0)\n")
    first = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert first.stdout.readline().strip() == "locked"
    start = time.monotonic()
    with locked(path):
        waited = time.monotonic() - start
    first.wait()
    assert waited > 0.3


def test_a_ledger_that_is_a_directory_is_a_clean_error(workspace):
    (workspace / "events.csv").unlink()
    (workspace / "events.csv").mkdir()
    for args in (("evidence", "list", workspace / "s.yaml"), ("evidence", "add", workspace / "s.yaml", *ADD)):
        result = run(*args)
        assert result.exit_code == 1 and "directory" in result.stderr and "Traceback" not in result.output, result.output
