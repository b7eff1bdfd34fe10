"""What a change to the facts means, for a reviewer: records, claims, citations, statuses.

Both sides are read straight from git (``git ls-tree`` and ``git cat-file``) into a
temporary folder and loaded with the normal loader; the head side can also be the
working tree. Nothing here depends on a pull request: the same summary works on a
clean clone, in a shallow CI checkout (given the commits it compares) and locally.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator import models
from generator.dates import DateError, describe_duration, parse_date, parse_duration
from generator.index import question_status
from generator.load import Loaded
from generator.models import KINDS, Citation, Incident, Question, When
from generator.pipeline import Validation, validate
from generator.problems import Problem
from generator.project import CONFIG_FILE, FACTS_DIR, Project
from generator.walk import reference_fields

KIND_ORDER = tuple(KINDS)
HEADINGS = {kind.folder: kind.heading for kind in KINDS.values()}
# Field names that hold the id of another record, and the kind of that record.
REFERENCE_FIELDS = {
    name: kind
    for model in vars(models).values()
    if isinstance(model, type) and issubclass(model, models.Record)
    for name, kind in reference_fields(model).items()
}
RENAME_SIMILARITY = 0.8
WORKING_TREE = "the working tree"


class DiffError(Exception):
    """The trees to compare cannot be read (not a git repository, unknown commit, …)."""


# Reading the two sides


@dataclass
class Tree:
    """One side of the comparison: its fact files as bytes and its loaded, checked corpus."""

    label: str
    files: dict[str, bytes]  # path relative to the project root → content
    validation: Validation

    def records(self, kind: str) -> dict[str, Loaded[Any]]:
        return self.validation.corpus.of_kind(kind)


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise DiffError("git is not installed: factsheet diff reads both sides from git") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(f"git {args[0]} failed: {message[-1] if message else 'no message'}")
    return result.stdout


def _commit(root: Path, rev: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}").decode().strip()
    except DiffError:
        raise DiffError(
            f"'{rev}' is not a commit in this repository; in a shallow clone, fetch it first "
            "(git fetch --depth=1 origin COMMIT, or check out with fetch-depth: 0)"
        ) from None


def default_base(root: Path, main_branch: str) -> tuple[str, str]:
    """The merge base of HEAD with the main branch (preferring ``origin/<main>``), and how to name it."""
    for ref in (f"origin/{main_branch}", main_branch):
        if (
            subprocess.run(
                [
                    "git",
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    f"refs/remotes/{ref}" if ref.startswith("origin/") else f"refs/heads/{ref}",
                ],
                cwd=root,
                capture_output=True,
                check=False,
            ).returncode
            == 0
        ):
            try:
                base = _git(root, "merge-base", "HEAD", ref).decode().strip()
            except DiffError:
                raise DiffError(
                    f"HEAD and {ref} have no common commit here; in a shallow clone fetch their history "
                    "(git fetch --unshallow, or check out with fetch-depth: 0), or pass BASE"
                ) from None
            return base, f"merge base with `{ref}`"
    raise DiffError(f"no branch '{main_branch}' or 'origin/{main_branch}' to compare with: fetch it, or pass BASE")


def _files_at(root: Path, commit: str) -> tuple[dict[str, bytes], bytes | None]:
    """The fact files of a commit (relative to the project) and its mkdocs.yml, read from git."""
    prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    listing = _git(
        root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", f"{prefix}{FACTS_DIR}", f"{prefix}{CONFIG_FILE}"
    )
    entries = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, raw_path = item.split(b"\t", 1)
        mode, kind, sha = meta.decode().split()
        if kind == "blob":
            entries.append((mode, sha, raw_path.decode("utf-8", "surrogateescape")[len(prefix) :]))
    blobs = _cat_files([sha for _, sha, _ in entries], root)
    files: dict[str, bytes] = {}
    config = None
    for mode, sha, path in entries:
        if path == CONFIG_FILE:
            config = blobs[sha]
        elif mode == "120000":
            files[path] = b"symlink:" + blobs[sha]  # the loader refuses links; keep one for it to refuse
        else:
            files[path] = blobs[sha]
    return files, config


def _cat_files(shas: list[str], root: Path) -> dict[str, bytes]:
    if not shas:
        return {}
    output = _git(root, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha in shas).encode())
    blobs: dict[str, bytes] = {}
    at = 0
    while at < len(output):
        end = output.index(b"\n", at)
        sha, _, size = output[at:end].decode().split()
        start = end + 1
        blobs[sha] = output[start : start + int(size)]
        at = start + int(size) + 1
    return blobs


def _working_files(project: Project) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(project.facts_dir):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(project.root).as_posix()
            files[rel] = b"symlink:" if path.is_symlink() else path.read_bytes()
    return files


@contextmanager
def _tree_at(project: Project, commit: str, label: str) -> Iterator[Tree]:
    files, config = _files_at(project.root, commit)
    with tempfile.TemporaryDirectory(prefix="factsheet-diff-") as folder:
        root = Path(folder)
        (root / CONFIG_FILE).write_bytes(config or b"site_name: factsheet\n")
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if content.startswith(b"symlink:"):
                path.symlink_to(content[len(b"symlink:") :].decode("utf-8", "replace"))
            else:
                path.write_bytes(content)
        (root / FACTS_DIR).mkdir(exist_ok=True)
        yield Tree(label, files, validate(Project.at(root)))


@contextmanager
def _head_tree(project: Project, head: str | None) -> Iterator[Tree]:
    if head is None:
        yield Tree(WORKING_TREE, _working_files(project), validate(project))
    else:
        commit = _commit(project.root, head)
        with _tree_at(project, commit, f"`{commit[:7]}` ({head})" if head != commit else f"`{commit[:7]}`") as tree:
            yield tree


def summarise(project: Project, base: str | None = None, head: str | None = None, main_branch: str = "main") -> str:
    """The Markdown summary of what changed in the facts between two commits (or a commit and the working tree)."""
    _git(project.root, "rev-parse", "--git-dir")
    if base is None:
        commit, how = default_base(project.root, main_branch)
        label = f"`{commit[:7]}` ({how})"
    else:
        commit = _commit(project.root, base)
        label = f"`{commit[:7]}` ({base})" if base != commit else f"`{commit[:7]}`"
    with _tree_at(project, commit, label) as before, _head_tree(project, head) as after:
        return render(compare(before, after))


# Comparing


@dataclass
class RecordChange:
    """One record added, removed, renamed or changed, with what changed in words."""

    kind: str
    status: str  # added | removed | renamed | changed | unreadable
    id: str
    old_id: str | None = None
    title: str = ""
    details: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # files whose references follow a rename


@dataclass
class Comparison:
    """Everything that changed between two trees, and the checks on the head tree."""

    base: str
    head: str
    changes: list[RecordChange]
    problems: list[Problem]  # in the changed files, or new elsewhere
    other_problems: int  # elsewhere, and there before


def _dump(record: BaseModel) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude_defaults=True, exclude={"id"})


def _rewrite(value: Any, renames: dict[str, dict[str, str]], key: str | None = None) -> Any:
    """A dumped record with every reference to a renamed record pointing at its new id."""
    if isinstance(value, dict):
        return {k: _rewrite(v, renames, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, renames) for item in value]
    if key in REFERENCE_FIELDS and isinstance(value, str):
        return renames.get(REFERENCE_FIELDS[key], {}).get(value, value)
    return value


def _refers_to(value: Any, kind: str, record_id: str, key: str | None = None) -> bool:
    if isinstance(value, dict):
        return any(_refers_to(v, kind, record_id, k) for k, v in value.items())
    if isinstance(value, list):
        return any(_refers_to(item, kind, record_id) for item in value)
    return key in REFERENCE_FIELDS and REFERENCE_FIELDS[key] == kind and value == record_id


def _fingerprint(loaded: Loaded[Any]) -> str:
    return json.dumps({"record": _dump(loaded.record), "body": loaded.body}, sort_keys=True, ensure_ascii=False)


def _pair_renames(removed: dict[str, Loaded[Any]], added: dict[str, Loaded[Any]]) -> list[tuple[str, str]]:
    """Pairs (old id, new id) of records that are the same record under a new id."""
    scored = []
    for old_id, old in removed.items():
        for new_id, new in added.items():
            a, b = _fingerprint(old), _fingerprint(new)
            score = 1.0 if a == b else difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
            if score >= RENAME_SIMILARITY:
                scored.append((-score, old_id, new_id))
    pairs = []
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    for _, old_id, new_id in sorted(scored):
        if old_id not in taken_old and new_id not in taken_new:
            pairs.append((old_id, new_id))
            taken_old.add(old_id)
            taken_new.add(new_id)
    return pairs


def compare(before: Tree, after: Tree) -> Comparison:
    """What changed from ``before`` to ``after``, record by record."""
    changes: list[RecordChange] = []
    renames: dict[str, dict[str, str]] = {kind: {} for kind in KIND_ORDER}
    added: dict[str, dict[str, Loaded[Any]]] = {}
    removed: dict[str, dict[str, Loaded[Any]]] = {}
    for kind in KIND_ORDER:
        old, new = before.records(kind), after.records(kind)
        added[kind] = {i: r for i, r in new.items() if i not in old}
        removed[kind] = {i: r for i, r in old.items() if i not in new}
        for old_id, new_id in _pair_renames(removed[kind], added[kind]):
            renames[kind][old_id] = new_id
    described = _Describer(before, after)
    for kind in KIND_ORDER:
        old, new = before.records(kind), after.records(kind)
        for old_id, new_id in renames[kind].items():
            change = RecordChange(kind, "renamed", new_id, old_id, described.title(new[new_id]))
            change.details = described.changes(kind, old[old_id], new[new_id], renames)
            change.references = sorted(
                loaded.path
                for other_kind in KIND_ORDER
                for loaded in after.records(other_kind).values()
                if (counterpart := _counterpart(before, other_kind, loaded.id, renames))
                and _refers_to(_dump(counterpart.record), kind, old_id)
                and _refers_to(_dump(loaded.record), kind, new_id)
            )
            changes.append(change)
        for new_id, loaded in added[kind].items():
            if new_id not in renames[kind].values():
                changes.append(
                    RecordChange(kind, "added", new_id, None, described.title(loaded), described.created(kind, loaded))
                )
        for old_id, loaded in removed[kind].items():
            if old_id in renames[kind]:
                continue
            if loaded.path in after.files:
                changes.append(RecordChange(kind, "unreadable", old_id, None, described.title(loaded)))
            else:
                changes.append(RecordChange(kind, "removed", old_id, None, described.title(loaded)))
        for record_id in sorted(set(old) & set(new)):
            details = described.changes(kind, old[record_id], new[record_id], renames)
            if details:
                changes.append(RecordChange(kind, "changed", record_id, None, described.title(new[record_id]), details))
    changes.sort(key=lambda c: (KIND_ORDER.index(c.kind), c.id))

    changed_files = {path for path, content in after.files.items() if before.files.get(path) != content}
    known = {(p.path, p.severity, p.message) for p in before.validation.problems}
    shown, others = [], 0
    for problem in after.validation.problems:
        if problem.path in changed_files or (problem.path, problem.severity, problem.message) not in known:
            shown.append(problem)
        else:
            others += 1
    return Comparison(before.label, after.label, changes, shown, others)


def _counterpart(before: Tree, kind: str, record_id: str, renames: dict[str, dict[str, str]]) -> Loaded[Any] | None:
    old_ids = {new: old for old, new in renames[kind].items()}
    return before.records(kind).get(old_ids.get(record_id, record_id))


def _text(value: str) -> str:
    """Fact text quoted for Markdown: one line, no formatting, no @mentions."""
    flat = " ".join(value.split())
    for char in "\\`*_[]<>":
        flat = flat.replace(char, "\\" + char)
    # A zero-width space after '@' keeps a quoted handle from notifying a GitHub user.
    return '"' + flat.replace("@", "@\u200b") + '"'


def _roles(roles: list[str]) -> str:
    return " and ".join(role.replace("-", " ") for role in roles)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class _Describer:
    """Puts changes into words, with names and statuses from the side each belongs to."""

    def __init__(self, before: Tree, after: Tree) -> None:
        self.before = before
        self.after = after
        self.sources_before = {i: s.record for i, s in before.records("sources").items()}
        self.sources_after = {i: s.record for i, s in after.records("sources").items()}

    def title(self, loaded: Loaded[Any]) -> str:
        record = loaded.record
        return str(getattr(record, "title", None) or getattr(record, "name", None) or "")

    def name(self, tree: Tree, kind: str, record_id: str) -> str:
        loaded = tree.records(kind).get(record_id)
        title = self.title(loaded) if loaded else ""
        return f"`{record_id}` ({_text(title)})" if title else f"`{record_id}`"

    def when(self, when: When) -> str:
        words = []
        if when.date:
            try:
                words.append(parse_date(when.date).describe())
            except DateError:
                words.append(when.date)
        if when.part_of_day:
            words.append(when.part_of_day)
        if when.relative_to and when.within:
            words.append(
                f"within {describe_duration(parse_duration(when.within))} {when.relation} `{when.relative_to}`"
            )
        return ", ".join(words)

    def status(self, question: Question, sources: dict[str, Any]) -> str:
        return question_status(question, sources).value.replace("-", " ")

    # Added records

    def created(self, kind: str, loaded: Loaded[Any]) -> list[str]:
        record = loaded.record
        if kind == "incidents":
            lines = [
                f"{self.when(record.when)}, at {self.name(self.after, 'places', record.place)}; "
                f"{record.type.replace('-', ' ')}"
            ]
            for question in record.questions:
                lines.append(
                    f"Question {_text(question.label)} (`{question.id}`): {_plural(len(question.claims), 'claim')}, "
                    f"{self.status(question, self.sources_after)}"
                )
            return lines
        if kind == "sources":
            return [f"published by `{record.outlet}`, {record.published}; {record.kind.replace('-', ' ')}"]
        return [str(record.kind).replace("-", " ")]

    # Changed records

    def changes(self, kind: str, old: Loaded[Any], new: Loaded[Any], renames: dict[str, dict[str, str]]) -> list[str]:
        before = _rewrite(_dump(old.record), renames)
        after = _dump(new.record)
        lines: list[str] = []
        if kind == "incidents":
            lines = self.incident(Incident.model_validate_json(json.dumps(before)), new.record)
        else:
            lines = self.fields(before, after)
        if kind == "sources" and old.body != new.body:
            lines.append("Archived text changed (a source's text should not change after it is archived)")
        return lines

    def fields(self, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        lines = []
        for key in [*after, *(k for k in before if k not in after)]:
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            if isinstance(old, str | None) and isinstance(new, str | None) and (old or new):
                if old is None:
                    lines.append(f"`{key}` set to {_text(new or '')}")
                elif new is None:
                    lines.append(f"`{key}` removed (was {_text(old)})")
                else:
                    lines.append(f"`{key}` changed: {_text(old)} → {_text(new)}")
            elif isinstance(old, list | None) and isinstance(new, list | None):
                old_items = [json.dumps(i, sort_keys=True) for i in old or []]
                new_items = [json.dumps(i, sort_keys=True) for i in new or []]
                gone = [i for i in old_items if i not in new_items]
                came = [i for i in new_items if i not in old_items]
                for item in came:
                    lines.append(f"`{key}`: added {self.item(json.loads(item))}")
                for item in gone:
                    lines.append(f"`{key}`: removed {self.item(json.loads(item))}")
            else:
                lines.append(f"`{key}` changed")
        return lines

    def item(self, value: Any) -> str:
        if isinstance(value, str):
            return _text(value)
        if isinstance(value, dict):
            parts = [
                f"{k} `{v}`" if k in REFERENCE_FIELDS else f"{k} {_text(str(v))}"
                for k, v in value.items()
                if k != "citations"
            ]
            return ", ".join(parts)
        return _text(json.dumps(value))

    def incident(self, old: Incident, new: Incident) -> list[str]:
        lines: list[str] = []
        if old.title != new.title:
            lines.append(f"Title changed: {_text(old.title)} → {_text(new.title)}")
        if old.summary != new.summary:
            lines.append(f"Summary changed: {_text(old.summary or '')} → {_text(new.summary or '')}")
        if (old.when.date, old.when.part_of_day, old.when.relative_to, old.when.relation, old.when.within) != (
            new.when.date,
            new.when.part_of_day,
            new.when.relative_to,
            new.when.relation,
            new.when.within,
        ):
            lines.append(f"Date changed: {self.when(old.when)} → {self.when(new.when)}")
        if old.when.note != new.when.note:
            lines.append(f"Date note changed: {_text(old.when.note or '')} → {_text(new.when.note or '')}")
        if old.place != new.place:
            lines.append(
                f"Place changed: {self.name(self.before, 'places', old.place)} → "
                f"{self.name(self.after, 'places', new.place)}"
            )
        if old.type != new.type:
            lines.append(f"Type changed: {old.type.replace('-', ' ')} → {new.type.replace('-', ' ')}")
        lines += self.actors(old, new)
        old_related = {(r.incident, r.relation): r for r in old.related}
        new_related = {(r.incident, r.relation): r for r in new.related}
        for incident, relation in sorted(new_related.keys() - old_related.keys()):
            lines.append(f"Link added: {relation.replace('-', ' ')} {self.name(self.after, 'incidents', incident)}")
        for incident, relation in sorted(old_related.keys() - new_related.keys()):
            lines.append(f"Link removed: {relation.replace('-', ' ')} {self.name(self.before, 'incidents', incident)}")
        added_tags = [t for t in new.tags if t not in old.tags]
        dropped_tags = [t for t in old.tags if t not in new.tags]
        if added_tags:
            lines.append("Tags added: " + ", ".join(f"`{t}`" for t in added_tags))
        if dropped_tags:
            lines.append("Tags removed: " + ", ".join(f"`{t}`" for t in dropped_tags))
        old_questions = {q.id: q for q in old.questions}
        for question in new.questions:
            if question.id in old_questions:
                lines += self.question(old_questions[question.id], question)
            else:
                lines.append(
                    f"Question added: {_text(question.label)} (`{question.id}`), "
                    f"{_plural(len(question.claims), 'claim')}, {self.status(question, self.sources_after)}"
                )
                lines += [f"Claim `{c.id}` added: {_text(c.text)} ({self.cited(c.citations)})" for c in question.claims]
        new_ids = {q.id for q in new.questions}
        for question in old.questions:
            if question.id not in new_ids:
                lines.append(
                    f"Question removed: {_text(question.label)} (`{question.id}`) "
                    f"and its {_plural(len(question.claims), 'claim')}"
                )
        return lines

    def actors(self, old: Incident, new: Incident) -> list[str]:
        lines = []
        old_roles: dict[str, list[str]] = {}
        new_roles: dict[str, list[str]] = {}
        for entry in old.actors:
            old_roles.setdefault(entry.actor, []).append(entry.role)
        for entry in new.actors:
            new_roles.setdefault(entry.actor, []).append(entry.role)
        for actor, roles in new_roles.items():
            if actor not in old_roles:
                lines.append(f"Actor added: {self.name(self.after, 'actors', actor)} as {_roles(roles)}")
            elif sorted(old_roles[actor]) != sorted(roles):
                lines.append(f"Role of `{actor}` changed: {_roles(old_roles[actor])} → {_roles(roles)}")
        for actor, roles in old_roles.items():
            if actor not in new_roles:
                lines.append(f"Actor removed: {self.name(self.before, 'actors', actor)} (was {_roles(roles)})")
        old_entries = {(a.actor, a.role): a for a in old.actors}
        for entry in new.actors:
            if (entry.actor, entry.role) in old_entries:
                was = old_entries[(entry.actor, entry.role)]
                lines += self.citations(f"the role of `{entry.actor}`", was.citations, entry.citations)
        return lines

    def cited(self, citations: list[Citation]) -> str:
        return "cites " + ", ".join(f"`{c.source}`" for c in citations)

    def question(self, old: Question, new: Question) -> list[str]:
        lines = []
        where = f"(`{new.id}`)"
        if old.label != new.label:
            lines.append(f"Question `{new.id}` reworded: {_text(old.label)} → {_text(new.label)}")
        old_claims = {c.id: c for c in old.claims}
        new_claims = {c.id: c for c in new.claims}
        for claim in new.claims:
            if claim.id not in old_claims:
                lines.append(
                    f"Claim `{claim.id}` added to {_text(new.label)}: {_text(claim.text)} "
                    f"({self.cited(claim.citations)})"
                )
                continue
            before = old_claims[claim.id]
            if before.text != claim.text:
                lines.append(f"Claim `{claim.id}` reworded: {_text(before.text)} → {_text(claim.text)}")
            lines += self.citations(f"claim `{claim.id}`", before.citations, claim.citations)
        for claim in old.claims:
            if claim.id not in new_claims:
                lines.append(f"Claim `{claim.id}` removed from {_text(old.label)}: {_text(claim.text)}")
        was = question_status(old, self.sources_before)
        now = question_status(new, self.sources_after)
        if was.value != now.value:
            lines.append(
                f"Question {_text(new.label)} {where} is now **{now.value.replace('-', ' ')}** "
                f"(was {was.value.replace('-', ' ')})"
            )
        if (old.status, old.status_reason) != (new.status, new.status_reason) and new.status is not None:
            lines.append(
                f"Status of `{new.id}` set by hand to {new.status.replace('-', ' ')}: {_text(new.status_reason or '')}"
            )
        elif old.status is not None and new.status is None:
            lines.append(f"Status of `{new.id}` is computed again (no longer set by hand)")
        return lines

    def citations(self, what: str, old: list[Citation], new: list[Citation]) -> list[str]:
        def key(c: Citation) -> str:
            return json.dumps(c.model_dump(mode="json", exclude_defaults=True), sort_keys=True)

        old_keys = {key(c) for c in old}
        new_keys = {key(c) for c in new}
        lines = []
        for citation in new:
            if key(citation) not in old_keys:
                lines.append(
                    f"Citation added to {what}: `{citation.source}`, "
                    f"{_text(citation.quote)}{self.attribution(citation)}"
                )
        for citation in old:
            if key(citation) not in new_keys:
                lines.append(f"Citation dropped from {what}: `{citation.source}`, {_text(citation.quote)}")
        return lines

    def attribution(self, citation: Citation) -> str:
        if citation.attributed_to:
            return f", attributed to {self.name(self.after, 'actors', citation.attributed_to)}"
        if citation.attribution:
            return f", attributed to {_text(citation.attribution)}"
        return ""


# Rendering

_VERBS = {
    "added": "Added",
    "removed": "Removed",
    "renamed": "Renamed",
    "changed": "Changed",
    "unreadable": "Cannot be read",
}


def render(comparison: Comparison) -> str:
    """The comparison as Markdown, for a terminal, a job summary or a pull-request comment."""
    out = ["## Changes to the facts", "", f"Comparing {comparison.base} with {comparison.head}.", ""]
    if not comparison.changes:
        out += ["No record was added, removed or changed.", ""]
    for kind in KIND_ORDER:
        changes = [c for c in comparison.changes if c.kind == kind]
        if not changes:
            continue
        out += [f"### {HEADINGS[kind]}", ""]
        for change in changes:
            title = f": {_text(change.title)}" if change.title else ""
            if change.status == "renamed":
                head = f"- **Renamed** `{change.old_id}` → `{change.id}`{title}"
            elif change.status == "unreadable":
                head = f"- **Cannot be read** `{change.id}`{title}: the file has errors (see the checks below)"
            else:
                head = f"- **{_VERBS[change.status]}** `{change.id}`{title}"
            out.append(head)
            out += [f"  - {line}" for line in change.details]
            if change.references:
                out.append("  - References updated in " + ", ".join(f"`{path}`" for path in change.references))
        out.append("")
    out += ["### Checks", ""]
    errors = sum(1 for p in comparison.problems if p.severity == "error")
    warnings = len(comparison.problems) - errors
    if comparison.problems:
        out.append(
            f"{_plural(errors, 'error')} and {_plural(warnings, 'warning')} "
            "in the changed files or caused by the change:"
        )
        out.append("")
        out += [
            f"- **{p.severity}** `{p.path}:{p.line}:{p.col}`: {_text(p.message)[1:-1]}" for p in comparison.problems
        ]
    else:
        out.append("No problems in the changed files, and none caused by the change.")
    if comparison.other_problems:
        out += [
            "",
            f"{_plural(comparison.other_problems, 'other problem')} in unchanged files "
            f"{'was' if comparison.other_problems == 1 else 'were'} there before this change.",
        ]
    out.append("")
    return "\n".join(out)
