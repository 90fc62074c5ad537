from importlib.metadata import distribution

from negotiate.versions import DISTRIBUTION


def test_the_click_group_lives_in_negotiate():
    from negotiate.cli.main import cli as group

    assert group.name == "cli" and "solve" in group.commands


def test_the_distribution_is_negotiate_forecast_with_the_negotiate_command():
    """The package index's "negotiate" is an unrelated project: ours installs as negotiate-forecast."""
    dist = distribution(DISTRIBUTION)
    assert DISTRIBUTION == "negotiate-forecast" and dist.version != "0+unknown"
    scripts = {e.name: e.value for e in dist.entry_points if e.group == "console_scripts"}
    assert scripts == {"negotiate": "negotiate.cli.main:main"}


def test_python_dash_m_negotiate(tmp_path):
    """`python -m negotiate` is the command, from any directory (NegMAS's `negotiate` script cannot shadow it)."""
    import subprocess
    import sys

    from negotiate.versions import package_versions

    proc = subprocess.run([sys.executable, "-m", "negotiate", "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"negotiate, version {package_versions('negotiate')['negotiate']}\n"
    usage = subprocess.run([sys.executable, "-m", "negotiate", "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert usage.stdout.startswith("Usage: negotiate [OPTIONS] COMMAND")


def test_importing_negotiate_main_runs_nothing():
    import negotiate.__main__  # noqa: F401  # the guard: only `python -m negotiate` starts the CLI
