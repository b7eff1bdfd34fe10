"""Checks across records: references resolve, quotes are in their sources, hashes match.

Runs after loading, on the whole corpus, and collects every problem (never stops at
the first). Quote positions found here are kept for the source pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator import quotes
from generator.load import Corpus, Loaded, body_hash
from generator.models import UNKNOWN, Actor, Citation, Incident
from generator.problems import Problem
from generator.yamlload import Loc, loc_text

Span = tuple[int, int]


@dataclass
class CheckResult:
    """Problems found, and where each checked quote sits in its source's text."""

    problems: list[Problem] = field(default_factory=list)
    spans: dict[tuple[str, str], Span] = field(default_factory=dict)  # (source id, quote) -> span

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def citations(record: Any) -> Iterator[tuple[Loc, Citation]]:
    """Every citation inside an actor or incident, with its location in the file."""
    if isinstance(record, Actor):
        for ri, relation in enumerate(record.relations):
            for ci, citation in enumerate(relation.citations):
                yield ("relations", ri, "citations", ci), citation
    elif isinstance(record, Incident):
        for ai, entry in enumerate(record.actors):
            for ci, citation in enumerate(entry.citations):
                yield ("actors", ai, "citations", ci), citation
        if record.near is not None:
            for ci, citation in enumerate(record.near.citations):
                yield ("near", "citations", ci), citation
        for pi, touched in enumerate(record.other_places):
            for ci, citation in enumerate(touched.citations):
                yield ("other_places", pi, "citations", ci), citation
        for li, link in enumerate(record.related):
            for ci, citation in enumerate(link.citations):
                yield ("related", li, "citations", ci), citation
        for qi, question in enumerate(record.questions):
            for ki, claim in enumerate(question.claims):
                for ci, citation in enumerate(claim.citations):
                    yield ("questions", qi, "claims", ki, "citations", ci), citation


