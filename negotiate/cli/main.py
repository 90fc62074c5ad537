"""The `negotiate` command. Library errors become exit code 1 with their message; usage errors 2.

One module a command group (scenario, evidence, forecast, record, reference commands); heavy modules are
imported inside the commands so that `negotiate --help` stays fast, and `solve`, `validate` and
`new` never import pymc, pytensor or arviz. The library never imports click: only this package
turns its errors and remedies into messages, flag hints and exit codes.
"""

from __future__ import annotations

import click

from negotiate.cli.evidence_commands import evidence
from negotiate.cli.forecast_commands import backtest, fit, report, update
from negotiate.cli.options import package_version
from negotiate.cli.record_commands import history, resolve, score
from negotiate.cli.reference_commands import reference
from negotiate.cli.scenario_commands import new, solve, validate
from negotiate.cli.whatif_commands import sensitivity, sweep


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_version(), "--version", prog_name="negotiate")
def cli():
    """Forecasting and negotiation game theory: scenario, equilibria, bargaining.

    Start with a scenario file (YAML) describing each side's levers.

    \b
    Example:
      negotiate new my-case.yaml
      negotiate validate my-case.yaml
      negotiate solve my-case.yaml --draws 2000 --seed 7
    """


for command in (validate, solve, new, sensitivity, sweep, evidence, update, report, history, resolve, score, backtest, fit, reference):
    cli.add_command(command)


def main():  # console-script entry point
    import os

    try:
        os.getcwd()
    except FileNotFoundError:  # relative paths would resolve against a directory that is gone
        raise SystemExit("Error: the working directory no longer exists; change to an existing directory and run again") from None
    cli(prog_name="negotiate")


if __name__ == "__main__":
    main()
