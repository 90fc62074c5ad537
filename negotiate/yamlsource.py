"""Read a YAML file safely and remember the line of every key, for messages that point at it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from negotiate.errors import Problem, ScenarioError


@dataclass
class YamlDocument:
    """Parsed data plus the 1-based line of every mapping key and sequence item."""

    file: str
    data: Any
    lines: dict[tuple, int]

    def line(self, path: tuple) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _walk(node: yaml.Node, path: tuple, lines: dict, problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(path + (key,), f"duplicate key (first given on line {seen[key]}); give each key once", line)
                )
            seen[key] = line
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), lines, problems)


def read_yaml(path: str | Path) -> YamlDocument:
    """Parse ``path`` with PyYAML's safe loader and map every key to its line.

    Raises
    ------
    ScenarioError
        For a missing or unreadable file, text that is not UTF-8, an empty document, YAML syntax
        errors and duplicate keys, each with the line where the parser found it.
    """
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ScenarioError(file, [Problem((), "file not found; expected a path to a scenario YAML file")]) from None
    except OSError as exc:
        raise ScenarioError(file, [Problem((), f"cannot read the file ({exc.strerror})")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            file,
            [Problem((), f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); expected a YAML text file")],
        ) from None
    if "\x00" in text:
        raise ScenarioError(
            file, [Problem((), f"binary data (NUL byte at offset {text.index(chr(0))}); expected a YAML text file")]
        )
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            what += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise ScenarioError(file, [Problem((), f"YAML syntax error: {what}; fix the syntax near this line", line)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, [Problem((), f"YAML syntax error: {exc}")]) from None
    if node is None:
        raise ScenarioError(file, [Problem((), "the file is empty; expected a scenario (run `negotiate new` for a starter)")])
    lines: dict[tuple, int] = {(): node.start_mark.line + 1}
    problems: list[Problem] = []
    _walk(node, (), lines, problems)
    if problems:
        raise ScenarioError(file, problems)
    try:
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:  # constructor errors, e.g. an impossible date
        mark = getattr(exc, "problem_mark", None)
        raise ScenarioError(
            file, [Problem((), f"YAML value error: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None)]
        ) from None
    return YamlDocument(file, data, lines)
