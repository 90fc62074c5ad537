"""Read a YAML file safely and remember the line of every key, for messages that point at it.

Safe against hostile and careless files (tests/hostile/test_inputs.py):

- PyYAML's safe loader: no Python tags, no code.
- Bounded work: a file over ``MAX_INPUT_BYTES`` is refused before parsing; at
  most ``MAX_ALIASES`` aliases (``*name``), ``MAX_NODES`` values once aliases are expanded
  (a "billion laughs" file stops there) and ``MAX_DEPTH`` levels of nesting (no RecursionError).
- Dates stay text: ``2025-02-30`` is the string ``'2025-02-30'``, which the schema then refuses with its
  file, line and field, instead of PyYAML's timestamp constructor raising ``ValueError``.
- YAML 1.2's core types where 1.1 surprises: only ``true``/``false`` are booleans (``yes``, ``no``,
  ``on``, ``off`` stay words, so an option may be called ``no``), and ``1e308`` is a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from negotiate.errors import Problem, ScenarioError
from negotiate.fileio import UnsafeFile, read_capped

MAX_DEPTH = 50  # levels of nesting (a scenario needs about 6)
MAX_ALIASES = 100  # *name references in one file
MAX_NODES = 200_000  # values in the document once aliases are expanded (a scenario has a few hundred)

_BOOL = "tag:yaml.org,2002:bool"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Refused(Exception):
    """A document past one of the bounds: a message and the 1-based line where it was noticed."""

    def __init__(self, message: str, mark: Any = None):
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with dates as text, YAML 1.2 booleans and floats, and bounded composition."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _FLOAT, _TIMESTAMP)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(f"more than {MAX_ALIASES} aliases (*name); write the values out", event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES:,} values; expected a smaller file", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels; expected a flatter document", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                   |[-+]?(?:[0-9][0-9_]*)[eE][-+]?[0-9]+
                   |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                   |[-+]?\.(?:inf|Inf|INF)
                   |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))
# an explicit !!timestamp stays text too; the schema checks it as a date
def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor(_TIMESTAMP, _timestamp_as_text)


def reads_as_text(value: str) -> bool:
    """Whether ``value``, written as a plain (unquoted) YAML scalar, reads back as text with this loader."""
    resolvers = _Loader.yaml_implicit_resolvers
    candidates = resolvers.get("", []) if value == "" else resolvers.get(value[0], []) + resolvers.get(None, [])
    return not any(rx.match(value) for _tag, rx in candidates)


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


def _walk(root: yaml.Node, lines: dict, problems: list[Problem]) -> None:
    """Record the line of every key and item; duplicate keys are problems. Iterative, and bounded as
    aliases expand: the same node reached through an alias counts again."""
    stack: list[tuple[yaml.Node, tuple, int]] = [(root, (), 1)]
    visited = 0
    while stack:
        node, path, depth = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES:,} values once aliases (*name) are expanded; write the values "
                           "out or use fewer aliases", node.start_mark)
        if depth > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels once aliases (*name) are expanded; "
                           "expected a flatter document", node.start_mark)
        children: list[tuple[yaml.Node, tuple, int]] = []
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
                children.append((value_node, path + (key,), depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[path + (i,)] = item.start_mark.line + 1
                children.append((item, path + (i,), depth + 1))
        stack.extend(reversed(children))


ErrorFactory = Callable[[str, list[Problem]], Exception]


def parse_yaml(text: str, file: str, error: ErrorFactory = ScenarioError) -> YamlDocument:
    """Parse YAML ``text`` (from ``file``) within the bounds above; ``data`` is None for an empty document.

    Raises
    ------
    ``error(file, problems)``
        For syntax errors, duplicate keys, documents past the bounds and values the safe loader
        refuses, each with its line.
    """
    try:
        loader = _Loader(text)  # the reader refuses control characters here
    except yaml.YAMLError as exc:
        raise error(file, [Problem((), f"YAML syntax error: {exc}")]) from None
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                return YamlDocument(file, None, {})
            lines: dict[tuple, int] = {(): node.start_mark.line + 1}
            problems: list[Problem] = []
            _walk(node, lines, problems)
        except _Refused as exc:
            raise error(file, [Problem((), exc.message, exc.line)]) from None
        except RecursionError:
            raise error(file, [Problem((), f"nested deeper than {MAX_DEPTH} levels; expected a flatter document")]) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            what = exc.problem or "invalid YAML"
            if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
                what += f" ({exc.context} on line {exc.context_mark.line + 1})"
            raise error(file, [Problem((), f"YAML syntax error: {what}; fix the syntax near this line", line)]) from None
        except yaml.YAMLError as exc:
            raise error(file, [Problem((), f"YAML syntax error: {exc}")]) from None
        if problems:
            raise error(file, problems)
        try:
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:  # constructor errors: a tag the safe loader refuses, bad base64...
            mark = getattr(exc, "problem_mark", None)
            raise error(file, [Problem((), f"YAML value error: {getattr(exc, 'problem', None) or exc}",
                                       mark.line + 1 if mark else None)]) from None
        except (RecursionError, ValueError, TypeError, OverflowError) as exc:
            raise error(file, [Problem((), f"YAML value error: {exc}")]) from None
        return YamlDocument(file, data, lines)
    finally:
        loader.dispose()


def read_text(path: str | Path, what: str, error: ErrorFactory = ScenarioError) -> str:
    """The UTF-8 text of ``path`` (at most MAX_INPUT_BYTES, no NUL); every other case is ``error``."""
    file = str(path)
    try:
        raw = read_capped(path, what=what)
    except UnsafeFile as exc:
        raise error(file, [Problem((), str(exc.strerror))]) from None
    except FileNotFoundError:
        raise error(file, [Problem((), f"file not found; expected a path to a {what} YAML file")]) from None
    except IsADirectoryError:
        raise error(file, [Problem((), f"is a directory; expected a {what} YAML file")]) from None
    except OSError as exc:
        raise error(file, [Problem((), f"cannot read the file ({exc.strerror or exc})")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            file,
            [Problem((), f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); expected a YAML text file")],
        ) from None
    if "\x00" in text:
        raise error(file, [Problem((), f"binary data (NUL byte at offset {text.index(chr(0))}); expected a YAML text file")])
    return text


def read_yaml(path: str | Path) -> YamlDocument:
    """Parse the scenario file ``path`` with the bounded safe loader and map every key to its line.

    Raises
    ------
    ScenarioError
        For a missing, unreadable or too large file, text that is not UTF-8, an empty document, YAML
        syntax errors, duplicate keys and documents past the bounds, each with its line.
    """
    file = str(path)
    doc = parse_yaml(read_text(path, "scenario"), file)
    if doc.data is None and not doc.lines:
        raise ScenarioError(file, [Problem((), "the file is empty; expected a scenario (run `negotiate new` for a starter)")])
    return doc
