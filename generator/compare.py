"""What changed between two versions of the facts, as typed changes; no wording here.

Records are paired by id, then removed and added records of one kind are paired as
renames (same content first, then similar content, in bounded time). Each pair of
records is compared by walking its models, in the shape of openstates'
``compute_merge``: special cases first (a date is one change, a question's status,
citations), then lists of sub-records matched by their key (``id``, or the field that
refers to another record), nested models and plain values; so a field nobody has
thought of is still reported, as a plain field change. ``generator.diff`` words the
result.
"""

from __future__ import annotations

import copy
import hashlib
import heapq
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from generator.index import question_status
from generator.load import Loaded
from generator.models import KINDS, Citation, Question, Source, When
from generator.pipeline import Validation
from generator.problems import Problem
from generator.walk import records, reference_fields, references
from generator.yamlload import Loc

ChangeKind = Literal["field-changed", "item-added", "item-removed", "status-changed", "date-changed"]
RecordStatus = Literal["added", "removed", "renamed", "changed", "unreadable"]

# Rename pairing: records are compared on sketches of their first characters, so the
# cost of pairing grows with the number of records, never with their size.
SIMILARITY_PREFIX = 4096  # characters of a record's content that its sketch is made from
SKETCH_SIZE = 64  # the smallest shingle hashes kept per record
MAX_POSTINGS = 50  # a shingle shared by more records than this says nothing about any pair
MAX_CANDIDATES = 20  # records scored as renames of one removed record, at most
RENAME_SIMILARITY = 0.5  # estimated resemblance of word pairs at which a new record is a renamed old one


@dataclass(frozen=True)
class Key:
    """A step of a path into a list of sub-records: the entry whose key (id, or referred record) is ``value``."""

    value: str


Path = tuple[str | Key, ...]


@dataclass(frozen=True)
class Change:
    """One change inside a record.

    ``path`` leads to the field that changed (``field-changed``, ``date-changed``), to
    the list an item was added to or removed from (``item-*``: the item is ``new`` or
    ``old``), or to the question whose status changed. ``owner`` is the sub-record
    that holds it (from the new side, or the old one when it is gone), for wording.
    """

    kind: ChangeKind
    path: Path
    old: Any = None
    new: Any = None
    owner: BaseModel | None = None
    refers_to: str | None = None  # the kind of record the field or list refers to, if it does

    @property
    def shape(self) -> str:
        """The path's field names: 'questions.claims.text'."""
        return ".".join(step for step in self.path if isinstance(step, str))

    @property
    def field(self) -> str:
        return next((step for step in reversed(self.path) if isinstance(step, str)), "")

    @property
    def container(self) -> tuple[str, str | None] | None:
        """What holds the changed field or list: a list entry (list field, its key), a nested model
        (its field, None), or None for the record itself."""
        steps = self.path if self.kind == "status-changed" else self.path[:-1]
        if not steps:
            return None
        last = steps[-1]
        if isinstance(last, Key):
            before = steps[-2] if len(steps) >= 2 and isinstance(steps[-2], str) else ""
            return before, last.value
        return last, None


@dataclass
class Side:
    """One side of the comparison: its files as bytes and its loaded, checked corpus."""

    label: str
    files: dict[str, bytes]
    validation: Validation

    def records(self, kind: str) -> dict[str, Loaded[Any]]:
        return self.validation.corpus.of_kind(kind)

    def sources(self) -> dict[str, Source]:
        return {source_id: loaded.record for source_id, loaded in self.records("sources").items()}


@dataclass
class RecordChange:
    """One record added, removed, renamed, changed or no longer readable, with its changes."""

    kind: str
    status: RecordStatus
    id: str
    old_id: str | None = None
    old: Loaded[Any] | None = None
    new: Loaded[Any] | None = None
    changes: list[Change] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # files whose references follow a rename


@dataclass
class Comparison:
    """Everything that changed between two sides, and the checks on the head side."""

    base: Side
    head: Side
    records: list[RecordChange]
    problems: list[Problem]  # in the changed files, or new elsewhere
    other_problems: int  # elsewhere, and there before


# Renames


