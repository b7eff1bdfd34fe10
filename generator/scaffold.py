"""New fact files that already pass the fact format, for analysts to fill in.

Placeholders are valid values (so the editor's schema check stays quiet) and the
references an analyst has not given point at ids that do not exist yet, so that
``factsheet validate`` lists exactly what is left to do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.load import body_hash, normalise_newlines
from generator.models import KINDS as RECORD_KINDS
from generator.models import UNKNOWN, check_slug
from generator.project import Project
from generator.schema import schema_comment

KINDS = {kind.singular: kind.folder for kind in RECORD_KINDS.values()}
TITLE_MAX = 200


class ScaffoldError(Exception):
    """The file cannot be created (it exists, the id is not valid, the text is empty)."""


@dataclass
class Details:
    """What the analyst already knows; anything left out becomes a placeholder."""

    name: str | None = None  # title of an incident or source, name of an actor or place
    kind: str | None = None  # actor, place or source kind; incident type
    place: str | None = None
    parent: str | None = None
    date: str | None = None
    source: str | None = None
    quote: str | None = None
    url: str | None = None
    language: str = "en"
    retrieved: str | None = None  # defaults to today
    provenance: str | None = None


_PLAIN = re.compile(
    r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*|\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})?)?)?)?[?~%]?)$"
)


def _value(value: str) -> str:
    """An option value as YAML: plain when it is a slug or a date that reads back as the same text, else quoted."""
    plain = _PLAIN.match(value) and value not in ("true", "false", "null") and not value.isdigit()
    return value if plain else _text(value)


def _text(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar: safe for any text.
    return json.dumps(value, ensure_ascii=False)


def _default_name(record_id: str) -> str:
    words = record_id.replace("-", " ")
    return words[:1].upper() + words[1:]


def path_for(project: Project, kind: str, record_id: str) -> Path:
    """Where a record of this kind and id lives."""
    folder = KINDS[kind]
    return project.facts_dir / folder / f"{record_id}{RECORD_KINDS[folder].extension}"


def incident_text(record_id: str, details: Details) -> str:
    today = details.retrieved or date.today().isoformat()
    return f"""\
{schema_comment("incidents")}
title: {_text(details.name or "Fill in: a neutral title")}
when:
  date: {_value(details.date or today)}  # EDTF: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM+03:00
place: {_value(details.place or "fill-in-place")}
type: {_value(details.kind or "other")}
actors: []
questions:
  - id: what-happened
    label: What happened?
    claims:
      - id: first-account
        text: "Fill in: the statement, in neutral words."
        citations:
          - source: {_value(details.source or "fill-in-source")}
            quote: {_text(details.quote or "Fill in: the passage, copied verbatim from the source.")}
"""


def actor_text(record_id: str, details: Details) -> str:
    return f"""\
{schema_comment("actors")}
name: {_text(details.name or _default_name(record_id))}
kind: {_value(details.kind or "other")}
aliases: []
description: "Fill in: one or two neutral sentences."
"""


def place_text(record_id: str, details: Details) -> str:
    parent = f"parent: {_value(details.parent)}\n" if details.parent else ""
    return f"""\
{schema_comment("places")}
name: {_text(details.name or _default_name(record_id))}
kind: {_value(details.kind or "other")}
aliases: []
{parent}"""


def source_text(body: str, details: Details) -> str:
    """A source file: front matter with the body's hash, then the body exactly as given."""
    title = details.name or next((line.strip() for line in body.splitlines() if line.strip()), "")
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    provenance = f"provenance: {_text(details.provenance)}\n" if details.provenance else ""
    return (
        f"---\n{schema_comment('sources')}\n"
        f"title: {_text(title)}\n"
        f"outlet: {UNKNOWN}\n"
        f"author: {UNKNOWN}\n"
        f"published: {UNKNOWN}\n"
        f"url: {_text(details.url) if details.url else UNKNOWN}\n"
        f"language: {_value(details.language)}\n"
        f"kind: {_value(details.kind or 'other')}\n"
        f"retrieved: {_value(details.retrieved or date.today().isoformat())}\n"
        f"sha256: {body_hash(body)}\n"
        f"{provenance}"
        f"---\n{body}\n"
    )


def create(project: Project, kind: str, record_id: str, details: Details, text: str | None = None) -> Path:
    """Write a new fact file and return its path; never overwrite one."""
    try:
        check_slug(record_id)
    except ValueError as error:
        raise ScaffoldError(str(error)) from None
    path = path_for(project, kind, record_id)
    if path.exists() or path.is_symlink():
        raise ScaffoldError(f"{project.relative(path)} already exists: edit it, or choose another id")
    if kind == "source":
        if text is None or not text.strip():
            raise ScaffoldError("the source text is empty: give the archived text as a file or on standard input")
        # The loader drops one final newline from the body; so does the hash.
        # Line endings as the loader reads them (CRLF and CR as LF), so the hash is the one it checks.
        text = normalise_newlines(text)
        content = source_text(text[:-1] if text.endswith("\n") else text, details)
    else:
        content = {"incident": incident_text, "actor": actor_text, "place": place_text}[kind](record_id, details)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="") as file:  # "x": fail rather than overwrite, even in a race
        file.write(content)
    return path
