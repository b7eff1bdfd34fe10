"""Read every fact file under ``facts/`` into a :class:`Corpus`, collecting problems.

Nothing here raises on a bad file: each problem becomes a :class:`Problem` with the
file, line and column, and the loader goes on, so one run shows everything.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from generator import models
from generator.files import walk as _walk
from generator.models import KINDS, SLUG, SLUG_MAX, Actor, FactFile, Incident, Place, Source
from generator.problems import Problem
from generator.project import Project
from generator.yamlload import Document, Loc, Position, YAMLProblem, loc_text, parse

R = TypeVar("R", bound=FactFile)

MAX_FILE_BYTES = 5 * 1024 * 1024
SCHEMA_COMMENT = "# yaml-language-server:"


@dataclass
class Loaded(Generic[R]):
    """A record with the file it came from and the position of each of its values."""

    id: str
    path: str  # relative to the project root
    record: R
    document: Document
    body: str = ""  # sources only: the archived text

    def at(self, loc: Loc) -> Position:
        return self.document.position(loc)


@dataclass
class Corpus:
    """Every record that loaded, by kind and id, and every problem found on the way."""

    sources: dict[str, Loaded[Source]] = field(default_factory=dict)
    actors: dict[str, Loaded[Actor]] = field(default_factory=dict)
    places: dict[str, Loaded[Place]] = field(default_factory=dict)
    incidents: dict[str, Loaded[Incident]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Records whose file exists but did not load: references to them are not reported again.
    unloadable: set[tuple[str, str]] = field(default_factory=set)

    def of_kind(self, kind: str) -> dict[str, Loaded[Any]]:
        return getattr(self, kind)  # type: ignore[no-any-return]


def body_hash(body: str) -> str:
    """SHA-256 of a source's archived text, as recorded in its ``sha256`` field."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def split_source(text: str) -> tuple[str, str, int] | None:
    """Split a source file into (front matter, body, line where the front matter starts).

    Written out rather than taken from python-frontmatter because the body must stay
    byte-exact for its hash: the body is everything after the closing ``---`` line,
    without one final newline (which editors add).
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return None
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n") == "---":
            front = "".join(lines[1:number])
            body = "".join(lines[number + 1 :])
            if body.endswith("\n"):
                body = body[:-1]
            return front, body, 1
    return None


def load_corpus(project: Project, *, load_file: Callable[[Corpus, str, Path, str], None] | None = None) -> Corpus:
    """Load every fact file of the project (through ``load_file``, e.g. a cache, when given)."""
    load_file = load_file or _load_file
    corpus = Corpus()
    facts = project.facts_dir
    if not facts.is_dir():
        corpus.problems.append(
            Problem(
                "facts",
                1,
                1,
                "error",
                "no facts/ folder: create " + _enumerate([f"facts/{kind}" for kind in KINDS]),
            )
        )
        return corpus
    for path in _walk(facts):
        rel = project.relative(path) if not path.is_symlink() else path.relative_to(project.root).as_posix()
        parts = path.relative_to(facts).parts
        kind = parts[0] if len(parts) == 2 else None
        if path.is_symlink():
            corpus.problems.append(Problem(rel, 1, 1, "error", "fact files must be regular files, not symbolic links"))
            continue
        if kind not in KINDS:
            places = [f"facts/{k.folder}/*{k.extension}" for k in KINDS.values()]
            corpus.problems.append(
                Problem(rel, 1, 1, "error", f"unexpected file: fact files go in {_enumerate(places, 'or')}")
            )
            continue
        extension = KINDS[kind].extension
        if path.suffix != extension:
            corpus.problems.append(
                Problem(rel, 1, 1, "error", f"unexpected file in facts/{kind}/: its files end in {extension}")
            )
            continue
        load_file(corpus, kind, path, rel)
    return corpus


def _enumerate(items: list[str], conjunction: str = "and") -> str:
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}" if len(items) > 1 else "".join(items)


def _load_file(corpus: Corpus, kind: str, path: Path, rel: str, data: bytes | None = None) -> None:
    """Load one file (from ``data``, its bytes, when the caller has read them already)."""
    record_id = path.stem
    loaded = _read_record(corpus, kind, path, rel, record_id, data)
    if loaded is None:
        corpus.unloadable.add((kind, record_id))
    else:
        corpus.of_kind(kind)[record_id] = loaded


def decode(data: bytes) -> str:
    """A file's bytes as text, read as ``Path.read_text`` reads it (UTF-8, universal newlines)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _read_record(
    corpus: Corpus, kind: str, path: Path, rel: str, record_id: str, data: bytes | None = None
) -> Loaded[Any] | None:
    if not SLUG.match(record_id) or len(record_id) > SLUG_MAX:
        corpus.problems.append(
            Problem(
                rel,
                1,
                1,
                "error",
                f"the file name '{path.name}' is not a valid id: rename it with lowercase letters, digits and single hyphens",
            )
        )
        return None
    if (len(data) if data is not None else path.stat().st_size) > MAX_FILE_BYTES:
        corpus.problems.append(
            Problem(rel, 1, 1, "error", f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")
        )
        return None
    try:
        text = decode(data if data is not None else path.read_bytes())
    except UnicodeDecodeError as error:
        corpus.problems.append(
            Problem(rel, 1, 1, "error", f"the file is not UTF-8 text (byte {error.start}); save it as UTF-8")
        )
        return None
    body = ""
    if KINDS[kind].has_body:
        split = split_source(text)
        if split is None:
            corpus.problems.append(
                Problem(
                    rel,
                    1,
                    1,
                    "error",
                    "a source starts with front matter between two '---' lines, followed by the archived text",
                )
            )
            return None
        front, body, offset = split
        yaml_text, line_offset = front, offset
    else:
        yaml_text, line_offset = text, 0
    try:
        document = parse(yaml_text, line_offset=line_offset)
    except YAMLProblem as problem:
        corpus.problems.append(Problem(rel, problem.position.line, problem.position.col, "error", problem.message))
        return None
    model = KINDS[kind].model
    try:
        record = model.model_validate(document.data)
    except ValidationError as error:
        corpus.problems.extend(validation_problems(error, document, rel))
        return None
    if record.id is not None and record.id != record_id:
        at = document.position(("id",))
        corpus.problems.append(
            Problem(
                rel,
                at.line,
                at.col,
                "error",
                f"id '{record.id}' does not match the file name '{path.name}': rename the file or fix the id",
            )
        )
        return None
    return Loaded(record_id, rel, record, document, body)


# Every field name of the format, to suggest the intended one for a typo.
FIELD_NAMES = sorted(
    {
        name
        for candidate in vars(models).values()
        if isinstance(candidate, type) and issubclass(candidate, models.Record)
        for name in candidate.model_fields
    }
)


_TYPE_WORDS = {
    "string_type": "text (put it in quotes if it looks like a number, date or yes/no)",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}


def validation_problems(error: ValidationError, document: Document, rel: str) -> list[Problem]:
    """Turn pydantic's errors into positioned, actionable problems."""
    problems = []
    for item in error.errors(include_url=False):
        loc: Loc = tuple(part for part in item["loc"] if isinstance(part, (int, str)))
        kind = item["type"]
        if kind not in ("missing", "extra_forbidden"):
            # pydantic names union branches in the location; keep only what is in the file.
            while loc and loc not in document.values:
                loc = loc[:-1]
        name = loc_text(loc) or "the file"
        if kind == "extra_forbidden":
            key = str(loc[-1])
            close = difflib.get_close_matches(key, FIELD_NAMES, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else "; remove it or check the fact format reference"
            at = document.key_position(loc)
            message = f"unknown field '{key}'{hint}"
        elif kind == "missing":
            at = document.position(loc[:-1])
            message = f"missing required field '{loc_text(loc)}'"
        elif kind in _TYPE_WORDS:
            at = document.position(loc)
            message = f"{name} must be {_TYPE_WORDS[kind]}"
        elif kind == "literal_error":
            at = document.position(loc)
            expected = item.get("ctx", {}).get("expected", "")
            message = f"{name} must be one of {expected}"
        elif kind == "too_short":
            at = document.position(loc)
            message = f"{name} must have at least {item.get('ctx', {}).get('min_length', 1)} entry"
        else:
            at = document.position(loc)
            text = str(item["msg"]).removeprefix("Value error, ")
            message = f"{name}: {text}" if loc else text
        problems.append(Problem(rel, at.line, at.col, "error", message))
    return problems
