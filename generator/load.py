"""Read every fact file under ``facts/`` into a :class:`Corpus`, collecting problems.

Nothing here raises on a bad file: each problem becomes a :class:`Problem` with the
file, line and column, and the loader goes on, so one run shows everything.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from stat import S_ISREG
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from generator import limits, models
from generator.files import walk as _walk
from generator.models import KINDS, Actor, FactFile, Incident, Place, Source, slug_problem
from generator.problems import Problem
from generator.project import FACTS_DIR, Project
from generator.yamlload import Document, Loc, Position, YAMLProblem, loc_text, parse

R = TypeVar("R", bound=FactFile)

MAX_FILE_BYTES = {
    kind: limits.SOURCE_FILE_BYTES.value if declared.has_body else limits.YAML_FILE_BYTES.value
    for kind, declared in KINDS.items()
}
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
    """SHA-256 of a source's archived text, as recorded in its ``sha256`` field.

    Line endings count as line feeds (the loader reads CRLF and CR as LF), so a copy
    checked out with Windows line endings keeps its hash.
    """
    return hashlib.sha256(normalise_newlines(body).encode("utf-8")).hexdigest()


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR as LF, as Python's text mode reads them."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def decode(data: bytes) -> str:
    """A fact file's text: UTF-8 (a leading byte-order mark is dropped), line endings as LF.

    Raises :class:`TextProblem` with the position of the first byte that is not UTF-8.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        col = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1
        raise TextProblem(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} at byte {error.start}); save it as UTF-8",
            Position(line, col),
        ) from None
    return normalise_newlines(text.removeprefix("\ufeff"))