def content_text(loaded: Loaded[Any]) -> str:
    """A record's content without its id, as canonical text (and a source's archived text)."""
    dump = loaded.record.model_dump(mode="json", exclude_defaults=True, exclude={"id"})
    return json.dumps(dump, sort_keys=True, ensure_ascii=False) + "\n" + loaded.body


def _sketch(text: str) -> frozenset[int]:
    """The smallest hashes of the word pairs of a bounded prefix (a bottom-k MinHash sketch)."""
    words = re.findall(r"\w+", text[:SIMILARITY_PREFIX].casefold())
    shingles = {" ".join(words[i : i + 2]) for i in range(max(1, len(words) - 1))}
    hashes = {int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles}
    return frozenset(heapq.nsmallest(SKETCH_SIZE, hashes))


def resemblance(a: frozenset[int], b: frozenset[int]) -> float:
    """Estimated Jaccard resemblance of two sketches (exact when both are smaller than the sketch size)."""
    union = sorted(a | b)[:SKETCH_SIZE]
    if not union:
        return 1.0
    return sum(1 for value in union if value in a and value in b) / len(union)


def pair_renames(removed: dict[str, Loaded[Any]], added: dict[str, Loaded[Any]]) -> list[tuple[str, str]]:
    """Pairs (old id, new id) of records that are one record under a new id.

    Identical content pairs first. The rest are scored on sketches, and only against
    the few added records that share sketch values with them: linear in the number of
    records, and bounded by the sketch and prefix sizes whatever the records' size.
    """
    pairs: list[tuple[str, str]] = []
    by_hash: dict[str, list[str]] = {}
    for new_id in sorted(added):
        by_hash.setdefault(hashlib.sha256(content_text(added[new_id]).encode()).hexdigest(), []).append(new_id)
    left_old: list[str] = []
    for old_id in sorted(removed):
        bucket = by_hash.get(hashlib.sha256(content_text(removed[old_id]).encode()).hexdigest())
        if bucket:
            pairs.append((old_id, bucket.pop(0)))
        else:
            left_old.append(old_id)
    taken_new = {new_id for _, new_id in pairs}
    left_new = [new_id for new_id in sorted(added) if new_id not in taken_new]
    if not left_old or not left_new:
        return pairs
    sketches = {new_id: _sketch(content_text(added[new_id])) for new_id in left_new}
    postings: dict[int, list[str]] = {}
    for new_id, sketch in sketches.items():
        for value in sketch:
            postings.setdefault(value, []).append(new_id)
    scored: list[tuple[float, str, str]] = []
    for old_id in left_old:
        sketch = _sketch(content_text(removed[old_id]))
        shared: Counter[str] = Counter()
        for value in sketch:
            posting = postings.get(value, [])
            if len(posting) <= MAX_POSTINGS:
                shared.update(posting)
        for new_id, _ in shared.most_common(MAX_CANDIDATES):
            score = resemblance(sketch, sketches[new_id])
            if score >= RENAME_SIMILARITY:
                scored.append((-score, old_id, new_id))
    taken_old: set[str] = set()
    for _, old_id, new_id in sorted(scored):
        if old_id not in taken_old and new_id not in taken_new:
            pairs.append((old_id, new_id))
            taken_old.add(old_id)
            taken_new.add(new_id)
    return sorted(pairs)


def follow_renames(record: BaseModel, renames: dict[str, dict[str, str]]) -> BaseModel:
    """A copy of a record whose references to renamed records point at their new ids."""
    moved = [ref for ref in references(record) if ref.target in renames.get(ref.kind, {})]
    if not moved:
        return record
    copied = copy.deepcopy(record)
    for ref in moved:
        holder: Any = copied
        for step in ref.loc[:-1]:
            holder = holder[step] if isinstance(step, int) or isinstance(holder, dict) else getattr(holder, step)
        last = ref.loc[-1]
        new_id = renames[ref.kind][ref.target]
        if isinstance(last, int) or isinstance(holder, dict):
            holder[last] = new_id
        else:
            setattr(holder, last, new_id)
    return copied


# Comparing two versions of one record


