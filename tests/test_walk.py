"""The single declaration of references: the walkers find every reference and citation by annotation."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import Field

from generator import models
from generator.load import load_corpus
from generator.models import ActorRef, Citation, NotItself, PlaceRef, Record, SourceRef
from generator.pipeline import validate
from generator.project import Project
from generator.walk import citations, records, reference_fields, references
from tests.conftest import FIXTURE_FACTS


def _incident(name: str) -> models.Incident:
    text = (FIXTURE_FACTS / "incidents" / f"{name}.yaml").read_text(encoding="utf-8")
    return models.Incident.model_validate(yaml.load(text, Loader=yaml.BaseLoader))  # every scalar as text


def test_every_reference_of_an_incident_with_its_location_and_kind() -> None:
    found = [(ref.loc, ref.kind, ref.target) for ref in references(_incident("baghdad-embassy-drones-2021-07-06"))]
    assert found == [
        (("place",), "places", "us-embassy-baghdad"),
        (("actors", 0, "actor"), "actors", "us-embassy-baghdad"),
        (("other_places", 0, "place"), "places", "karrada"),
        (("other_places", 0, "citations", 0, "source"), "sources", "embassy-drones-report"),
        (("related", 0, "incident"), "incidents", "ain-al-asad-rockets-2021-07-05"),
        (("related", 0, "citations", 0, "source"), "sources", "airborne-threat-report"),
        (("questions", 0, "claims", 0, "citations", 0, "source"), "sources", "embassy-drones-report"),
        (("questions", 0, "claims", 0, "citations", 0, "attributed_to"), "actors", "shafaq-news"),
        (("questions", 0, "claims", 1, "citations", 0, "source"), "sources", "embassy-drones-report"),
        (("questions", 0, "claims", 2, "citations", 0, "source"), "sources", "airborne-threat-report"),
        (("questions", 0, "claims", 2, "citations", 0, "attributed_to"), "actors", "us-embassy-baghdad"),
        (("questions", 1, "claims", 0, "citations", 0, "source"), "sources", "embassy-drones-report"),
        (("questions", 1, "claims", 1, "citations", 0, "source"), "sources", "embassy-drones-report"),
        (("questions", 1, "claims", 1, "citations", 0, "attributed_to"), "actors", "shafaq-news"),
    ]


def test_every_citation_with_its_location() -> None:
    locs = [loc for loc, _ in citations(_incident("baghdad-embassy-drones-2021-07-06"))]
    assert locs == [
        ("other_places", 0, "citations", 0),
        ("related", 0, "citations", 0),
        ("questions", 0, "claims", 0, "citations", 0),
        ("questions", 0, "claims", 1, "citations", 0),
        ("questions", 0, "claims", 2, "citations", 0),
        ("questions", 1, "claims", 0, "citations", 0),
        ("questions", 1, "claims", 1, "citations", 0),
    ]


def test_an_unknown_outlet_is_no_reference() -> None:
    source = models.Source.model_validate(
        {
            "title": "T",
            "outlet": "unknown",
            "author": "unknown",
            "published": "unknown",
            "url": "unknown",
            "language": "en",
            "kind": "other",
            "retrieved": "2021-07-08",
            "sha256": "0" * 64,
        }
    )
    assert list(references(source)) == []
    assert [ref.kind for ref in references(source.model_copy(update={"outlet": "shafaq-news"}))] == ["actors"]


class _Witness(Record):
    place: PlaceRef
    seen_with: list[ActorRef] = Field(default_factory=list)
    citation: Citation | None = None


class _Future(Record):
    """A model with reference fields nobody has listed anywhere: lists, optionals, mappings, nesting."""

    guide: Annotated[ActorRef, NotItself("cannot guide itself")] | None = None
    witnesses: list[_Witness] = Field(default_factory=list)
    by_source: dict[str, list[SourceRef]] = Field(default_factory=dict)
    label: str = "not a reference"


def test_new_fields_are_found_without_being_listed() -> None:
    record = _Future.model_validate(
        {
            "guide": "a",
            "witnesses": [
                {"place": "p", "seen_with": ["b", "c"]},
                {"place": "q", "citation": {"source": "s", "quote": "one two three", "attributed_to": "d"}},
            ],
            "by_source": {"first": ["s1", "s2"]},
        }
    )
    found = [(ref.loc, ref.kind, ref.target, ref.itself) for ref in references(record)]
    assert found == [
        (("guide",), "actors", "a", "cannot guide itself"),
        (("by_source", "first", 0), "sources", "s1", None),
        (("by_source", "first", 1), "sources", "s2", None),
        (("witnesses", 0, "place"), "places", "p", None),
        (("witnesses", 0, "seen_with", 0), "actors", "b", None),
        (("witnesses", 0, "seen_with", 1), "actors", "c", None),
        (("witnesses", 1, "place"), "places", "q", None),
        (("witnesses", 1, "citation", "source"), "sources", "s", None),
        (("witnesses", 1, "citation", "attributed_to"), "actors", "d", None),
    ]
    assert [loc for loc, _ in citations(record)] == [("witnesses", 1, "citation")]
    assert [loc for loc, _ in records(record)] == [(), ("witnesses", 0), ("witnesses", 1), ("witnesses", 1, "citation")]
    assert reference_fields(_Future) == {"guide": "actors", "by_source": "sources"}


def _holds_slug(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        inner, *extras = get_args(annotation)
        return any(getattr(extra, "func", None) is models.check_slug for extra in extras) or _holds_slug(inner)
    return any(_holds_slug(arg) for arg in get_args(annotation))


def _marked(annotation: Any, marker: type) -> bool:
    if get_origin(annotation) is Annotated:
        inner, *extras = get_args(annotation)
        return any(isinstance(extra, marker) for extra in extras) or _marked(inner, marker)
    return any(_marked(arg, marker) for arg in get_args(annotation))


def test_every_id_field_of_the_format_says_what_it_refers_to() -> None:
    """A field that holds a record's id is declared as a reference; one that holds the id of another
    answer to the same question is declared so; only own ids and tags are plain slugs."""
    plain = {
        (model.__name__, name)
        for model in vars(models).values()
        if isinstance(model, type) and issubclass(model, Record)
        for name, info in model.model_fields.items()
        if _holds_slug(Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)
        and name not in reference_fields(model)
        and not _marked(info.annotation, models.OtherAnswer)
    }
    own_ids = {(model.__name__, "id") for model in vars(models).values() if isinstance(model, type)}
    assert plain - own_ids == {("Incident", "tags")}


def test_check_reports_self_references_with_their_messages(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "facts").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: t\n")
    shutil.copytree(FIXTURE_FACTS, root / "facts", dirs_exist_ok=True)
    actor = root / "facts/actors/wayne-marotto.yaml"
    actor.write_text(actor.read_text().replace("actor: us-led-coalition", "actor: wayne-marotto"))
    incident = root / "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml"
    incident.write_text(
        incident.read_text()
        .replace("incident: ain-al-asad-rockets-2021-07-05", "incident: baghdad-embassy-drones-2021-07-06")
        .replace(
            "  part_of_day: early\n",
            "  relative_to: baghdad-embassy-drones-2021-07-06\n  relation: after\n  within: PT1H\n",
        )
    )
    messages = [str(p) for p in validate(Project.at(root)).problems if "itself" in p.message or "circle" in p.message]
    assert messages == [
        "facts/actors/wayne-marotto.yaml:7:12: error: an actor cannot be related to itself",
        "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml:5:16: error: an incident cannot be dated relative to itself",
        "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml:21:15: error: an incident cannot be related to itself",
    ]
    assert load_corpus(Project.at(root)).problems == []
