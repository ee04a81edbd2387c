"""YAML files read fast, with the position of every key found again when an error needs it.

The data comes from ruamel's safe loader (twice as fast as its round-trip loader; pure
Python, so the result never depends on whether libyaml is installed); the round-trip parse
that knows where each key sits runs only when a problem must point at file:line:column.
Both parses are remembered by the file's text, so a process that loads the same unchanged
project again (a reload, another app, the next request) does not parse it again; each
caller gets its own copy of the data.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from policykeeper.errors import InputError, Problem, display_path

Location = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Parsed YAML plus the means to turn a path into the data back into a position."""

    path: Path
    data: Any
    text: str = ""
    _tree: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return display_path(self.path)

    def position(self, location: Location) -> tuple[int, int]:
        """1-based line and column of the deepest node of `location` that exists."""
        if self._tree is None:
            self._tree = _round_trip(self.text) if self.text else self.data
        node: Any = self._tree
        line, column = 1, 1
        for part in location:
            if isinstance(node, CommentedMap) and part in node:
                key_line, key_column = node.lc.key(part)
                line, column = key_line + 1, key_column + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                item_line, item_column = node.lc.item(part)
                line, column = item_line + 1, item_column + 1
                node = node[part]
            else:
                break
        return line, column

    def problem(self, location: Location, message: str, severity: str = "error") -> Problem:
        line, column = self.position(location)
        return Problem(self.name, line, column, message, severity)


def read_yaml(path: Path) -> YamlDocument:
    """Read one YAML mapping; any failure becomes a single located InputError."""
    name = display_path(path)
    if not path.is_file():
        raise InputError(f"{name}: file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read: {exc}") from exc
    try:
        data = copy.deepcopy(_safe_load(text))
    except Exception:  # the round-trip parser below words the error
        data = _located_parse(name, text)
    if data is None:
        raise InputError(f"{name}: the file is empty")
    if not isinstance(data, dict):
        raise InputError(f"{name}:1:1: expected a mapping at the top level")
    return YamlDocument(path, data, text)


@lru_cache(maxsize=64)
def _safe_load(text: str) -> Any:
    """The data of one text; shared, so callers copy it (a failure is not remembered)."""
    return YAML(typ="safe", pure=True).load(text)


@lru_cache(maxsize=64)
def _round_trip(text: str) -> Any:
    """The tree that knows each key's position; shared and only ever read."""
    return YAML(typ="rt").load(text)


def _located_parse(name: str, text: str) -> Any:
    """Parse with the round-trip loader, whose errors carry the line and column."""
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise InputError(f"{where}: malformed YAML: {exc.problem or exc.context}") from exc
    except Exception as exc:  # ruamel raises a few unmarked errors (duplicate keys, bad tags)
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{name}: malformed YAML: {first_line}") from exc
