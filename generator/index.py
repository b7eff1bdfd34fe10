"""Cross references computed once from the whole corpus, before any page is rendered.

Backlinks (actor → incidents, place → incidents and sub-places, source → citing
claims), resolved dates and sort order, and the status of every question come from
here; templates never walk the corpus themselves.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from generator.check import CheckResult
from generator.dates import OPEN_END, OPEN_START, DatePart, EDTFDate, Interval, parse_date, shift
from generator.load import Corpus
from generator.models import KINDS, UNKNOWN, Citation, Claim, Incident, Question, Source
from generator.quotes import quote_anchor
from generator.walk import Reference, citations, references


@dataclass(frozen=True)
class Basis:
    """The origins of one claim: where its words come from, as far as the sources show.

    ``named`` are actors, each one origin however many reports repeat it. ``unnamed``
    are the reports whose words cannot be traced to any named actor (an outlet that is
    not stated, relaying no one by name): they may all come from one outlet, or from
    one of the named origins, so together they count as at most one origin, and only
    when no named origin is there (see :func:`citation_origin`).
    """

    named: tuple[str, ...]  # actor ids, in order of first citation
    unnamed: tuple[str, ...]  # source ids, in order of first citation

    @property
    def count(self) -> int:
        """How many independent origins the sources show at least."""
        return len(self.named) or (1 if self.unnamed else 0)

    def __or__(self, other: Basis) -> Basis:
        """The origins of two claims together."""
        return Basis(
            tuple(dict.fromkeys((*self.named, *other.named))), tuple(dict.fromkeys((*self.unnamed, *other.unnamed)))
        )


@dataclass(frozen=True)
class Status:
    """A question's status: computed from its claims, or overridden with a reason.

    ``bases`` holds each claim's origins, by claim id: the basis every status shows.
    ``agreement`` says how several answers relate when none conflicts with another:
    "detail" when they are one account at different levels of detail (each refines the
    next), "compatible" when some say different things that do not conflict; None for
    a single answer, or when some answers conflict.
    """

    value: str
    computed: str
    bases: dict[str, Basis] = field(default_factory=dict)
    reason: str | None = None
    agreement: str | None = None

    @property
    def overridden(self) -> bool:
        return self.reason is not None

    @property
    def together(self) -> Basis:
        """The origins of all the answers together."""
        combined = Basis((), ())
        for basis in self.bases.values():
            combined = combined | basis
        return combined


@dataclass(frozen=True)
class CitationUse:
    """A citation where it is used: which record, and what it supports there.

    ``what`` says which part of the record cites it, and the other fields name that part:

    * ``claim``: ``question`` and ``claim``;
    * ``role``: ``actor`` and ``role`` (with ``by``: who blames or suspects the actor);
    * ``near``: ``place``, the place the incident was near;
    * ``place``: ``place`` and ``role``, another place the incident touches;
    * ``related``: ``incident`` and ``relation`` (this incident is ``relation`` that one);
    * ``relation``: ``actor`` (the other actor) and ``relation`` (an actor's relation).
    """

    kind: str  # "incidents" or "actors"
    record_id: str
    anchor: str  # anchor on the citing record's page
    what: str
    citation: Citation
    question: Question | None = None
    claim: Claim | None = None
    actor: str | None = None
    role: str | None = None
    by: tuple[str, ...] = ()
    place: str | None = None
    incident: str | None = None
    relation: str | None = None

    @property
    def quote_anchor(self) -> str:
        return quote_anchor(self.citation.quote)


@dataclass(frozen=True)
class Backlink:
    """A reference seen from the record it points at: which record refers to it, and how."""

    kind: str  # the kind of the referring record
    record_id: str
    reference: Reference


@dataclass(frozen=True)
class ActorPart:
    """An actor's part in an incident: a role it has, or another actor it blames or suspects."""

    incident: str
    role: str
    accused: str | None = None  # for "blames" and "suspects": the actor blamed or suspected


@dataclass(frozen=True)
class KnownDate:
    """What is known of when an incident happened, for pages to put in words.

    ``start`` and ``end`` are the date as written (the same part for a single date;
    None for an open end). A date given only relative to another incident has neither,
    and ``window`` holds the first and last local day it may fall on. ``undated`` is true
    when the sources give no date at all, only a time by which it was reported: an
    interval open at its start, or one ending on the day of the earliest report that
    cites it (``reported_by``). ``zone_unknown`` is true when the date (or, for a date given only
    relative to another incident, that incident's date) has a day or time without a UTC
    offset at a place with no time zone, directly or inherited: it is then read as any
    time zone on Earth, so the instants it allows run up to a day wider at each end.
    """

    start: DatePart | None
    end: DatePart | None
    single: bool  # one date, not an interval
    part_of_day: str | None
    series: bool
    reported_by: DatePart | None
    undated: bool
    ends_at_report: bool  # the last day it can fall on is the day of the earliest report
    window: tuple[DatePart, DatePart | None] | None = None
    zone_unknown: bool = False  # read in every time zone on Earth: no UTC offset, and no time zone for the place


@dataclass
class Index:
    """Everything the pages need to know about each other."""

    corpus: Corpus
    intervals: dict[str, Interval] = field(default_factory=dict)
    dates: dict[str, EDTFDate | None] = field(default_factory=dict)  # as written, read in the place's zone
    known_dates: dict[str, KnownDate] = field(default_factory=dict)
    incident_order: list[str] = field(default_factory=list)
    statuses: dict[tuple[str, str], Status] = field(default_factory=dict)
    actor_incidents: dict[str, list[ActorPart]] = field(default_factory=lambda: defaultdict(list))
    actor_relations_in: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    actor_publications: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    actor_attributions: dict[str, list[CitationUse]] = field(default_factory=lambda: defaultdict(list))
    actor_relays: dict[str, list[CitationUse]] = field(default_factory=lambda: defaultdict(list))
    place_incidents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    place_children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    place_touched_by: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    source_uses: dict[str, list[CitationUse]] = field(default_factory=lambda: defaultdict(list))
    tag_incidents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    tag_names: dict[str, str] = field(default_factory=dict)
    related_in: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    dated_against: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # Every reference of every reference field the models declare, by the (kind, id) it points at.
    backlinks: dict[tuple[str, str], list[Backlink]] = field(default_factory=lambda: defaultdict(list))
    _position: dict[str, int] = field(default_factory=dict)
    _within: dict[str, list[str]] = field(default_factory=dict)
    _spans_by_source: dict[str, list[tuple[str, tuple[int, int]]]] = field(default_factory=dict)
    _spans: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    _zones: dict[str, ZoneInfo | None] = field(default_factory=dict)

    def zone(self, place_id: str) -> ZoneInfo | None:
        """The time zone of a place, inherited from the nearest parent that has one."""
        if place_id not in self._zones:
            names = (self.corpus.places[p].record.timezone for p in reversed(self.place_path(place_id)))
            name = next((n for n in names if n), None)
            self._zones[place_id] = ZoneInfo(name) if name else None
        return self._zones[place_id]

    def local_earliest(self, incident_id: str) -> datetime:
        """The instant an incident sorts by, in its place's time zone when known (see :meth:`sort_instant`)."""
        return self.local(incident_id, self.sort_instant(incident_id))

    def local(self, incident_id: str, instant: datetime) -> datetime:
        """An instant in the time zone of the incident's place, when it has one."""
        zone = self.zone(self.corpus.incidents[incident_id].record.place)
        if zone is None or instant in (OPEN_START, OPEN_END):
            return instant
        return instant.astimezone(zone)

    def sort_instant(self, incident_id: str) -> datetime:
        """Lists run by the first date they show for an incident.

        The earliest instant its date allows (the day of an event, the start of a window
        or of a series); for an incident whose date is not given, the last instant it can
        fall on, i.e. when it was reported, since that is the date its entry shows.
        """
        interval = self.intervals[incident_id]
        known = self.known_dates.get(incident_id)
        if (known is not None and known.undated) or (interval.open_start and not interval.open_end):
            return interval.latest - timedelta.resolution  # the end is exclusive: the last instant before it
        return interval.earliest

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

    def position(self, incident_id: str) -> int:
        """Where an incident comes in date order."""
        return self._position[incident_id]

    def span(self, source_id: str, quote: str) -> tuple[int, int] | None:
        """Where a checked quote sits in its source's archived text."""
        return self._spans.get((source_id, quote))

    def source_spans(self, source_id: str) -> list[tuple[str, tuple[int, int]]]:
        """(quote, span) of every checked quote in one source, in a stable order."""
        return self._spans_by_source.get(source_id, [])

    def contested(self, incident_id: str) -> list[Question]:
        incident = self.corpus.incidents[incident_id].record
        return [q for q in incident.questions if self.statuses[(incident_id, q.id)].value == "contested"]


def citation_origin(citation: Citation, source: Source | None) -> str | None:
    """Where a citation's words come from: an actor id, or None when no named actor is shown.

    The words are followed back along their chain, from the speaker to the report: the
    actor they are attributed to, then each actor that passed them on (``via``, nearest
    the speaker first), then the outlet that published the report. The origin is the
    first named actor on that chain. So France 24 writing "according to AFP reporters"
    is AFP's word, not a second origin; unnamed speakers relayed by AFP are AFP's word
    too, since AFP alone vouches for them; and a report's own words are its outlet's.
    With no named actor anywhere on the chain (unnamed speakers in a report whose outlet
    is not stated), the origin cannot be told apart from any other: None.
    """
    chain = [citation.attributed_to, *citation.via]
    if source is not None and source.outlet != UNKNOWN:
        chain.append(source.outlet)
    return next((actor for actor in chain if actor), None)


def claim_basis(claim: Claim, sources: dict[str, Source]) -> Basis:
    """The origins of a claim's citations (see :class:`Basis`)."""
    named: dict[str, None] = {}
    unnamed: dict[str, None] = {}
    for citation in claim.citations:
        actor = citation_origin(citation, sources.get(citation.source))
        if actor is None:
            unnamed[citation.source] = None
        else:
            named[actor] = None
    return Basis(tuple(named), tuple(unnamed))


def coarser_answers(question: Question) -> dict[str, list[str]]:
    """Each claim's less precise forms: the claim it refines, the one that refines, and so on.

    Names that are not another answer to the question, and circles, are ignored here
    (the checks report them).
    """
    answers = {claim.id for claim in question.claims}
    parent = {c.id: c.refines for c in question.claims if c.refines in answers and c.refines != c.id}
    coarser: dict[str, list[str]] = {}
    for claim in question.claims:
        chain: list[str] = []
        current = parent.get(claim.id)
        while current is not None and current != claim.id and current not in chain:
            chain.append(current)
            current = parent.get(current)
        coarser[claim.id] = chain
    return coarser


def answers_agreement(question: Question) -> str | None:
    """How a question's answers relate when none conflicts with another (see :attr:`Status.agreement`).

    Two answers do not conflict when one refines the other (directly or through others),
    or when either says it is consistent with the other. Answers that the analysts have
    not marked so conflict.
    """
    if len(question.claims) < 2:
        return None
    coarser = coarser_answers(question)
    ids = [claim.id for claim in question.claims]
    declared = {frozenset((c.id, other)) for c in question.claims for other in c.consistent_with if other != c.id}
    pairs = list(combinations(ids, 2))
    if all(a in coarser[b] or b in coarser[a] for a, b in pairs):
        return "detail"
    if all(a in coarser[b] or b in coarser[a] or frozenset((a, b)) in declared for a, b in pairs):
        return "compatible"
    return None


def question_status(question: Question, sources: dict[str, Source]) -> Status:
    """Computed from the answers and their origins (docs/reading.md, "Statuses").

    One answer is corroborated when two independent origins give it, else single source.
    Several answers are consistent when the analysts have marked every two of them as not
    conflicting (one refines the other, or they are consistent with each other), else
    contested. Independent origins are distinct named actors: reports whose words trace
    back to no named actor may all be one outlet, or repeat a named origin, so they never
    make a second origin (see :class:`Basis`).
    """
    bases = {claim.id: claim_basis(claim, sources) for claim in question.claims}
    agreement = answers_agreement(question)
    if len(question.claims) > 1:
        computed = "consistent" if agreement else "contested"
    else:
        computed = "corroborated" if bases[question.claims[0].id].count >= 2 else "single-source"
    if question.status is not None:
        return Status(question.status, computed, bases, question.status_reason, agreement)
    return Status(computed, computed, bases, agreement=agreement)


def _publication_dates(corpus: Corpus) -> dict[str, tuple[datetime, DatePart]]:
    """Each source whose publication date is known: the last instant it allows, and its last end as written."""
    dates: dict[str, tuple[datetime, DatePart]] = {}
    for source_id, loaded in corpus.sources.items():
        if loaded.record.published == UNKNOWN:
            continue
        published = parse_date(loaded.record.published)
        _, last = published.ends()
        if last is not None:
            dates[source_id] = (published.interval.latest, last)
    return dates


def _reported_by(published: dict[str, tuple[datetime, DatePart]], incident: Incident) -> DatePart | None:
    """The publication date of the earliest report that cites the incident, when any says when."""
    dated = [published[c.source] for _, c in citations(incident) if c.source in published]
    return min(dated, key=lambda item: item[0])[1] if dated else None


def _same_day(one: DatePart | None, other: DatePart | None) -> bool:
    return (
        one is not None
        and other is not None
        and one.day is not None
        and (one.year, one.month, one.day) == (other.year, other.month, other.day)
    )


def _known_date(index: Index, incident_id: str, published: dict[str, tuple[datetime, DatePart]]) -> KnownDate:
    incident = index.corpus.incidents[incident_id].record
    parsed = index.dates[incident_id]
    reported_by = _reported_by(published, incident)
    start, end = parsed.ends() if parsed else (None, None)
    single = parsed is not None and parsed.precision != "interval"
    ends_at_report = not single and _same_day(end, reported_by)
    undated = parsed is not None and not single and not incident.series and (start is None or ends_at_report)
    window = None
    if parsed is None:
        interval = index.intervals[incident_id]
        first = index.local(incident_id, interval.earliest)
        last = index.local(incident_id, interval.latest - timedelta.resolution)
        window = (
            DatePart(first.year, first.month, first.day),
            None if interval.open_end else DatePart(last.year, last.month, last.day),
        )
    return KnownDate(
        start,
        end,
        single,
        incident.when.part_of_day,
        incident.series,
        reported_by,
        undated,
        ends_at_report,
        window,
        _zone_unknown(index, incident_id),
    )


def _zone_unknown(index: Index, incident_id: str) -> bool:
    """Whether the date is read in every time zone on Earth (see :class:`KnownDate`)."""
    seen: set[str] = set()
    current: str | None = incident_id
    while current is not None and current in index.corpus.incidents and current not in seen:
        seen.add(current)
        incident = index.corpus.incidents[current].record
        parsed = index.dates.get(current)
        if parsed is not None:  # a date of its own: the relative part only narrows it
            unzoned = index.zone(incident.place) is None
            return unzoned and any(part is not None and part.offset is None for part in parsed.ends())
        current = incident.when.relative_to
    return False


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
    published = _publication_dates(corpus)
    index.known_dates = {incident_id: _known_date(index, incident_id, published) for incident_id in corpus.incidents}
    index.incident_order = sorted(corpus.incidents, key=lambda i: (index.sort_instant(i), index.intervals[i].latest, i))
    index._position = {incident_id: n for n, incident_id in enumerate(index.incident_order)}
    index._spans = dict(checks.spans)
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
            for citation in relation.citations:
                anchor = f"relation-{number + 1}"
                use = CitationUse(
                    "actors", actor_id, anchor, "relation", citation, actor=relation.actor, relation=relation.relation
                )
                _use(index, use)

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
            index.actor_incidents[entry.actor].append(ActorPart(incident_id, entry.role))
            verb = "blames" if entry.role == "blamed" else "suspects"
            for accuser in entry.by:
                index.actor_incidents[accuser].append(ActorPart(incident_id, verb, entry.actor))
            for citation in entry.citations:
                use = CitationUse(
                    "incidents",
                    incident_id,
                    "who",
                    "role",
                    citation,
                    actor=entry.actor,
                    role=entry.role,
                    by=tuple(entry.by),
                )
                _use(index, use)
        if incident.near is not None:
            index.place_touched_by[incident.near.place].append((incident_id, "near"))
            for citation in incident.near.citations:
                _use(index, CitationUse("incidents", incident_id, "where", "near", citation, place=incident.near.place))
        for touched in incident.other_places:
            index.place_touched_by[touched.place].append((incident_id, touched.role))
            for citation in touched.citations:
                use = CitationUse(
                    "incidents", incident_id, "where", "place", citation, place=touched.place, role=touched.role
                )
                _use(index, use)
        for link in incident.related:
            index.related_in[link.incident].append((incident_id, link.relation))
            for citation in link.citations:
                use = CitationUse(
                    "incidents",
                    incident_id,
                    "related",
                    "related",
                    citation,
                    incident=link.incident,
                    relation=link.relation,
                )
                _use(index, use)
        if incident.when.relative_to:
            index.dated_against[incident.when.relative_to].append(incident_id)
        for question in incident.questions:
            index.statuses[(incident_id, question.id)] = question_status(question, sources)
            for claim in question.claims:
                for citation in claim.citations:
                    anchor = f"claim-{claim.id}"
                    use = CitationUse(
                        "incidents", incident_id, anchor, "claim", citation, question=question, claim=claim
                    )
                    _use(index, use)
    index.tag_names = {tag: _tag_name(corpus, tag, ids) for tag, ids in sorted(index.tag_incidents.items())}
    return index


def _use(index: Index, use: CitationUse) -> None:
    index.source_uses[use.citation.source].append(use)
    if use.citation.attributed_to:
        index.actor_attributions[use.citation.attributed_to].append(use)
    for relay in dict.fromkeys(use.citation.via):
        index.actor_relays[relay].append(use)


_MONTH_NAMES = {name.lower() for name in calendar.month_name if name}


def _tag_name(corpus: Corpus, tag: str, incident_ids: list[str]) -> str:
    """How a tag reads: the name of the place or actor it is the id of, else its words as the
    reports cited under it write them ('c-ram' is 'C-RAM'), else its words with month names
    capitalised ('july-2021-attacks' is 'July 2021 attacks')."""
    for kind in ("places", "actors"):
        loaded = corpus.of_kind(kind).get(tag)
        if loaded is not None:
            return str(loaded.record.name)
    words = tag.split("-")
    spelling = re.compile(r"\b" + r"[-\s]".join(map(re.escape, words)) + r"\b", re.IGNORECASE)
    for incident_id in incident_ids:
        for source_id in dict.fromkeys(c.source for _, c in citations(corpus.incidents[incident_id].record)):
            source = corpus.sources.get(source_id)
            found = spelling.search(source.body) if source is not None else None
            if found:
                return " ".join(found.group().split())
    return " ".join(word.capitalize() if word in _MONTH_NAMES else word for word in words)
