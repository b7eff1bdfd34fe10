"""The comparison behind `factsheet diff`, object by object, and a change to every field of every kind."""

from __future__ import annotations

import copy
import dataclasses
import types
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, Field, ValidationError

from generator import models
from generator.compare import (
    RENAME_SIMILARITY,
    Change,
    Key,
    Side,
    compare,
    compare_records,
    follow_renames,
    pair_renames,
    resemblance,
)
from generator.diff import render
from generator.load import Loaded, load_files
from generator.models import KINDS, RefersTo
from generator.pipeline import Validation, validate_files
from tests.conftest import FIXTURES, ROOT

FACT_DIRS = [FIXTURES / "facts", FIXTURES / "extensions" / "facts"]


def _files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for folder in FACT_DIRS:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                files["facts/" + path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def base() -> Side:
    files = _files()
    return Side("base", files, validate_files(files))


def _with(side: Side, kind: str, record_id: str, record: BaseModel | None, body: str | None = None) -> Side:
    """The side with one record replaced (or removed, for None), nothing reloaded."""
    corpus = side.validation.corpus
    records = dict(corpus.of_kind(kind))
    if record is None:
        del records[record_id]
    else:
        was = records.get(record_id) or next(iter(records.values()))
        records[record_id] = Loaded(record_id, f"facts/{kind}/{record_id}", record, was.document, body or was.body)
    changed = dataclasses.replace(corpus, **{kind: records})
    return Side("head", side.files, Validation(changed, side.validation.checks))


# Every field of every kind, changed in turn


def _plain(annotation: Any) -> tuple[Any, list[Any]]:
    """An annotation without Annotated and None, and the Annotated metadata."""
    extras: list[Any] = []
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *more = get_args(annotation)
            extras += more
            continue
        args = [a for a in get_args(annotation) if a is not type(None)]
        if get_origin(annotation) in (Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation, extras


def _field_type(model: type[BaseModel], name: str) -> Any:
    info = model.model_fields[name]
    return Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


def _leaves(
    model: type[BaseModel], path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], Any, type[BaseModel]]]:
    """Every field of a model, nested models and list items (item 0) included, with its type."""
    for name in model.model_fields:
        annotation, _ = _plain(_field_type(model, name))
        at = (*path, name)
        yield at, _field_type(model, name), model
        if get_origin(annotation) is list:
            item, _ = _plain(get_args(annotation)[0])
            if isinstance(item, type) and issubclass(item, BaseModel):
                yield from _leaves(item, (*at, "*"))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _leaves(annotation, at)


