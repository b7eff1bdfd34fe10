"""Read YAML so that analysts get exactly what they wrote, or an error with a position.

PyYAML's parser (libyaml when available, which is fast) turns the text into a stream
of events; we build plain Python values from those events ourselves, without
recursion and without PyYAML's composer, so that:

* every value remembers its line and column (for ``path:line:col`` messages);
* a key written twice in one mapping is an error, not a silent overwrite;
* plain scalars are read by the YAML 1.2 core schema: only ``true``/``false``,
  ``null``/``~``, decimal integers and floats get a type. YAML 1.1 surprises
  (``NO`` as false, ``10:00`` as 600, ``2021-07-06`` as a date) stay text;
* anchors and aliases are refused: the format never needs one value in two places,
  and an alias is how a few hundred bytes expand into gigabytes (a "billion laughs");
* nesting deeper than :data:`~generator.limits.NESTING_DEPTH` stops the parse at
  once, before the parser's own stacks grow (a file of 40,000 ``[`` crashes
  libyaml's composer);
* text holding an invisible or control character (:data:`~generator.limits.INVISIBLE`)
  is refused, naming the code point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.reader

from generator.limits import INVISIBLE, NESTING_DEPTH, describe_character

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - libyaml is in PyYAML's wheels
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        """Events only: no composer, no constructor."""

        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

        def dispose(self) -> None:
            pass


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


_TEXT_TAGS = {_STR_TAG, "!"}  # an explicit !!str, or the non-specific "!": the scalar is text as written
_SHORT_TAGS = {"tag:yaml.org,2002:": "!!"}


def _tag_text(tag: str) -> str:
    for long, short in _SHORT_TAGS.items():
        if tag.startswith(long):
            return short + tag[len(long) :]
    return tag


def _scalar(event: yaml.ScalarEvent) -> Any:
    value: str = event.value
    if event.tag is not None:
        if event.tag not in _TEXT_TAGS:
            # An explicit tag such as !!binary or !python/object: never construct it.
            raise _Refused(f"the tag '{_tag_text(event.tag)}' is not allowed; write plain text")
        return value
    if event.style:  # quoted or block scalar: always text ("" for plain)
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        try:
            return int(value)
        except ValueError as too_long:  # more digits than Python reads as a number (4,300)
            digits = len(value.lstrip("+-"))
            raise _Refused(
                f"the number has {digits} digits, more than any field takes; put it in quotes if it is text"
            ) from too_long
    if _FLOAT.match(value):
        return float(value)
    return value


class _Refused(Exception):
    """A problem at the current event; the builder adds the position."""


def invisible_problem(text: str) -> str | None:
    """What is wrong with text holding an invisible or control character, or None."""
    if text.isascii() and text.isprintable():
        return None  # the common case, without the search: printable ASCII holds none of them
    found = INVISIBLE.search(text)
    if found is None:
        return None
    char = found.group()
    return (
        f"contains {describe_character(char)} at character {found.start() + 1}, an invisible or control "
        "character that changes how the text reads: remove it"
    )


@dataclass
class _Frame:
    container: Any  # dict or list being filled
    loc: Loc
    key: str | None = None  # mappings: the key whose value comes next


class _Builder:
    """Plain values from parser events, with an explicit stack instead of recursion."""

    def __init__(self, parser: Any, line_offset: int) -> None:
        self.parser = parser
        self.line_offset = line_offset
        self.values: dict[Loc, Any] = {}
        self.keys: dict[Loc, Any] = {}

    def _at(self, mark: Any) -> Position:
        return _pos(mark, self.line_offset)

    def document(self) -> Any:
        """The value of the one document in the stream (None when there is none)."""
        parser = self.parser
        parser.get_event()  # stream start
        event = parser.get_event()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        root = self.value()
        parser.get_event()  # document end
        extra = parser.get_event()
        if not isinstance(extra, yaml.StreamEndEvent):
            raise YAMLProblem(
                "a second YAML document starts here ('---'): a fact file holds one", self._at(extra.start_mark)
            )
        return root

    def value(self) -> Any:
        stack: list[_Frame] = []
        parser = self.parser
        while True:
            event = parser.get_event()
            try:
                if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    done = stack.pop().container
                else:
                    done = self._start(event, stack)
                    if done is _OPENED:
                        continue
            except _Refused as refused:
                raise YAMLProblem(str(refused), self._at(event.start_mark)) from None
            if not stack:
                return done
            top = stack[-1]
            if isinstance(top.container, list):
                top.container.append(done)
            else:
                assert top.key is not None
                top.container[top.key] = done
                top.key = None

    def _start(self, event: Any, stack: list[_Frame]) -> Any:
        """Handle a scalar or the start of a collection; return the finished value, or _OPENED."""
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(f"aliases (*{event.anchor}) are not allowed: write the value out")
        if getattr(event, "anchor", None) is not None:
            raise _Refused(f"anchors (&{event.anchor}) are not allowed: write each value out where it is used")
        top = stack[-1] if stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            self._key(event, top)
            return _OPENED
        if top is None:
            loc: Loc = ()
        elif isinstance(top.container, list):
            loc = (*top.loc, len(top.container))
        else:
            assert top.key is not None
            loc = (*top.loc, top.key)
        self.values[loc] = event.start_mark
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar(event)
            if isinstance(value, str):
                problem = invisible_problem(value)
                if problem:
                    raise _Refused(f"{loc_text(loc)}: {problem}" if loc else problem)
            return value
        if len(stack) >= NESTING_DEPTH.value:
            raise _Refused(
                f"lists and mappings are nested more than {NESTING_DEPTH.value} levels deep; "
                "no fact needs that many (see the limits in the fact format reference)"
            )
        if isinstance(event, yaml.SequenceStartEvent):
            if event.tag not in (None, _SEQ_TAG):
                raise _Refused(f"the tag '{_tag_text(event.tag)}' is not allowed here")
            stack.append(_Frame([], loc))
        else:
            if event.tag not in (None, _MAP_TAG):
                raise _Refused(f"the tag '{_tag_text(event.tag)}' is not allowed here")
            stack.append(_Frame({}, loc))
        return _OPENED

    def _key(self, event: Any, top: _Frame) -> None:
        if not isinstance(event, yaml.ScalarEvent) or event.tag not in (None, *_TEXT_TAGS):
            raise _Refused("a key must be plain text")
        key = event.value
        if key == "<<" and not event.style and event.tag is None:
            raise _Refused("merge keys (<<) are not supported; write the fields out")
        key_loc = (*top.loc, key)
        if key in top.container:
            first = self.keys[key_loc].line + 1 + self.line_offset
            raise _Refused(f"duplicate key '{key}' (first set on line {first}); keep one of them")
        self.keys[key_loc] = event.start_mark
        top.key = key


_OPENED = object()


def parse(text: str, *, line_offset: int = 0) -> Document:
    """Parse one YAML document into plain values with positions.

    ``line_offset`` shifts reported lines, for YAML embedded in a larger file
    (front matter). Raises :class:`YAMLProblem` for anything that is not well formed.
    """
    try:
        parser = _Parser(text)
        try:
            builder = _Builder(parser, line_offset)
            data = builder.document()
        finally:
            parser.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = _pos(mark, line_offset) if mark else Position(1 + line_offset, 1)
        what = error.problem or error.context or "not well-formed YAML"
        if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
            what = "a tab is used for indentation or spacing here; YAML indents with spaces"
        elif "end of stream" in what:
            what += " (is the file cut off?)"
        raise YAMLProblem(f"YAML is not well formed: {what}", position) from None
    except yaml.reader.ReaderError as error:
        char = chr(error.character) if isinstance(error.character, int) else "\ufffd"
        at = min(max(error.position, 0), len(text))
        if text[at : at + 1] != char:  # libyaml counts bytes of UTF-8, the Python parser characters
            at = len(text.encode("utf-8")[: error.position].decode("utf-8", errors="ignore"))
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        raise YAMLProblem(
            f"YAML does not allow {describe_character(char)} in a file: remove it", Position(line + line_offset, col)
        ) from None
    except yaml.YAMLError as error:
        raise YAMLProblem(f"YAML is not well formed: {error}", Position(1 + line_offset, 1)) from None
    if data is None and () not in builder.values:
        raise YAMLProblem(
            "the file holds no fields (it is empty, or only comments): it must hold a mapping of fields",
            Position(1 + line_offset, 1),
        )
    if not isinstance(data, dict):
        raise YAMLProblem("the file must hold a mapping of fields (key: value)", _pos(builder.values[()], line_offset))
    return Document(data, builder.values, builder.keys, line_offset)
