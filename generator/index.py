"""Cross references computed once from the whole corpus, before any page is rendered.

Backlinks (actor → incidents, place → incidents and sub-places, source → citing
claims), resolved dates and sort order, and the status of every question come from
here; templates never walk the corpus themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generator.check import CheckResult
from generator.dates import OPEN_END, OPEN_START, EDTFDate, Interval, shift
from generator.load import Corpus
from generator.models import KINDS, UNKNOWN, Citation, Question, Source
from generator.quotes import quote_anchor
from generator.walk import Reference, references

STATUS_LABELS = {
    "single-source": "Single source",
    "corroborated": "Corroborated",
    "contested": "Contested",
}


@dataclass(frozen=True)
class Status:
    """A question's status: computed from its claims, or overridden with a reason."""

    value: str
    computed: str
    reason: str | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.value]

    @property
    def overridden(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class CitationUse:
    """A citation where it is used: which record, which claim or relation it supports."""

    kind: str  # "incidents" or "actors"
    record_id: str
    anchor: str  # anchor on the citing record's page
    statement: str  # the claim text, or a description of the relation or role
    citation: Citation

    @property
    def quote_anchor(self) -> str:
        return quote_anchor(self.citation.quote)


@dataclass(frozen=True)
class Backlink:
    """A reference seen from the record it points at: which record refers to it, and how."""

    kind: str  # the kind of the referring record
    record_id: str
    reference: Reference


@dataclass
class Index:
    """Everything the pages need to know about each other."""

    corpus: Corpus
    intervals: dict[str, Interval] = field(default_factory=dict)
    dates: dict[str, EDTFDate | None] = field(default_factory=dict)  # as written, read in the place's zone
    incident_order: list[str] = field(default_factory=list)
    statuses: dict[tuple[str, str], Status] = field(default_factory=dict)
    actor_incidents: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    actor_relations_in: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    actor_publications: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    actor_attributions: dict[str, list[CitationUse]] = field(default_factory=lambda: defaultdict(list))
    place_incidents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    place_children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    place_touched_by: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    source_uses: dict[str, list[CitationUse]] = field(default_factory=lambda: defaultdict(list))
    tag_incidents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    related_in: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    dated_against: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # Every reference of every reference field the models declare, by the (kind, id) it points at.
    backlinks: dict[tuple[str, str], list[Backlink]] = field(default_factory=lambda: defaultdict(list))
    _position: dict[str, int] = field(default_factory=dict)
    _within: dict[str, list[str]] = field(default_factory=dict)
    _spans_by_source: dict[str, list[tuple[str, tuple[int, int]]]] = field(default_factory=dict)
    _zones: dict[str, ZoneInfo | None] = field(default_factory=dict)

    def zone(self, place_id: str) -> ZoneInfo | None:
        """The time zone of a place, inherited from the nearest parent that has one."""
        if place_id not in self._zones:
            names = (self.corpus.places[p].record.timezone for p in reversed(self.place_path(place_id)))
            name = next((n for n in names if n), None)
            self._zones[place_id] = ZoneInfo(name) if name else None
        return self._zones[place_id]

    def local_earliest(self, incident_id: str) -> datetime:
        """The instant an incident sorts by, in its place's time zone when known.

        The earliest instant its date allows; for a date open at its start ('on or before'),
        the latest, since there is no earliest.
        """
        interval = self.intervals[incident_id]
        instant = sort_instant(interval)
        zone = self.zone(self.corpus.incidents[incident_id].record.place)
        if zone is None or instant in (OPEN_START, OPEN_END):
            return instant
        return instant.astimezone(zone)

    def place_path(self, place_id: str) -> list[str]:
        """The place and its parents, outermost first (Iraq, Baghdad, Green Zone)."""
        chain: list[str] = []
        current: str | None = place_id
        while current is not None and current in self.corpus.places and current not in chain:
            chain.append(current)
            current = self.corpus.places[current].record.parent
        return list(reversed(chain))

    def incidents_within(self, place_id: str) -> list[str]:
        """Incidents at the place or any place inside it, in date order."""
        if place_id not in self._within:
            found: set[str] = set()
            seen = {place_id}
            stack = [place_id]
            while stack:
                current = stack.pop()
                found.update(self.place_incidents.get(current, []))
                for child in self.place_children.get(current, []):
                    if child not in seen:
                        seen.add(child)
                        stack.append(child)
            self._within[place_id] = sorted(found, key=self._position.__getitem__)
        return self._within[place_id]

    def source_spans(self, source_id: str) -> list[tuple[str, tuple[int, int]]]:
        """(quote, span) of every checked quote in one source, in a stable order."""
        return self._spans_by_source.get(source_id, [])

    def contested(self, incident_id: str) -> list[Question]:
        incident = self.corpus.incidents[incident_id].record
        return [q for q in incident.questions if self.statuses[(incident_id, q.id)].value == "contested"]


def origin(citation: Citation, source: Source | None) -> str:
    """Who a statement comes from, for telling independent confirmations from repeats.

    Two outlets quoting the same spokesperson are one origin; a source with no known
    outlet counts as its own origin.
    """
    if citation.attributed_to:
        return f"actor:{citation.attributed_to}"
    if source is not None and source.outlet != UNKNOWN:
        return f"actor:{source.outlet}"
    return f"source:{citation.source}"


def question_status(question: Question, sources: dict[str, Source]) -> Status:
    """Contested when claims answer differently; corroborated when two independent origins agree."""
    if len(question.claims) > 1:
        computed = "contested"
    else:
        origins = {origin(c, sources.get(c.source)) for c in question.claims[0].citations}
        computed = "corroborated" if len(origins) >= 2 else "single-source"
    if question.status is not None:
        return Status(question.status, computed, question.status_reason)
    return Status(computed, computed)


def sort_instant(interval: Interval) -> datetime:
    """The earliest instant of an interval, or its last one when it is open at the start."""
    if interval.open_start and not interval.open_end:
        return interval.latest - timedelta.resolution  # the end is exclusive: the last instant before it
    return interval.earliest


def _resolve_intervals(index: Index) -> dict[str, Interval]:
    corpus = index.corpus
    resolved: dict[str, Interval] = {}

    def resolve(incident_id: str, visiting: frozenset[str]) -> Interval:
        if incident_id in resolved:
            return resolved[incident_id]
        incident = corpus.incidents[incident_id].record
        when = incident.when
        parsed = when.edtf(index.zone(incident.place))
        index.dates[incident_id] = parsed
        own = parsed.interval if parsed else None
        anchor_id = when.relative_to
        interval = own
        if anchor_id and anchor_id in corpus.incidents and anchor_id not in visiting:
            anchor = resolve(anchor_id, visiting | {incident_id})
            within, at_least = when.within_delta, when.at_least_delta or timedelta(0)
            if when.relation == "before":
                start = shift(anchor.earliest, -within) if within is not None else OPEN_START
                relative = Interval(start, shift(anchor.latest, -at_least))
            else:
                end = shift(anchor.latest, within) if within is not None else OPEN_END
                relative = Interval(shift(anchor.earliest, at_least), end)
            if own is None:
                interval = relative
            else:
                narrowed = Interval(max(own.earliest, relative.earliest), min(own.latest, relative.latest))
                interval = narrowed if narrowed.earliest < narrowed.latest else own
        if interval is None:  # only for a dangling or circular relative date, which check reports
            interval = Interval(OPEN_END, OPEN_END)
        resolved[incident_id] = interval
        return interval

    for incident_id in sorted(corpus.incidents):
        resolve(incident_id, frozenset())
    return resolved


def build_index(corpus: Corpus, checks: CheckResult) -> Index:
    """Compute every cross reference of a corpus that passed its checks."""
    index = Index(corpus=corpus)
    index.intervals = _resolve_intervals(index)
    index.incident_order = sorted(
        corpus.incidents, key=lambda i: (sort_instant(index.intervals[i]), index.intervals[i].latest, i)
    )
    index._position = {incident_id: n for n, incident_id in enumerate(index.incident_order)}
    for (source_id, quote), span in sorted(checks.spans.items()):
        index._spans_by_source.setdefault(source_id, []).append((quote, span))
    for kind in KINDS:
        order = index.incident_order if kind == "incidents" else sorted(corpus.of_kind(kind))
        for record_id in order:
            for ref in references(corpus.of_kind(kind)[record_id].record):
                index.backlinks[(ref.kind, ref.target)].append(Backlink(kind, record_id, ref))

    for source_id in sorted(corpus.sources):
        outlet = corpus.sources[source_id].record.outlet
        if outlet != UNKNOWN:
            index.actor_publications[outlet].append(source_id)

    for actor_id in sorted(corpus.actors):
        actor = corpus.actors[actor_id].record
        for number, relation in enumerate(actor.relations):
            index.actor_relations_in[relation.actor].append((actor_id, relation.relation))
            statement = f"{actor.name}: {relation.relation.replace('-', ' ')} {_name(corpus, relation.actor)}"
            for citation in relation.citations:
                _use(index, CitationUse("actors", actor_id, f"relation-{number + 1}", statement, citation))

    for place_id in sorted(corpus.places):
        parent = corpus.places[place_id].record.parent
        if parent:
            index.place_children[parent].append(place_id)

    sources = {source_id: loaded.record for source_id, loaded in corpus.sources.items()}
    for incident_id in index.incident_order:
        incident = corpus.incidents[incident_id].record
        index.place_incidents[incident.place].append(incident_id)
        for tag in incident.tags:
            index.tag_incidents[tag].append(incident_id)
        for entry in incident.actors:
            index.actor_incidents[entry.actor].append((incident_id, entry.role))
            verb = "blames" if entry.role == "blamed" else "suspects"
            for accuser in entry.by:
                index.actor_incidents[accuser].append((incident_id, f"{verb} {_name(corpus, entry.actor)}"))
            for citation in entry.citations:
                statement = f"{_name(corpus, entry.actor)}: {entry.role.replace('-', ' ')}" + (
                    f" by {', '.join(_name(corpus, a) for a in entry.by)}" if entry.by else ""
                )
                _use(index, CitationUse("incidents", incident_id, "who", statement, citation))
        if incident.near is not None:
            index.place_touched_by[incident.near.place].append((incident_id, "near"))
            for citation in incident.near.citations:
                statement = f"near {_place_name(corpus, incident.near.place)}"
                _use(index, CitationUse("incidents", incident_id, "where", statement, citation))
        for touched in incident.other_places:
            index.place_touched_by[touched.place].append((incident_id, touched.role))
            for citation in touched.citations:
                statement = f"{_place_name(corpus, touched.place)}: {touched.role.replace('-', ' ')}"
                _use(index, CitationUse("incidents", incident_id, "where", statement, citation))
        for link in incident.related:
            index.related_in[link.incident].append((incident_id, link.relation))
            for citation in link.citations:
                statement = f"{link.relation.replace('-', ' ')} {_title(corpus, link.incident)}"
                _use(index, CitationUse("incidents", incident_id, "related", statement, citation))
        if incident.when.relative_to:
            index.dated_against[incident.when.relative_to].append(incident_id)
        for question in incident.questions:
            index.statuses[(incident_id, question.id)] = question_status(question, sources)
            for claim in question.claims:
                for citation in claim.citations:
                    _use(index, CitationUse("incidents", incident_id, f"claim-{claim.id}", claim.text, citation))
    return index


def _use(index: Index, use: CitationUse) -> None:
    index.source_uses[use.citation.source].append(use)
    if use.citation.attributed_to:
        index.actor_attributions[use.citation.attributed_to].append(use)


def _name(corpus: Corpus, actor_id: str) -> str:
    actor = corpus.actors.get(actor_id)
    return actor.record.name if actor else actor_id


def _place_name(corpus: Corpus, place_id: str) -> str:
    place = corpus.places.get(place_id)
    return place.record.name if place else place_id


def _title(corpus: Corpus, incident_id: str) -> str:
    incident = corpus.incidents.get(incident_id)
    return incident.record.title if incident else incident_id
