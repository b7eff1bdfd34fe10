"""Read YAML so that analysts get exactly what they wrote, or an error with a position.

PyYAML composes the node tree (with libyaml when available, which is fast); we build
plain Python values from it ourselves so that:

* every value remembers its line and column (for ``path:line:col`` messages);
* a key written twice in one mapping is an error, not a silent overwrite;
* plain scalars are read by the YAML 1.2 core schema: only ``true``/``false``,
  ``null``/``~``, decimal integers and floats get a type. YAML 1.1 surprises
  (``NO`` as false, ``10:00`` as 600, ``2021-07-06`` as a date) stay text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.resolver import BaseResolver

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - libyaml is in PyYAML's wheels
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _Loader(_Parser, BaseResolver):
    """Composes nodes only. No implicit types: every untagged scalar is text until
    :func:`_scalar` applies the YAML 1.2 core rules to plain ones."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        BaseResolver.__init__(self)


Loc = tuple[int | str, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL)?$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    col: int


class YAMLProblem(Exception):
    """YAML that cannot be read; carries the position of the problem."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass
class Document:
    """A parsed YAML mapping with the position of every value and every key.

    Positions are kept as the parser's marks and turned into lines and columns only
    when a message needs one.
    """

    data: Any
    values: dict[Loc, Any]
    keys: dict[Loc, Any]
    line_offset: int = 0

    def _convert(self, mark: Any) -> Position:
        return Position(mark.line + 1 + self.line_offset, mark.column + 1)

    def position(self, loc: Loc) -> Position:
        """The position of the value at ``loc``, or of its nearest ancestor."""
        while loc:
            if loc in self.values:
                return self._convert(self.values[loc])
            loc = loc[:-1]
        return self._convert(self.values[()]) if () in self.values else Position(1 + self.line_offset, 1)

    def key_position(self, loc: Loc) -> Position:
        """The position of the key that introduces ``loc`` (falls back to the value)."""
        return self._convert(self.keys[loc]) if loc in self.keys else self.position(loc)


def loc_text(loc: Loc) -> str:
    """A location as an analyst reads it: ``questions[0].claims[1].quote``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pos(mark: Any, line_offset: int) -> Position:
    return Position(mark.line + 1 + line_offset, mark.column + 1)


_ALLOWED_TAGS = {_STR_TAG, "!"}  # untagged (resolved as str) or the non-specific "!"


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.tag not in _ALLOWED_TAGS:
        # An explicit tag such as !!binary or !python/object: never construct it.
        raise YAMLProblem(f"the tag {node.tag!r} is not allowed here; write plain text", Position(1, 1))
    if node.style:  # quoted or block scalar: always text (libyaml says "" for plain)
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


class _Builder:
    def __init__(self, line_offset: int) -> None:
        self.line_offset = line_offset
        self.values: dict[Loc, Any] = {}
        self.keys: dict[Loc, Any] = {}

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.values[loc] = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            try:
                return _scalar(node)
            except YAMLProblem as problem:
                raise YAMLProblem(problem.message, _pos(node.start_mark, self.line_offset)) from None
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                raise YAMLProblem(f"the tag {node.tag!r} is not allowed here", _pos(node.start_mark, self.line_offset))
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        if node.tag != _MAP_TAG:
            raise YAMLProblem(f"the tag {node.tag!r} is not allowed here", _pos(node.start_mark, self.line_offset))
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _ALLOWED_TAGS:
                raise YAMLProblem("a key must be plain text", _pos(key_node.start_mark, self.line_offset))
            key = key_node.value
            if key == "<<" and not key_node.style:
                raise YAMLProblem(
                    "merge keys (<<) are not supported; write the fields out",
                    _pos(key_node.start_mark, self.line_offset),
                )
            key_loc = (*loc, key)
            if key in result:
                first = self.keys[key_loc].line + 1 + self.line_offset
                raise YAMLProblem(
                    f"duplicate key '{key}' (first set on line {first}); keep one of them",
                    _pos(key_node.start_mark, self.line_offset),
                )
            self.keys[key_loc] = key_node.start_mark
            result[key] = self.build(value_node, key_loc)
        return result


def parse(text: str, *, line_offset: int = 0) -> Document:
    """Parse one YAML document into plain values with positions.

    ``line_offset`` shifts reported lines, for YAML embedded in a larger file
    (front matter). Raises :class:`YAMLProblem` for anything that is not well formed.
    """
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = _pos(mark, line_offset) if mark else Position(1 + line_offset, 1)
        what = error.problem or error.context or "not well-formed YAML"
        raise YAMLProblem(f"YAML is not well formed: {what}", position) from None
    except yaml.YAMLError as error:
        raise YAMLProblem(f"YAML is not well formed: {error}", Position(1 + line_offset, 1)) from None
    if node is None:
        raise YAMLProblem("the file is empty; it must hold a mapping of fields", Position(1 + line_offset, 1))
    builder = _Builder(line_offset)
    data = builder.build(node, ())
    if not isinstance(data, dict):
        raise YAMLProblem("the file must hold a mapping of fields (key: value)", _pos(node.start_mark, line_offset))
    return Document(data, builder.values, builder.keys, line_offset)