def _key(item: BaseModel) -> str | None:
    """What identifies a sub-record in its list: its id, or else the record it refers to."""
    model = type(item)
    if "id" in model.model_fields and isinstance(getattr(item, "id", None), str):
        return str(item.id)  # type: ignore[attr-defined]
    for name in reference_fields(model):
        value = getattr(item, name)
        if isinstance(value, str):
            return value
    return None


class _Comparer:
    def __init__(self, before: Side, after: Side, renames: dict[str, dict[str, str]]) -> None:
        self.renames = renames
        self.sources_before = before.sources()
        self.sources_after = after.sources()

    def record(self, old: Loaded[Any], new: Loaded[Any]) -> list[Change]:
        changes = self.models(follow_renames(old.record, self.renames), new.record, ())
        changes += self.statuses(old.record, new.record, changes)
        if old.body != new.body:
            changes.append(Change("field-changed", ("body",), old.body, new.body, new.record))
        return changes

    def models(self, old: BaseModel, new: BaseModel, path: Path) -> list[Change]:
        changes: list[Change] = []
        refers = reference_fields(type(new))
        for name in type(new).model_fields:
            if name == "id" and not path:
                continue  # a record's id is its file name: a new id is a rename
            a, b = getattr(old, name), getattr(new, name)
            if a == b:
                continue
            at = (*path, name)
            if isinstance(a, When) and isinstance(b, When):
                changes += self.date(a, b, at, new)
            elif isinstance(a, list) and isinstance(b, list):
                changes += self.lists(a, b, at, new, refers.get(name))
            elif isinstance(a, BaseModel) and isinstance(b, BaseModel) and type(a) is type(b):
                changes += self.models(a, b, at)
            elif isinstance(a, dict) and isinstance(b, dict):  # notes: one change per key
                changes += [
                    Change("field-changed", (*at, key), a.get(key), b.get(key), new)
                    for key in [*b, *(k for k in a if k not in b)]
                    if a.get(key) != b.get(key)
                ]
            else:
                changes.append(Change("field-changed", at, a, b, new, refers.get(name)))
        if isinstance(old, Question) and isinstance(new, Question):
            was = question_status(old, self.sources_before).value
            now = question_status(new, self.sources_after).value
            if was != now:
                changes.append(Change("status-changed", path, was, now, new))
        return changes

    def date(self, old: When, new: When, path: Path, owner: BaseModel) -> list[Change]:
        """A date is one change, whichever of its parts changed; its note is another."""
        changes = []
        if old.model_dump(exclude={"note"}) != new.model_dump(exclude={"note"}):
            changes.append(Change("date-changed", path, old, new, owner))
        if old.note != new.note:
            changes.append(Change("field-changed", (*path, "note"), old.note, new.note, new))
        return changes

    def lists(self, old: list[Any], new: list[Any], path: Path, owner: BaseModel, refers: str | None) -> list[Change]:
        if not all(isinstance(item, BaseModel) for item in [*old, *new]) or any(
            isinstance(item, Citation) for item in [*old, *new]
        ):
            # Plain values, and citations: each is whole, added or removed (reordering is no change).
            return [Change("item-added", path, None, item, owner, refers) for item in new if item not in old] + [
                Change("item-removed", path, item, None, owner, refers) for item in old if item not in new
            ]
        remaining = list(old)
        partner: dict[int, BaseModel | None] = {}
        for position, item in enumerate(new):  # unchanged entries first, wherever they moved
            if item in remaining:
                remaining.remove(item)
                partner[position] = item
        for position, item in enumerate(new):  # then changed entries, by key, in order
            if position in partner:
                continue
            key = _key(item)
            match = next((o for o in remaining if key is not None and _key(o) == key), None)
            if match is not None:
                remaining.remove(match)
            partner[position] = match
        changes: list[Change] = []
        for position, item in enumerate(new):
            was = partner[position]
            if was is None:
                changes.append(Change("item-added", path, None, item, owner, refers))
            elif was != item:
                changes += self.models(was, item, (*path, Key(_key(item) or str(position))))
        changes += [Change("item-removed", path, item, None, owner, refers) for item in remaining]
        return changes

    def statuses(self, old: BaseModel, new: BaseModel, found: list[Change]) -> list[Change]:
        """Status changes of questions whose own content did not change (a source's outlet did)."""
        shown = {change.path for change in found if change.kind == "status-changed"}
        before = {_path(old, loc): part for loc, part in records(old) if isinstance(part, Question)}
        changes = []
        for loc, question in records(new):
            if not isinstance(question, Question):
                continue
            path = _path(new, loc)
            was_question = before.get(path)
            if was_question is None or path in shown:
                continue
            was = question_status(was_question, self.sources_before).value
            now = question_status(question, self.sources_after).value
            if was != now:
                changes.append(Change("status-changed", path, was, now, question))
        return changes


