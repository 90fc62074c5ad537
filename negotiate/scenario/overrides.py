"""What-if changes to a scenario: numbers overridden by their dotted path, levers fixed to an option.

An override such as ``parties.US.patience=0.8`` or ``levers.tariffs.options.impose_100.US.mean=-3``
is applied to the raw YAML data before validation, so a bad value gets the same ``file:line: field``
message as ``negotiate validate``; a path that names nothing gets a did-you-mean hint. Every message
starts with the text of the request (``--set parties.UX.patience=0.8: ...``), given by the caller as
``label``, so that a person sees which of several requests went wrong.

Setting the path of a payoff that is a distribution to a number makes it a fixed payoff; setting
one of its fields (``mean``, ``sd``, ``low``, ``mode``, ``high``) changes that field only.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from negotiate.errors import NegotiateError, Problem, ScenarioError
from negotiate.scenario.schema import Scenario, did_you_mean, scenario_from_document, schema_keys_at
from negotiate.yamlsource import YamlDocument, read_yaml

# Names in a request are often short codes (party ids such as US): one letter in two is a hint.
HINT_CUTOFF = 0.5


class OverrideSyntaxError(NegotiateError):
    """A request that is not of the form ``PATH=VALUE`` (or ``LEVER=OPTION``): a usage error."""


@dataclass(frozen=True)
class Override:
    """One number to change: ``path`` in the scenario's data, the new ``value``, and how it was asked for.

    Attributes
    ----------
    label : str
        The request as the person gave it, e.g. ``--set parties.US.patience=0.8``; messages start with it.
    path : tuple of str
        The dotted path split at its dots.
    value : int, float or str
        The number; text that is not a number is kept so that the message can show it.
    """

    label: str
    path: tuple[str, ...]
    value: int | float | str

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def parse_number(text: str) -> int | float | str:
    """``text`` as an int or a float when it is one, else the text itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_override(text: str, label: str | None = None) -> Override:
    """Parse ``PATH=VALUE``.

    Raises
    ------
    OverrideSyntaxError
        When there is no ``=`` or the path is empty or has an empty part.
    """
    path, sep, value = text.partition("=")
    path = path.strip()
    if not sep or not path or any(not part for part in path.split(".")):
        raise OverrideSyntaxError(f"{text!r}: expected PATH=VALUE, e.g. parties.US.patience=0.8")
    return Override(label or text, tuple(path.split(".")), parse_number(value.strip()))


def parse_fix(text: str) -> tuple[str, str]:
    """Parse ``LEVER=OPTION``.

    Raises
    ------
    OverrideSyntaxError
        When there is no ``=`` or either side is empty.
    """
    lever, sep, option = text.partition("=")
    if not sep or not lever.strip() or not option.strip():
        raise OverrideSyntaxError(f"{text!r}: expected LEVER=OPTION, e.g. tariffs=withdraw_100")
    return lever.strip(), option.strip()


# ---------------------------------------------------------------- errors


@dataclass(frozen=True)
class OverrideProblem:
    """A problem with one request: where it points and what is wrong; ``in_file`` when it is the file's."""

    label: str | None
    problem: Problem
    in_file: bool

    def render(self, file: str) -> str:
        text = self.problem.render(file) if self.in_file else f"{self.problem.field()}: {self.problem.message}"
        return f"{self.label}: {text}" if self.label else text


class OverrideError(ScenarioError):
    """Requests that cannot be applied to a scenario; every problem, each named by its request."""

    def __init__(self, file: str, problems: list[OverrideProblem]):
        self.override_problems = problems
        super().__init__(file, [p.problem for p in problems])

    def render(self) -> str:
        return "\n".join(p.render(self.file) for p in self.override_problems)


# ---------------------------------------------------------------- applying overrides to raw data


def _is_payoff_path(path: tuple) -> bool:
    return ((len(path) == 5 and path[0] == "levers" and path[2] == "options")
            or (len(path) == 4 and path[0] == "interactions" and path[2] == "payoffs"))


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {value!r}" if len(value) <= 30 else f"text {value[:27]!r}..."
    return repr(value) if isinstance(value, bool) or value is None else f"{value}"


class _PathProblem(Exception):
    def __init__(self, path: tuple, message: str):
        self.path, self.message = path, message


def _locate(data: Any, path: tuple[str, ...]) -> tuple[Any, Any, tuple]:
    """The container holding ``path``'s last part, the key in it, and the path with list indices as ints."""
    node: Any = data
    resolved: tuple = ()
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, dict):
            key = next((k for k in node if str(k) == part), None)
            if key is None:
                allowed = schema_keys_at(resolved) if not _is_payoff_path(resolved) else None
                if last and allowed is not None and part in allowed:
                    return node, part, resolved + (part,)  # an optional field left out, e.g. power
                choices = [str(k) for k in node]
                hint = did_you_mean(part, choices, HINT_CUTOFF) if choices else "the mapping is empty"
                raise _PathProblem(resolved + (part,), f"unknown key '{part}'; {hint}")
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                where = f"an index from 0 to {len(node) - 1}" if node else "nothing: the list is empty"
                raise _PathProblem(resolved + (part,), f"found '{part}'; expected {where}")
            key = int(part)
        else:
            raise _PathProblem(resolved, f"found {_show(node)}, which has no field '{part}'; expected a path to a number")
        resolved += (key,)
        if last:
            return node, key, resolved
        node = node[key]
    raise _PathProblem((), "found an empty path; expected a path to a number")