def _concrete(data: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """The paths in ``data`` that a path with '*' for list items stands for (the first item when none)."""
    if not path:
        yield ()
        return
    step, rest = path[0], path[1:]
    if step == "*":
        items = data if isinstance(data, list) else []
        for position in range(max(1, len(items))):
            for inner in _concrete(items[position] if position < len(items) else None, rest):
                yield (position, *inner)
    else:
        for inner in _concrete(data.get(step) if isinstance(data, dict) else None, rest):
            yield (step, *inner)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or len(data) <= step:
                return None
            data = data[step]
        else:
            if not isinstance(data, dict):
                return None
            data = data.get(step)
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    holder = data
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return data


STRINGS = [
    "2021-07-07",
    "2021-07-07T10:00+03:00",
    "PT3H",
    "P5D",
    "Asia/Dubai",
    "https://example.org/changed",
    "fr",
    "a" * 64,
    "changed-slug",
]


def _candidates(annotation: Any, current: Any, pool: dict[str, list[Any]], shape: str, side: Side) -> list[Any]:
    """Values to try instead of the current one, most likely valid first."""
    plain, extras = _plain(annotation)
    refers = next((e.kind for e in extras if isinstance(e, RefersTo)), None)
    found: list[Any] = []
    if refers is not None:
        found += [i for i in sorted(side.records(refers)) if i != current]
    if get_origin(plain) is Literal:
        found += [v for v in get_args(plain) if v != current]
    if plain is bool:
        found.append(not current)
    if plain in (int, float) and isinstance(current, int | float):
        found += [current + 1, current - 1, current / 2]
    if plain is str:
        found += ([f"{current} (changed)"] if isinstance(current, str) else []) + STRINGS
    if get_origin(plain) is list:
        item, _ = _plain(get_args(plain)[0])
        base = list(current or [])
        found += [base[1:]] if base else []  # one item fewer
        others = pool.get(shape + ".*", []) + pool.get("*." + shape.rsplit(".", 1)[-1] + ".*", [])
        found += [[*base, other] for other in others if other not in base]
        if item is str:
            found += [[*base, value] for value in ["changed-slug", "A changed alias"]]
    found += [v for v in pool.get(shape, []) if v != current]  # a value another record has here
    return found


def _pool(side: Side) -> dict[str, list[Any]]:
    """Every value each field shape takes in the records ('questions.claims.text'; 'tags.*' for items)."""
    pool: dict[str, list[Any]] = {}

    def add(shape: str, value: Any) -> None:
        if value not in pool.setdefault(shape, []):
            pool[shape].append(value)

    def walk(data: Any, shape: str) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                inner = f"{shape}.{key}" if shape else key
                add(inner, value)
                walk(value, inner)
        elif isinstance(data, list):
            for item in data:
                add(shape + ".*", item)
                add("*." + shape.rsplit(".", 1)[-1] + ".*", item)  # items of any list of that name
                walk(item, shape)

    for kind in KINDS:
        for loaded in side.records(kind).values():
            walk(loaded.record.model_dump(mode="json"), "")
    return pool


def _mutations(side: Side) -> Iterator[tuple[str, str, tuple[Any, ...], BaseModel]]:
    """(kind, id, path, changed record): one change of every field of every kind, nested ones included.

    Each field is changed in a record that has a value there (or, when none has, the
    record with the most in it), to another valid value: another record's id for a
    reference, another choice, other text, a value another record has, one list item
    fewer or more. A field no valid value can be found for fails the test.
    """
    pool = _pool(side)
    for kind, declared in KINDS.items():
        dumps = [(loaded, loaded.record.model_dump(mode="json")) for loaded in side.records(kind).values()]
        dumps.sort(key=lambda pair: -len(str(pair[0].record.model_dump(exclude_defaults=True))))
        for path, annotation, parent in _leaves(declared.model):
            if path == ("id",):
                continue  # the id is the file name: a new one is a rename, tested on its own
            spots = [(lo, d, at) for lo, d in dumps for at in _concrete(d, path)]
            having = [spot for spot in spots if _get(spot[1], spot[2]) not in (None, [])]
            holding = [spot for spot in spots if _get(spot[1], spot[2][:-1]) is not None]
            loaded, data, path = (having or holding or spots)[0]
            shape = ".".join(str(step) for step in path if not isinstance(step, int))
            if _get(data, path[:-1]) is None:
                pytest.fail(f"{kind}.{shape}: no record has an entry to change it in; add one to the fixtures")
            changed = _first_valid(declared.model, loaded.record, data, path, annotation, parent, pool, side)
            if changed is None:
                pytest.fail(f"no valid new value found for {kind}.{shape}: add a candidate to this test")
            yield kind, loaded.id, path, changed


def _first_valid(
    model: type[BaseModel],
    record: BaseModel,
    data: Any,
    path: tuple[Any, ...],
    annotation: Any,
    parent: type[BaseModel],
    pool: dict[str, list[Any]],
    side: Side,
) -> BaseModel | None:
    """The record with the field at ``path`` changed to the first valid candidate; when none is
    valid alone, with an empty sibling field set too (a status needs its reason)."""
    shape = ".".join(str(step) for step in path if not isinstance(step, int))
    candidates = _candidates(annotation, _get(data, path), pool, shape, side)

    def attempts() -> Iterator[Any]:
        for candidate in candidates:
            yield _set(data, path, candidate)
        for sibling in parent.model_fields:
            at = (*path[:-1], sibling)
            if sibling != path[-1] and _get(data, at) is None:
                sibling_shape = ".".join(str(step) for step in at if not isinstance(step, int))
                others = _candidates(_field_type(parent, sibling), None, pool, sibling_shape, side)[:5]
                yield from (_set(_set(data, path, c), at, o) for c in candidates[:5] for o in others)

    for attempt in attempts():
        try:
            changed = model.model_validate(attempt)
        except (ValidationError, KeyError, IndexError, TypeError):
            continue
        if changed != record:
            return changed
    return None


def test_a_change_to_any_field_of_any_kind_is_reported(base: Side) -> None:
    tried = 0
    for kind, record_id, path, changed in _mutations(base):
        tried += 1
        comparison = compare(base, _with(base, kind, record_id, changed))
        where = f"{kind}.{'.'.join(map(str, path))}"
        assert [(r.kind, r.id, r.status) for r in comparison.records] == [(kind, record_id, "changed")], where
        fields = [step for step in path if isinstance(step, str)]
        shapes = [change.shape.split(".") for change in comparison.records[0].changes]
        # Reported at the field, at the entry or model holding it (a date, a whole citation), or inside it (notes).
        assert any(shape and (fields[: len(shape)] == shape or shape[: len(fields)] == fields) for shape in shapes), (
            where,
            shapes,
        )
        summary = render(comparison)
        lines = [line for line in summary.splitlines() if line.startswith("  - ")]
        assert lines, (where, summary)
    assert tried > 50  # every kind's fields, nested ones included


def test_a_changed_archived_text_is_reported(base: Side) -> None:
    source = next(iter(base.records("sources").values()))
    comparison = compare(base, _with(base, "sources", source.id, source.record, source.body + " More."))
    assert [c.shape for c in comparison.records[0].changes] == ["body"]
    assert "  - Archived text changed (a source's text should not change after it is archived)" in render(comparison)


# Object-level comparison


def _incident(**changes: Any) -> models.Incident:
    data: dict[str, Any] = {
        "title": "T",
        "when": {"date": "2021-07-05"},
        "place": "iraq",
        "type": "other",
        "actors": [{"actor": "a", "role": "target"}, {"actor": "b", "role": "witness"}],
        "questions": [
            {
                "id": "q",
                "label": "Q?",
                "claims": [{"id": "c", "text": "C.", "citations": [{"source": "s", "quote": "the quoted passage"}]}],
            }
        ],
    }
    data.update(changes)
    return models.Incident.model_validate(data)


def _changes(old: BaseModel, new: BaseModel, base: Side | None = None) -> list[Change]:
    side = base or Side("s", {}, validate_files({}))
    return compare_records(side, side, Loaded("x", "x", old, None, ""), Loaded("x", "x", new, None, ""))  # type: ignore[arg-type]


def test_reordered_entries_are_no_change() -> None:
    old = _incident()
    new = _incident(actors=[{"actor": "b", "role": "witness"}, {"actor": "a", "role": "target"}], tags=[])
    assert _changes(old, new) == []


def test_entries_are_matched_by_their_key_and_compared_field_by_field() -> None:
    new = _incident(actors=[{"actor": "a", "role": "defender"}, {"actor": "c", "role": "witness"}])
    changes = _changes(_incident(), new)
    assert [(c.kind, c.path, c.old, c.new) for c in changes] == [
        ("field-changed", ("actors", Key("a"), "role"), "target", "defender"),
        ("item-added", ("actors",), None, new.actors[1]),
        ("item-removed", ("actors",), _incident().actors[1], None),
    ]
    assert changes[0].container == ("actors", "a") and changes[1].refers_to is None


def test_a_date_is_one_change_and_its_note_another() -> None:
    new = _incident(when={"date": "2021-07-06", "part_of_day": "night", "note": "'Tuesday night'"})
    changes = _changes(_incident(), new)
    assert [(c.kind, c.path) for c in changes] == [("date-changed", ("when",)), ("field-changed", ("when", "note"))]


def test_citations_are_whole_items_and_a_new_claim_changes_the_status() -> None:
    old = _incident()
    question = old.questions[0].model_dump(mode="json")
    question["claims"][0]["citations"] = [{"source": "s", "quote": "the quoted passage", "attribution": "a witness"}]
    question["claims"].append(
        {"id": "d", "text": "D.", "citations": [{"source": "t", "quote": "another quoted passage"}]}
    )
    new = _incident(questions=[question])
    changes = _changes(old, new)
    assert [(c.kind, c.shape, c.container) for c in changes] == [
        ("item-added", "questions.claims.citations", ("claims", "c")),
        ("item-removed", "questions.claims.citations", ("claims", "c")),
        ("item-added", "questions.claims", ("questions", "q")),
        ("status-changed", "questions", ("questions", "q")),
    ]
    assert (changes[-1].old, changes[-1].new) == ("single-source", "contested")


def test_a_status_that_changes_through_a_source_is_reported_on_the_unchanged_incident(base: Side) -> None:
    """Two sources from two named outlets corroborate a claim; once both name one outlet, it is one origin."""
    incident_id = "kataib-hezbollah-silo-image-2021"
    incident = base.records("incidents")[incident_id].record
    question = incident.questions[0].model_dump(mode="json")
    question["claims"][0]["citations"] = [
        {"source": "embassy-drones-report", "quote": "a passage of the first report"},
        {"source": "airborne-threat-report", "quote": "a passage of the second report"},
    ]
    before = _with(
        base,
        "incidents",
        incident_id,
        incident.model_copy(update={"questions": [models.Question.model_validate(question)]}),
    )
    for source_id, outlet in (
        ("embassy-drones-report", "shafaq-news"),
        ("airborne-threat-report", "us-embassy-baghdad"),
    ):
        source = before.records("sources")[source_id].record
        before = _with(before, "sources", source_id, source.model_copy(update={"outlet": outlet}))
    source = before.records("sources")["airborne-threat-report"].record
    after = _with(before, "sources", "airborne-threat-report", source.model_copy(update={"outlet": "shafaq-news"}))
    found = {
        (r.kind, r.id): [(c.kind, c.path, c.old, c.new) for c in r.changes] for r in compare(before, after).records
    }
    assert found == {
        ("incidents", incident_id): [
            ("status-changed", ("questions", Key(question["id"])), "corroborated", "single-source")
        ],
        ("sources", "airborne-threat-report"): [("field-changed", ("outlet",), "us-embassy-baghdad", "shafaq-news")],
    }


def test_a_new_field_nobody_listed_is_compared_generically() -> None:
    class Witness(models.Record):
        place: models.PlaceRef
        heard: list[str] = Field(default_factory=list)

    class Future(models.Record):
        witnesses: list[Witness] = Field(default_factory=list)
        level: int = 0

    old = Future.model_validate({"witnesses": [{"place": "p", "heard": ["a"]}], "level": 1})
    new = Future.model_validate({"witnesses": [{"place": "p", "heard": ["a", "b"]}, {"place": "q"}], "level": 2})
    changes = _changes(old, new)
    assert [(c.kind, c.path, c.old, c.new) for c in changes] == [
        ("item-added", ("witnesses", Key("p"), "heard"), None, "b"),
        ("item-added", ("witnesses",), None, new.witnesses[1]),
        ("field-changed", ("level",), 1, 2),
    ]


def test_references_follow_renames_before_comparing() -> None:
    old = _incident()
    moved = follow_renames(old, {"actors": {"a": "a2"}, "places": {"iraq": "iraq2"}})
    assert isinstance(moved, models.Incident)
    assert (moved.place, moved.actors[0].actor, old.actors[0].actor) == ("iraq2", "a2", "a")


# Renames


def _loaded(text: str, record_id: str = "x") -> Loaded[Any]:
    actor = models.Actor.model_validate({"name": record_id, "kind": "person", "description": text})
    return Loaded(record_id, f"facts/actors/{record_id}.yaml", actor, None, "")  # type: ignore[arg-type]


def test_renames_pair_identical_content_first_then_similar_content() -> None:
    words = " ".join(f"word{i}" for i in range(60))
    removed = {"old-a": _loaded(words, "same"), "old-b": _loaded(words + " tail", "other")}
    added = {"new-a": _loaded(words, "same"), "new-b": _loaded(words + " tail end", "other"), "new-c": _loaded("x")}
    assert pair_renames(removed, added) == [("old-a", "new-a"), ("old-b", "new-b")]


def test_unrelated_records_are_not_paired() -> None:
    removed = {"a": _loaded("rockets hit the air base in the afternoon")}
    added = {"b": _loaded("a statement on a parliamentary vote about foreign forces")}
    assert pair_renames(removed, added) == []


def test_resemblance_is_exact_for_small_sketches() -> None:
    assert resemblance(frozenset({1, 2, 3}), frozenset({2, 3, 4})) == 0.5
    assert RENAME_SIMILARITY <= 0.5


def test_the_sides_of_the_fixture_load_without_problems(base: Side) -> None:
    assert load_files(base.files).problems == []


def _bundled() -> dict[str, bytes]:
    facts = ROOT / "facts"
    return {f"facts/{p.relative_to(facts).as_posix()}": p.read_bytes() for p in sorted(facts.rglob("*")) if p.is_file()}


def test_renaming_every_bundled_incident_pairs_each_with_its_new_id() -> None:
    """A case that cost a minute when every removed × added pair was compared character by character."""
    files = _bundled()
    renamed = {
        (f"{path[: -len('.yaml')]}-renamed.yaml" if path.startswith("facts/incidents/") else path): data
        for path, data in files.items()
    }
    comparison = compare(Side("b", files, validate_files(files)), Side("h", renamed, validate_files(renamed)))
    incidents = [r for r in comparison.records if r.kind == "incidents"]
    assert incidents and all(r.status == "renamed" and r.id == f"{r.old_id}-renamed" for r in incidents)
    assert len(incidents) == sum(1 for path in files if path.startswith("facts/incidents/"))


def test_a_source_replaced_by_another_text_is_removed_and_added_not_renamed() -> None:
    """Two 50 KB texts with the same front matter: sketches of a bounded prefix tell them apart."""
    front = "---\ntitle: A long report\noutlet: unknown\nauthor: unknown\npublished: unknown\nurl: unknown\n"
    front += "language: en\nkind: report\nretrieved: 2021-07-08\nsha256: " + "a" * 64 + "\n---\n"
    first = " ".join(f"word{i % 997} w{i}" for i in range(6000))[:50_000]
    second = " ".join(f"term{i % 991} t{i}" for i in range(6000))[:50_000]
    before = {"facts/sources/first-report.md": (front + first).encode()}
    after = {"facts/sources/second-report.md": (front + second).encode()}
    edited = {"facts/sources/edited-report.md": (front + first.replace("word5 ", "word6 ", 3)).encode()}
    base = Side("b", before, validate_files(before))
    assert [(r.status, r.id) for r in compare(base, Side("h", after, validate_files(after))).records] == [
        ("removed", "first-report"),
        ("added", "second-report"),
    ]
    renamed = compare(base, Side("h", edited, validate_files(edited))).records
    assert [(r.status, r.old_id, r.id) for r in renamed] == [("renamed", "first-report", "edited-report")]
    assert [c.shape for c in renamed[0].changes] == ["body"]