def _path(record: BaseModel, loc: Loc) -> Path:
    """A location with each list position replaced by the key of the entry there."""
    path: list[str | Key] = []
    holder: Any = record
    for step in loc:
        if isinstance(step, int):
            holder = holder[step]
            key = _key(holder) if isinstance(holder, BaseModel) else None
            path.append(Key(key if key is not None else str(step)))
        else:
            holder = holder[step] if isinstance(holder, dict) else getattr(holder, step)
            path.append(step)
    return tuple(path)


def compare_records(before: Side, after: Side, old: Loaded[Any], new: Loaded[Any]) -> list[Change]:
    """The changes from one version of a record to another (no renames followed)."""
    return _Comparer(before, after, {}).record(old, new)


def compare(before: Side, after: Side) -> Comparison:
    """What changed from ``before`` to ``after``, record by record."""
    renames: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        old, new = before.records(kind), after.records(kind)
        removed = {i: r for i, r in old.items() if i not in new}
        added = {i: r for i, r in new.items() if i not in old}
        renames[kind] = dict(pair_renames(removed, added))
    comparer = _Comparer(before, after, renames)
    changes: list[RecordChange] = []
    for kind in KINDS:
        old, new = before.records(kind), after.records(kind)
        renamed_to = set(renames[kind].values())
        for old_id, new_id in renames[kind].items():
            change = RecordChange(kind, "renamed", new_id, old_id, old[old_id], new[new_id])
            change.changes = comparer.record(old[old_id], new[new_id])
            change.references = _followed(before, after, renames, kind, old_id, new_id)
            changes.append(change)
        for record_id, loaded in new.items():
            if record_id not in old and record_id not in renamed_to:
                changes.append(RecordChange(kind, "added", record_id, new=loaded))
        for record_id, loaded in old.items():
            if record_id in new or record_id in renames[kind]:
                continue
            status: RecordStatus = "unreadable" if loaded.path in after.files else "removed"
            changes.append(RecordChange(kind, status, record_id, old=loaded))
        for record_id in sorted(old.keys() & new.keys()):
            found = comparer.record(old[record_id], new[record_id])
            if found:
                changes.append(RecordChange(kind, "changed", record_id, None, old[record_id], new[record_id], found))
    order = list(KINDS)
    changes.sort(key=lambda c: (order.index(c.kind), c.id))

    changed_files = {path for path, content in after.files.items() if before.files.get(path) != content}
    known = {(p.path, p.severity, p.message) for p in before.validation.problems}
    shown, others = [], 0
    for problem in after.validation.problems:
        if problem.path in changed_files or (problem.path, problem.severity, problem.message) not in known:
            shown.append(problem)
        else:
            others += 1
    return Comparison(before, after, changes, shown, others)


def _followed(
    before: Side, after: Side, renames: dict[str, dict[str, str]], kind: str, old_id: str, new_id: str
) -> list[str]:
    """Files that referred to a record under its old id and now refer to it under its new one."""
    files = []
    for other_kind in KINDS:
        back = {new: old for old, new in renames[other_kind].items()}
        for loaded in after.records(other_kind).values():
            counterpart = before.records(other_kind).get(back.get(loaded.id, loaded.id))
            if counterpart is None:
                continue
            was = any(ref.kind == kind and ref.target == old_id for ref in references(counterpart.record))
            now = any(ref.kind == kind and ref.target == new_id for ref in references(loaded.record))
            if was and now:
                files.append(loaded.path)
    return sorted(files)
