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

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in PyYAML's wheels
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

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
    """A parsed YAML mapping with the position of every value and every key."""

    data: Any
    values: dict[Loc, Position]
    keys: dict[Loc, Position]

    def position(self, loc: Loc) -> Position:
        """The position of the value at ``loc``, or of its nearest ancestor."""
        while loc:
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), Position(1, 1))

    def key_position(self, loc: Loc) -> Position:
        """The position of the key that introduces ``loc`` (falls back to the value)."""
        return self.keys.get(loc) or self.position(loc)


def loc_text(loc: Loc) -> str:
    """A location as an analyst reads it: ``questions[0].claims[1].quote``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pos(mark: Any, line_offset: int) -> Position:
    return Position(mark.line + 1 + line_offset, mark.column + 1)


_IMPLICIT_TAGS = {
    _STR_TAG,
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:value",
}


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.tag not in _IMPLICIT_TAGS:
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
        self.values: dict[Loc, Position] = {}
        self.keys: dict[Loc, Position] = {}

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.values[loc] = _pos(node.start_mark, self.line_offset)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                raise YAMLProblem(f"the tag {node.tag!r} is not allowed here", self.values[loc])
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key_pos = _pos(key_node.start_mark, self.line_offset)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YAMLProblem("merge keys (<<) are not supported; write the fields out", key_pos)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YAMLProblem("a key must be plain text", key_pos)
                key = key_node.value
                if key in result:
                    first = self.keys[(*loc, key)]
                    raise YAMLProblem(
                        f"duplicate key '{key}' (first set on line {first.line}); keep one of them",
                        key_pos,
                    )
                self.keys[(*loc, key)] = key_pos
                result[key] = self.build(value_node, (*loc, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                raise YAMLProblem(f"the tag {node.tag!r} is not allowed here", self.values[loc])
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        try:
            return _scalar(node)
        except YAMLProblem as problem:
            raise YAMLProblem(problem.message, self.values[loc]) from None


def parse(text: str, *, line_offset: int = 0) -> Document:
    """Parse one YAML document into plain values with positions.

    ``line_offset`` shifts reported lines, for YAML embedded in a larger file
    (front matter). Raises :class:`YAMLProblem` for anything that is not well formed.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
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
        raise YAMLProblem("the file must hold a mapping of fields (key: value)", builder.values[()])
    return Document(data, builder.values, builder.keys)