class _Checker:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.result = CheckResult()
        self.normalised = {sid: quotes.NormalisedText.of(s.body) for sid, s in corpus.sources.items()}

    def problem(self, loaded: Loaded[Any], loc: Loc, message: str, severity: str = "error") -> None:
        at = loaded.at(loc)
        self.result.problems.append(Problem(loaded.path, at.line, at.col, severity, message))  # type: ignore[arg-type]

    def reference(self, loaded: Loaded[Any], loc: Loc, kind: str, target: str | None) -> None:
        if target is None or target in self.corpus.of_kind(kind) or (kind, target) in self.corpus.unloadable:
            return
        singular = kind[:-1]
        self.problem(
            loaded,
            loc,
            f"{loc_text(loc)}: no {singular} '{target}' (expected facts/{kind}/{target}.{'md' if kind == 'sources' else 'yaml'}); "
            f"fix the id or add the {singular}",
        )

    def run(self) -> CheckResult:
        for kind in ("sources", "actors", "places", "incidents"):
            for loaded in self.corpus.of_kind(kind).values():
                getattr(self, f"check_{kind}")(loaded)
                for loc, citation in citations(loaded.record):
                    self.check_citation(loaded, loc, citation)
        self.check_place_cycles()
        self.check_date_cycles()
        if not self.corpus.unloadable:  # a file that did not load may hold the missing references
            self.warn_unreferenced()
        self.result.problems.sort()
        return self.result

    def check_sources(self, loaded: Loaded[Any]) -> None:
        source = loaded.record
        if source.outlet != UNKNOWN:
            self.reference(loaded, ("outlet",), "actors", source.outlet)
        actual = body_hash(loaded.body)
        if actual != source.sha256:
            self.problem(
                loaded,
                ("sha256",),
                f"the archived text does not match its sha256 (it is {actual}): an archived source must not be "
                "edited; if the change is a deliberate correction, record the new hash",
            )
        for key in source.notes:
            if key not in type(source).model_fields:
                self.problem(
                    loaded,
                    ("notes", key),
                    f"notes.{key}: a note is keyed by the field it explains; '{key}' is not a field of a source",
                )

    def check_actors(self, loaded: Loaded[Any]) -> None:
        if loaded.id == UNKNOWN:
            self.problem(loaded, (), "'unknown' is reserved for an unknown outlet: give the actor another id")
        for index, relation in enumerate(loaded.record.relations):
            self.reference(loaded, ("relations", index, "actor"), "actors", relation.actor)
            if relation.actor == loaded.id:
                self.problem(loaded, ("relations", index, "actor"), "an actor cannot be related to itself")

    def check_places(self, loaded: Loaded[Any]) -> None:
        self.reference(loaded, ("parent",), "places", loaded.record.parent)

    def check_incidents(self, loaded: Loaded[Any]) -> None:
        incident = loaded.record
        self.reference(loaded, ("place",), "places", incident.place)
        self.reference(loaded, ("when", "relative_to"), "incidents", incident.when.relative_to)
        if incident.when.relative_to == loaded.id:
            self.problem(loaded, ("when", "relative_to"), "an incident cannot be dated relative to itself")
        if incident.near is not None:
            self.reference(loaded, ("near", "place"), "places", incident.near.place)
            if incident.near.place == incident.place:
                self.problem(
                    loaded,
                    ("near", "place"),
                    "near.place: an incident cannot be near the place it is at; set 'place' to the place "
                    "that contains it (e.g. the city)",
                )
        for index, entry in enumerate(incident.actors):
            self.reference(loaded, ("actors", index, "actor"), "actors", entry.actor)
            for number, accuser in enumerate(entry.by):
                self.reference(loaded, ("actors", index, "by", number), "actors", accuser)
        for index, other in enumerate(incident.other_places):
            self.reference(loaded, ("other_places", index, "place"), "places", other.place)
        for index, entry in enumerate(incident.related):
            self.reference(loaded, ("related", index, "incident"), "incidents", entry.incident)
            if entry.incident == loaded.id:
                self.problem(loaded, ("related", index, "incident"), "an incident cannot be related to itself")
            whole = self.corpus.incidents.get(entry.incident)
            if entry.relation == "part-of" and whole is not None and not whole.record.series:
                self.problem(
                    loaded,
                    ("related", index, "relation"),
                    f"related[{index}]: part-of '{entry.incident}', which is not a series: "
                    "mark it 'series: true' if it stands for several events, or use another relation",
                    "warning",
                )
        self.unique(loaded, [(("questions", qi, "id"), q.id) for qi, q in enumerate(incident.questions)], "question")
        self.unique(
            loaded,
            [
                (("questions", qi, "claims", ci, "id"), claim.id)
                for qi, question in enumerate(incident.questions)
                for ci, claim in enumerate(question.claims)
            ],
            "claim",
        )
        sources = {citation.source for _, citation in citations(incident)}
        if len(sources) == 1:
            self.problem(
                loaded,
                (),
                f"the incident rests on a single source ('{next(iter(sources))}'): look for a second one",
                "warning",
            )

    def unique(self, loaded: Loaded[Any], ids: list[tuple[Loc, str]], what: str) -> None:
        seen: dict[str, Loc] = {}
        for loc, value in ids:
            if value in seen:
                first = loaded.at(seen[value])
                self.problem(
                    loaded,
                    loc,
                    f"duplicate {what} id '{value}' (first used on line {first.line}): ids must be unique within the incident",
                )
            else:
                seen[value] = loc

    def check_citation(self, loaded: Loaded[Any], loc: Loc, citation: Citation) -> None:
        self.reference(loaded, (*loc, "attributed_to"), "actors", citation.attributed_to)
        for number, relay in enumerate(citation.via):
            self.reference(loaded, (*loc, "via", number), "actors", relay)
        source = self.corpus.sources.get(citation.source)
        if source is None:
            self.reference(loaded, (*loc, "source"), "sources", citation.source)
            return
        key = (citation.source, citation.quote)
        if key in self.result.spans:
            return
        span = quotes.find(self.normalised[citation.source], citation.quote)
        if span is None:
            closest = quotes.closest_passage(source.body, citation.quote)
            self.problem(
                loaded,
                (*loc, "quote"),
                f"{loc_text((*loc, 'quote'))}: the quote is not in source '{citation.source}'; "
                f'the closest passage is: "{closest}" (copy it exactly)',
            )
        else:
            self.result.spans[key] = span

    def check_place_cycles(self) -> None:
        places = self.corpus.places
        for place_id, loaded in places.items():
            seen = {place_id}
            parent = loaded.record.parent
            while parent is not None and parent in places:
                if parent in seen:
                    self.problem(
                        loaded,
                        ("parent",),
                        f"parent: '{place_id}' ends up inside itself ({parent} is among its parents); fix one parent",
                    )
                    break
                seen.add(parent)
                parent = places[parent].record.parent

    def check_date_cycles(self) -> None:
        incidents = self.corpus.incidents
        for incident_id, loaded in incidents.items():
            seen = {incident_id}
            anchor = loaded.record.when.relative_to
            while anchor is not None and anchor in incidents:
                if anchor in seen:
                    self.problem(
                        loaded,
                        ("when", "relative_to"),
                        "when.relative_to: the dates form a circle; give one of these incidents a 'date'",
                    )
                    break
                seen.add(anchor)
                anchor = incidents[anchor].record.when.relative_to

    def warn_unreferenced(self) -> None:
        corpus = self.corpus
        used_actors: set[str] = set()
        used_places: set[str] = set()
        used_sources: set[str] = set()
        for source in corpus.sources.values():
            used_actors.add(source.record.outlet)
        for actor in corpus.actors.values():
            used_actors.update(r.actor for r in actor.record.relations)
        for place in corpus.places.values():
            if place.record.parent:
                used_places.add(place.record.parent)
        for incident in corpus.incidents.values():
            used_places.add(incident.record.place)
            if incident.record.near is not None:
                used_places.add(incident.record.near.place)
            used_places.update(entry.place for entry in incident.record.other_places)
            used_actors.update(entry.actor for entry in incident.record.actors)
            used_actors.update(accuser for entry in incident.record.actors for accuser in entry.by)
        for kind in ("actors", "incidents"):
            for loaded in corpus.of_kind(kind).values():
                for _, citation in citations(loaded.record):
                    used_sources.add(citation.source)
                    if citation.attributed_to:
                        used_actors.add(citation.attributed_to)
                    used_actors.update(citation.via)
        for actor_id, loaded in corpus.actors.items():
            if actor_id not in used_actors:
                self.problem(
                    loaded,
                    (),
                    "nothing refers to this actor: link it from an incident, a relation or a citation, or remove it",
                    "warning",
                )
        for place_id, loaded in corpus.places.items():
            if place_id not in used_places:
                self.problem(
                    loaded,
                    (),
                    "nothing refers to this place: link it from an incident or as a parent, or remove it",
                    "warning",
                )
        for source_id, loaded in corpus.sources.items():
            if source_id not in used_sources:
                self.problem(loaded, (), "nothing cites this source: cite it from a claim, or remove it", "warning")


def check_corpus(corpus: Corpus) -> CheckResult:
    """Every cross-record check; problems sorted by file and line."""
    return _Checker(corpus).run()
