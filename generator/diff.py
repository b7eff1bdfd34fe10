"""``factsheet diff``: what a change to the facts means, for a reviewer, in Markdown.

Three parts, one module each: :mod:`generator.gitread` reads both sides from git in
memory, :mod:`generator.compare` finds what changed as typed changes, and the template
``templates/diff.md.j2`` words them. This module joins them and gives the template
its helpers. Every text that comes from a fact file or a file name is escaped here for
Markdown and HTML, with control characters shown visibly, so that no record or file
name can hide or forge part of the summary (in a terminal or a pull-request comment).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from generator.compare import Comparison, Side, compare
from generator.dates import DateError, describe_duration, parse_date, parse_duration
from generator.gitread import GitError, default_base, files_at, git, resolve_commit, working_files
from generator.index import question_status
from generator.load import Loaded
from generator.models import KINDS, Question
from generator.pipeline import validate, validate_files
from generator.project import Project
from generator.walk import reference_fields

TEMPLATE = Path(__file__).parent / "templates"
WORKING_TREE = "the working tree"
DiffError = GitError

# Backslashed wherever fact text is printed: emphasis, code, links, HTML and entities, table cells.
# ('~' stays: EDTF dates use it, and a strikethrough can hide nothing.)
_MARKDOWN = re.compile(r"([\\`*_\[\]<>&|])")


def _visible(value: str) -> str:
    """Text on one line, with control and invisible format characters shown as their code points."""
    flat = " ".join(value.split())
    return "".join(f"⟨U+{ord(c):04X}⟩" if unicodedata.category(c) in ("Cc", "Cf") else c for c in flat)


def escape(value: Any) -> str:
    """Any value as literal Markdown text: no formatting, no HTML, no @mentions, nothing invisible."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    text = _MARKDOWN.sub(r"\\\1", _visible(str(value)))
    # A zero-width space after '@' keeps a quoted handle from notifying a GitHub user.
    return text.replace("@", "@\u200b")


def text(value: Any) -> Markup:
    """Fact text, quoted."""
    return Markup(f'"{escape(value)}"')


def code(value: Any) -> Markup:
    """A code span that shows any value literally, whatever backticks it holds."""
    shown = _visible(str(value))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", shown)), default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return Markup(f"{fence}{pad}{shown}{pad}{fence}")


def humanise(value: Any) -> str:
    return str(value).replace("-", " ")


class _Facts:
    """What the template needs to know to word a change, and nothing worded: titles, dates, statuses, fields."""

    def __init__(self, comparison: Comparison) -> None:
        self.base = comparison.base
        self.head = comparison.head

    def title(self, loaded: Loaded[Any] | None) -> str:
        record = loaded.record if loaded else None
        return str(getattr(record, "title", None) or getattr(record, "name", None) or "")

    def title_of(self, side: Side, kind: str, record_id: str) -> str:
        """A record's title or name on one side (or the other, for a reference that followed a rename)."""
        other = self.head if side is self.base else self.base
        return self.title(side.records(kind).get(record_id) or other.records(kind).get(record_id))

    def date(self, text: str) -> str:
        try:
            return parse_date(text).describe()
        except DateError:
            return text

    def duration(self, text: str) -> str:
        return describe_duration(parse_duration(text))

    def status(self, question: Question, side: Side) -> str:
        return question_status(question, side.sources()).value

    def fields(self, item: BaseModel) -> list[tuple[str, Any, str | None, bool]]:
        """(name, value, kind it refers to, whether it is a choice) of each field of a sub-record that is set."""
        refers = reference_fields(type(item))
        return [
            (name, getattr(item, name), refers.get(name), is_choice(item, name))
            for name in type(item).model_fields
            if getattr(item, name) not in (None, [], {})
        ]

    def is_choice(self, owner: BaseModel | None, field: str) -> bool:
        return owner is not None and is_choice(owner, field)

    def is_model(self, value: Any) -> bool:
        return isinstance(value, BaseModel)


def is_choice(owner: BaseModel, field: str) -> bool:
    """Whether a field takes one of a fixed set of words (a role, a kind), shown without quotes."""
    info = type(owner).model_fields.get(field)
    return info is not None and _has_literal(info.annotation)


def _has_literal(annotation: Any) -> bool:
    return get_origin(annotation) is Literal or any(_has_literal(arg) for arg in get_args(annotation))


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE),
        undefined=jinja2.StrictUndefined,
        finalize=escape,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    # Macros return plain text that their own expressions already escaped: `raw` keeps it as it is.
    env.filters.update(text=text, code=code, md=lambda value: Markup(escape(value)), humanise=humanise, raw=Markup)
    env.globals.update(kinds=list(KINDS.values()))
    return env


def render(comparison: Comparison) -> str:
    """The comparison as Markdown, for a terminal, a job summary or a pull-request comment."""
    template = _environment().get_template("diff.md.j2")
    return template.render(c=comparison, w=_Facts(comparison))


def _label(commit: str, rev: str) -> Markup:
    return Markup(f"{code(commit[:7])} ({escape(rev)})") if rev != commit else code(commit[:7])


def _side_at(project: Project, commit: str, label: Markup) -> Side:
    read = files_at(project, commit, label)
    validation = validate_files(read.files)
    validation.corpus.problems.extend(read.problems)
    return Side(label, read.files, validation)


def summarise(project: Project, base: str | None = None, head: str | None = None, main_branch: str = "main") -> str:
    """The Markdown summary of what changed in the facts between two commits (or a commit and the working tree)."""
    git(project.root, "rev-parse", "--git-dir")
    if base is None:
        commit, branch = default_base(project.root, main_branch)
        before = _side_at(project, commit, Markup(f"{code(commit[:7])} (merge base with {code(branch)})"))
    else:
        commit = resolve_commit(project.root, base)
        before = _side_at(project, commit, _label(commit, base))
    if head is None:
        after = Side(Markup(WORKING_TREE), working_files(project), validate(project))
    else:
        commit = resolve_commit(project.root, head)
        after = _side_at(project, commit, _label(commit, head))
    return render(compare(before, after))