class TextProblem(Exception):
    """A file that cannot be read as text, with the position of the problem."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def archived_text(text: str) -> str:
    """The archived text of a source file, or of a plain text file that is to become one.

    A source file (front matter between '---' lines) gives its body; any other text is
    taken whole. Either way without one final newline, as the loader reads a body and
    ``sha256`` records it.
    """
    split = split_source(text)
    if split is not None:
        return split[1]
    return text[:-1] if text.endswith("\n") else text


def split_source(text: str) -> tuple[str, str, int] | None:
    """Split a source file into (front matter, body, line where the front matter starts).

    Written out rather than taken from python-frontmatter because the body must stay
    byte-exact for its hash: the body is everything after the closing ``---`` line,
    without one final newline (which editors add).
    """
    if not (text.startswith("---\n") or text == "---"):
        return None
    end = text.find("\n---\n", 3)
    if end < 0 and text.endswith("\n---"):
        end = len(text) - 4
    if end < 0:
        return None
    front = text[4 : end + 1]
    body = text[end + 5 :]
    if body.endswith("\n"):
        body = body[:-1]
    return front, body, 1


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
        misplaced = _misplaced(rel, kind, path.suffix)
        if misplaced is not None:
            corpus.problems.append(misplaced)
            continue
        assert kind is not None
        load_file(corpus, kind, path, rel)
    return corpus


def load_files(files: Mapping[str, bytes]) -> Corpus:
    """Load fact files given in memory, as project-relative path → content (e.g. read from git).

    The same rules as :func:`load_corpus`, without touching the disk; the caller has
    refused paths that are not plain (symbolic links, '..', …).
    """
    corpus = Corpus()
    for rel in sorted(files):
        parts = rel.split("/")
        if parts[0] != FACTS_DIR or any(part.startswith(".") for part in parts[1:]) or rel.endswith("~"):
            continue  # outside facts/, or a dotfile or editor swap file, as on disk
        kind = parts[1] if len(parts) == 3 else None
        name = PurePosixPath(rel)
        misplaced = _misplaced(rel, kind, name.suffix)
        if misplaced is not None:
            corpus.problems.append(misplaced)
            continue
        assert kind is not None
        data = files[rel]
        loaded = None
        bad_id = _id_problem(rel, name.name, name.stem)
        if bad_id is not None:
            corpus.problems.append(bad_id)
        elif len(data) > MAX_FILE_BYTES[kind]:
            corpus.problems.append(Problem(rel, 1, 1, "error", _too_large(kind, len(data))))
        else:
            loaded = load_bytes(corpus, kind, rel, name.stem, data)
        if loaded is None:
            corpus.unloadable.add((kind, name.stem))
        else:
            corpus.of_kind(kind)[name.stem] = loaded
    return corpus


def _misplaced(rel: str, kind: str | None, suffix: str) -> Problem | None:
    """The problem with a file that is not where fact files go, if it is not."""
    if kind not in KINDS:
        places = [f"facts/{k.folder}/*{k.extension}" for k in KINDS.values()]
        return Problem(rel, 1, 1, "error", f"unexpected file: fact files go in {_enumerate(places, 'or')}")
    extension = KINDS[kind].extension
    if suffix != extension:
        return Problem(rel, 1, 1, "error", f"unexpected file in facts/{kind}/: its files end in {extension}")
    return None


def _id_problem(rel: str, name: str, record_id: str) -> Problem | None:
    """The problem with a file name that is not a valid id, if it is not."""
    problem = slug_problem(record_id)
    if problem is None:
        return None
    return Problem(
        rel,
        1,
        1,
        "error",
        f"the file name '{name}' is not a valid id: {problem}; rename it with lowercase letters a-z, "
        "digits and single hyphens",
    )


def _enumerate(items: list[str], conjunction: str = "and") -> str:
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}" if len(items) > 1 else "".join(items)


def _load_file(corpus: Corpus, kind: str, path: Path, rel: str, data: bytes | None = None) -> None:
    """Load one file (from ``data``, its bytes, when the caller has read them already)."""
    record_id = path.stem
    bad_id = _id_problem(rel, path.name, record_id)
    if bad_id is not None:
        corpus.problems.append(bad_id)
        corpus.unloadable.add((kind, record_id))
        return
    data = _read_bytes(corpus, kind, path, rel, data)
    loaded = None if data is None else load_bytes(corpus, kind, rel, record_id, data)
    if loaded is None:
        corpus.unloadable.add((kind, record_id))
    else:
        corpus.of_kind(kind)[record_id] = loaded


def _read_bytes(corpus: Corpus, kind: str, path: Path, rel: str, data: bytes | None = None) -> bytes | None:
    limit = MAX_FILE_BYTES[kind]
    if data is not None:  # read already, from a regular file
        if len(data) > limit:
            corpus.problems.append(Problem(rel, 1, 1, "error", _too_large(kind, len(data))))
            return None
        return data
    try:
        stat = path.stat()
        if not S_ISREG(stat.st_mode):
            corpus.problems.append(Problem(rel, 1, 1, "error", "fact files must be regular files"))
            return None
        if stat.st_size > limit:
            corpus.problems.append(Problem(rel, 1, 1, "error", _too_large(kind, stat.st_size)))
            return None
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # the file may have grown since stat
    except OSError as error:
        corpus.problems.append(Problem(rel, 1, 1, "error", f"the file cannot be read: {error.strerror}"))
        return None
    if len(data) > limit:
        corpus.problems.append(Problem(rel, 1, 1, "error", _too_large(kind, len(data))))
        return None
    return data


def _too_large(kind: str, size: int) -> str:
    limit = MAX_FILE_BYTES[kind]
    what = "a source file" if kind == "sources" else "a fact file"
    return f"the file has {size} bytes; {what} may have at most {limit} (see the limits in the fact format reference)"


def load_bytes(corpus: Corpus, kind: str, rel: str, record_id: str, data: bytes) -> Loaded[Any] | None:
    """One record from the bytes of its file; problems go into ``corpus.problems``.

    Never raises for any input: every failure becomes a positioned problem.
    """
    try:
        text = decode(data)
    except TextProblem as problem:
        corpus.problems.append(Problem(rel, problem.position.line, problem.position.col, "error", problem.message))
        return None
    body = ""
    if KINDS[kind].has_body:
        split = split_source(text)
        if split is None:
            corpus.problems.append(_front_matter_problem(text, rel))
            return None
        front, body, line_offset = split
        if len(front.encode("utf-8")) > limits.YAML_FILE_BYTES.value:
            corpus.problems.append(
                Problem(
                    rel,
                    2,
                    1,
                    "error",
                    f"the front matter has more than {limits.YAML_FILE_BYTES.value} bytes "
                    "(see the limits in the fact format reference)",
                )
            )
            return None
        yaml_text = front
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
                f"id '{record.id}' does not match the file name '{rel.rsplit('/', 1)[-1]}': rename the file or fix the id",
            )
        )
        return None
    return Loaded(record_id, rel, record, document, body)


def _front_matter_problem(text: str, rel: str) -> Problem:
    if text.startswith("---\n") or text == "---":
        return Problem(
            rel,
            1,
            1,
            "error",
            "the front matter that starts on line 1 is never closed: add a line '---' after its last field, "
            "then the archived text",
        )
    return Problem(
        rel,
        1,
        1,
        "error",
        "a source starts with front matter between two '---' lines, followed by the archived text",
    )


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
        elif kind in ("string_too_long", "too_long"):
            at = document.position(loc)
            limit = item.get("ctx", {}).get("max_length")
            value = item.get("input")
            size = len(value) if isinstance(value, (str, list, dict)) else None
            unit = "characters" if kind == "string_too_long" else "entries"
            has = f"has {size} {unit}; " if size is not None else ""
            message = f"{name} {has}at most {limit} are allowed (see the limits in the fact format reference)"
        elif kind == "too_short":
            at = document.position(loc)
            message = f"{name} must have at least {item.get('ctx', {}).get('min_length', 1)} entry"
        else:
            at = document.position(loc)
            text = str(item["msg"]).removeprefix("Value error, ")
            message = f"{name}: {text}" if loc else text
        problems.append(Problem(rel, at.line, at.col, "error", message))
    return problems
