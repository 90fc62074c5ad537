"""The ledger a scenario names must exist: read as an empty ledger, a misspelt path gives a silent wrong answer.

A scenario may omit ``evidence:`` altogether (no ledger: the forecast is the prior, and says so); one
that names a file is read from that file or refused. Everything that reads a scenario's events
(validation, the forecast and its report, listing the ledger, adding to the reference class) goes
through ``existing_ledger``; adding events to a ledger is what creates one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from negotiate.errors import Problem, ScenarioError
from negotiate.scenario.schema import Scenario
from negotiate.yamlsource import read_yaml


def existing_ledger(scenario: Scenario) -> Path | None:
    """The scenario's ledger file; None when the scenario names none.

    Raises
    ------
    ScenarioError
        With the line of ``evidence:``, when the file it names does not exist.
    """
    path = scenario.evidence_path()
    if path is None or path.exists() or path.is_symlink():  # a link is refused, with its reason, by the reader
        return path
    line = None
    if scenario.source_path is not None:
        with contextlib.suppress(ScenarioError):  # the line is a courtesy: the file was read once already
            line = read_yaml(scenario.source_path).line(("evidence",))
    where = str(scenario.source_path) if scenario.source_path is not None else "scenario"
    raise ScenarioError(where, [Problem(("evidence",), f"found {scenario.evidence!r}, and there is no such file ({path}); "
                                        "expected the path of the ledger, relative to the scenario file "
                                        "(a scenario without a ledger leaves out evidence:)", line)])
