"""Where outputs go: a file in the way of the figures directory, names that look like math notation,
a working directory that no longer exists."""

import os
import subprocess
import sys

from tests.hostile.conftest import copy_flagship, run


def test_a_file_where_the_figures_directory_goes_is_a_clean_error(tmp_path, point_fits):
    s = copy_flagship(tmp_path)
    (tmp_path / "y_figures").write_text("mine")
    result = run("report", s, "-o", tmp_path / "y.md", "--no-record", "--draws", "50")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {tmp_path / 'y_figures'}: exists and is not a directory; expected the directory for "
                             "the report's figures (move that file, or choose another figures directory)\n")
    assert (tmp_path / "y_figures").read_text() == "mine" and not (tmp_path / "y.md").exists()


def test_names_that_look_like_math_notation_are_drawn_literally(tmp_path, point_fits):
    s = copy_flagship(tmp_path)
    s.write_text(s.read_text().replace("expand", "ex$\\\\fra$nd"))
    assert run("validate", s).exit_code == 0
    for args in (["report", s, "-o", tmp_path / "r.html", "--no-record", "--draws", "50"],
                 ["sweep", s, "--grid", "parties.US.patience=0.5:0.9:3", "--plot", tmp_path / "sweep.png"],
                 ["sensitivity", s, "--samples", "0", "--plot", tmp_path / "tornado.png"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    assert (tmp_path / "sweep.png").read_bytes()[:4] == b"\x89PNG"


def test_a_deleted_working_directory_is_a_clean_error(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    code = ("import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]); sys.argv = ['negotiate', 'solve', 'x.yaml']\n"
            "from negotiate.cli.main import main; main()")
    proc = subprocess.run([sys.executable, "-c", code, str(gone)], capture_output=True, text=True, timeout=60,
                          env=os.environ | {"PYTHONPATH": os.getcwd()})
    assert proc.returncode == 1
    assert proc.stderr == "Error: the working directory no longer exists; change to an existing directory and run again\n"


def test_what_the_file_system_refuses_is_a_clean_error(tmp_path, point_fits):
    s = copy_flagship(tmp_path)
    (tmp_path / "blocker").write_text("a file")  # a figures directory below it cannot be made
    result = run("report", s, "-o", tmp_path / "r.md", "--figures", tmp_path / "blocker" / "figs", "--no-record",
                 "--draws", "50")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'blocker' / 'figs'}: not a directory; nothing else was changed\n"
    assert not (tmp_path / "r.md").exists()
