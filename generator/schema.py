"""JSON Schemas of the fact format, generated from the models so they cannot drift.

Editors that speak the YAML language server read them through a comment on the first
line of each fact file (inside the front matter for sources)::

    # yaml-language-server: $schema=../../schemas/incident.json

The schemas are committed in ``schemas/`` (a test keeps them equal to the models),
written by ``factsheet schema`` and published with the site in ``site/schemas/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from generator import limits, models
from generator.load import SCHEMA_COMMENT, Corpus, decode
from generator.models import KINDS, SLUG_MAX
from generator.problems import Problem
from generator.project import Project

SCHEMA_DIR = "schemas"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# facts/<folder>/ → schema file name (the record kind in the singular).
SCHEMA_NAMES = {kind.folder: f"{kind.singular}.json" for kind in KINDS.values()}

# The models check these with plain functions; the schema says the same in JSON Schema
# terms so that editors flag a bad id or hash while it is typed.
_FUNCTION_RULES: dict[Callable[..., Any], dict[str, Any]] = {
    models.check_slug: {"pattern": models.SLUG.pattern, "maxLength": SLUG_MAX},
    models._check_text: {"pattern": r"\S"},
    models._check_quote: {"pattern": r"\S+\s+\S+\s+\S", "minLength": limits.QUOTE_MIN_CHARS.value},
    models._check_sha256: {"pattern": "^[0-9a-f]{64}$"},
    models._check_language: {"pattern": r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
}


class _FactSchema(GenerateJsonSchema):
    """Pydantic's generator, plus the rules of the format's validator functions."""

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        generated = super().function_after_schema(schema)
        rules = _FUNCTION_RULES.get(schema["function"]["function"])
        return {**generated, **rules} if rules else generated


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of one record kind (``incidents``, ``actors``, ``places``, ``sources``)."""
    generated = KINDS[kind].model.model_json_schema(schema_generator=_FactSchema)
    header: dict[str, Any] = {"$schema": SCHEMA_DIALECT}
    if KINDS[kind].has_body:
        generated["description"] = (
            f"{generated.get('description', '')} This schema covers the front matter between the '---' lines."
        ).strip()
    return {**header, **generated}


def schema_text(kind: str) -> str:
    """One kind's schema as the exact text written to its file."""
    return json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write one schema per record kind into ``folder`` (created if needed); return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in SCHEMA_NAMES.items():
        path = folder / name
        path.write_text(schema_text(kind), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(folder: Path) -> list[str]:
    """Names of the schema files in ``folder`` that are missing or differ from the models."""
    stale = []
    for kind, name in SCHEMA_NAMES.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != schema_text(kind):
            stale.append(name)
    return stale


def schema_comment(kind: str) -> str:
    """The comment line that points a fact file of this kind at its schema in the checkout."""
    return f"{SCHEMA_COMMENT} $schema=../../{SCHEMA_DIR}/{SCHEMA_NAMES[kind]}"


def comment_problems(
    project: Project | None, corpus: Corpus, *, missing: bool = True, files: Mapping[str, bytes] | None = None
) -> list[Problem]:
    """A warning for each loaded fact file whose schema comment is wrong (or, with ``missing``, absent).

    The files are read from the project, or from ``files`` (path → content) when given.

    ``validate`` reports only wrong comments; ``factsheet schema --check`` reports
    missing ones too, so a corpus without them still validates while it is migrated.
    """
    problems = []
    for kind in KINDS:
        expected = schema_comment(kind)
        line = 2 if KINDS[kind].has_body else 1  # a source's front matter starts after '---'
        for loaded in corpus.of_kind(kind).values():
            if files is not None:
                lines = decode(files[loaded.path]).splitlines()
            else:
                assert project is not None
                lines = (project.root / loaded.path).read_text(encoding="utf-8").splitlines()
            actual = lines[line - 1].strip() if len(lines) >= line else ""
            if actual == expected:
                continue
            where = "as the first line inside the front matter" if KINDS[kind].has_body else "as the first line"
            if actual.startswith(SCHEMA_COMMENT):
                message = f"the schema comment should read '{expected}'"
            elif missing:
                message = (
                    f"no schema comment: add '{expected}' {where}, so editors check the file as it is typed "
                    "(`factsheet schema --add-comments` adds it)"
                )
            else:
                continue
            problems.append(Problem(loaded.path, line, 1, "warning", message))
    return problems


def add_schema_comments(project: Project) -> list[str]:
    """Put the schema comment into every fact file that lacks it; return the files changed.

    A file with a schema comment pointing elsewhere gets it corrected; nothing else in
    the file changes.
    """
    changed = []
    for kind in KINDS:
        folder = project.facts_dir / kind
        if not folder.is_dir():
            continue
        expected = schema_comment(kind)
        has_body = KINDS[kind].has_body
        index = 1 if has_body else 0
        for path in sorted(folder.iterdir()):
            if path.suffix != KINDS[kind].extension or not path.is_file() or path.is_symlink():
                continue
            # Bytes, not read_text: newlines stay as they are and a source's body stays byte-exact.
            lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
            if has_body and (not lines or lines[0].rstrip("\r\n") != "---"):
                continue  # not a source file the loader can read; validate says so
            if len(lines) > index and lines[index].strip() == expected:
                continue
            newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
            if len(lines) > index and lines[index].startswith(SCHEMA_COMMENT):
                lines[index] = expected + newline
            else:
                lines.insert(index, expected + newline)
            path.write_bytes("".join(lines).encode("utf-8"))
            changed.append(project.relative(path))
    return changed