def apply_overrides(data: Any, overrides: Iterable[Override]) -> tuple[Any, list[OverrideProblem], dict[tuple, Override]]:
    """A deep copy of ``data`` with every override applied.

    Returns
    -------
    data : the changed copy
    problems : list of OverrideProblem
        Paths that name nothing, values that are not numbers, targets that are not numbers.
    applied : dict
        Resolved path (list indices as ints) -> the override applied there.
    """
    data = copy.deepcopy(data)
    problems: list[OverrideProblem] = []
    applied: dict[tuple, Override] = {}
    for o in overrides:
        try:
            parent, key, resolved = _locate(data, o.path)
        except _PathProblem as exc:
            problems.append(OverrideProblem(o.label, Problem(exc.path, exc.message), False))
            continue
        value = o.value
        if isinstance(value, (str, bool)) or not math.isfinite(value):
            problems.append(OverrideProblem(o.label, Problem(resolved, f"found {value!r}; expected a number"), False))
            continue
        current = parent.get(key) if isinstance(parent, dict) else parent[key]
        is_number = isinstance(current, (int, float)) and not isinstance(current, bool)
        if not (is_number or current is None or (isinstance(current, dict) and _is_payoff_path(resolved))):
            problems.append(OverrideProblem(o.label, Problem(resolved, f"found {_show(current)}; expected the path of a number"), False))
            continue
        if resolved in applied:
            problems.append(OverrideProblem(o.label, Problem(resolved, f"set twice (also by {applied[resolved].label}); set each number once"), False))
            continue
        parent[key] = value
        applied[resolved] = o
    return data, problems, applied


def _related(a: tuple, b: tuple) -> bool:
    n = min(len(a), len(b))
    return n > 0 and tuple(map(str, a[:n])) == tuple(map(str, b[:n]))


def scenario_with_overrides(doc: YamlDocument, overrides: Iterable[Override]) -> Scenario:
    """Validate ``doc`` with ``overrides`` applied; problems name the request they come from.

    Raises
    ------
    OverrideError
        Every problem: paths first (without a line: they are not in the file), then the file's
        own ``file:line: field: message`` for values the schema refuses.
    """
    overrides = list(overrides)
    data, problems, applied = apply_overrides(doc.data, overrides)
    if problems:
        raise OverrideError(doc.file, problems)
    try:
        return scenario_from_document(YamlDocument(doc.file, data, doc.lines))
    except ScenarioError as exc:
        out = []
        for p in exc.problems:
            label = next((o.label for path, o in applied.items() if _related(path, p.path)), None)
            out.append(OverrideProblem(label, p, True))
        raise OverrideError(doc.file, out) from None


def check_fixes(scenario: Scenario, fixes: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Check ``(label, lever, option)`` requests against the scenario; lever -> option.

    Raises
    ------
    OverrideError
        For an unknown lever or option (with a did-you-mean hint) or a lever fixed twice.
    """
    out: dict[str, str] = {}
    labels: dict[str, str] = {}
    problems: list[OverrideProblem] = []
    for label, lever, option in fixes:
        if lever not in scenario.levers:
            problem = Problem(("levers", lever), f"unknown lever '{lever}'; {did_you_mean(lever, list(scenario.levers), HINT_CUTOFF)}")
        elif option not in scenario.levers[lever].options:
            options = list(scenario.levers[lever].options)
            problem = Problem(("levers", lever, "options", option), f"unknown option '{option}'; {did_you_mean(option, options, HINT_CUTOFF)}")
        elif lever in out:
            problem = Problem(("levers", lever), f"fixed twice (also by {labels[lever]}); fix each lever once")
        else:
            out[lever], labels[lever] = option, label
            continue
        problems.append(OverrideProblem(label, problem, False))
    if problems:
        raise OverrideError(str(scenario.source_path) if scenario.source_path else "scenario", problems)
    return out


# How messages name each kind of request; a front end passes its own (the CLI: its flags).
REQUEST_NAMES = {"set": "set", "fix": "fix", "grid": "grid"}


def load_what_if(
    path: str | Path, sets: Iterable[str] = (), fixes: Iterable[str] = (), names: dict[str, str] | None = None
) -> tuple[Scenario, dict[str, str], dict[str, float]]:
    """Load a scenario with ``--set`` overrides applied and ``--fix`` requests checked.

    Parameters
    ----------
    path : path of the scenario file
    sets : iterable of str
        ``PATH=VALUE`` texts.
    fixes : iterable of str
        ``LEVER=OPTION`` texts.
    names : dict, optional
        How messages name a ``set`` and a ``fix`` request (default ``REQUEST_NAMES``).

    Returns
    -------
    scenario : Scenario
        Validated, with the overrides applied.
    fixed : dict
        Lever -> option.
    values : dict
        Dotted path -> number, the overrides applied.

    Raises
    ------
    OverrideSyntaxError
        For a request that is not ``PATH=VALUE`` or ``LEVER=OPTION``.
    ScenarioError, OverrideError
        For a file that is not a valid scenario, and for requests that cannot be applied.
    """
    names = names or REQUEST_NAMES
    overrides = [parse_override(text, f"{names['set']} {text}") for text in sets]
    parsed_fixes = [(f"{names['fix']} {text}", *parse_fix(text)) for text in fixes]
    doc = read_yaml(path)
    scenario = scenario_with_overrides(doc, overrides) if overrides else scenario_from_document(doc)
    scenario = scenario.model_copy(update={"source_path": Path(path).resolve()})
    fixed = check_fixes(scenario, parsed_fixes)
    return scenario, fixed, {o.dotted: float(o.value) for o in overrides}
