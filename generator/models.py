"""The fact format: one pydantic model per record kind, strict at the edge.

Unknown keys are typos until proven otherwise (``extra="forbid"``), text fields take
only text (``strict=True``: a YAML number where text was meant is an error, not a
silent conversion), and every id is a safe slug that cannot leave its folder.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from generator import limits
from generator.dates import EDTFDate, parse_date, parse_duration

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = limits.ID_CHARS.value
UNKNOWN = "unknown"


def slug_problem(value: str) -> str | None:
    """Why ``value`` is not a valid id ("it contains …"), naming the character at fault; None when it is one."""
    if SLUG.match(value) and len(value) <= SLUG_MAX:
        return "it is reserved (it names the index page of each folder)" if value in limits.RESERVED_IDS else None
    bad = next((c for c in value if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-")), None)
    if len(value) > SLUG_MAX:
        return f"it has {len(value)} characters, at most {SLUG_MAX} are allowed"
    if bad is not None and not bad.isascii():
        return (
            f"it contains {limits.describe_character(bad)}, which is not a-z, 0-9 or a hyphen "
            "(a letter from another alphabet can look like a Latin one)"
        )
    if bad is not None and "A" <= bad <= "Z":
        return f"it contains the capital letter '{bad}'"
    if bad is not None:
        return (
            f"it contains {limits.describe_character(bad)}"
            if not bad.isprintable() or bad == " "
            else f"it contains '{bad}'"
        )
    return "a hyphen may not start or end it, nor follow another" if value else "it is empty"


def check_slug(value: str) -> str:
    """A lowercase slug: letters a-z, digits and single hyphens, at most 80 characters, not reserved."""
    problem = slug_problem(value)
    if problem:
        shown = value if len(value) <= SLUG_MAX else value[: SLUG_MAX - 1] + "…"
        raise ValueError(
            f"'{shown}' is not a valid id: {problem}; use lowercase letters a-z, digits and single hyphens "
            f"(at most {SLUG_MAX} characters), e.g. 'ain-al-asad-air-base'"
        )
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _check_date(value: str) -> str:
    parse_date(value)  # DateError is a ValueError: pydantic reports its message
    return value


def _check_date_or_unknown(value: str) -> str:
    return value if value == UNKNOWN else _check_date(value)


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA zone names of the bundled tzdata package: the same on every machine.

    ``zoneinfo.available_timezones()`` also lists what the machine has (``localtime``,
    ``posixrules``), and ``ZoneInfo`` opens any file under the zone folders, so a name
    that works on one machine could fail on another, or name a folder.
    """
    text = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(text.split())


def _check_timezone(value: str) -> str:
    if value not in time_zone_names():
        raise ValueError(f"'{value}' is not a time zone: use an IANA name such as 'Asia/Baghdad'")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # pragma: no cover - a damaged tzdata install
        raise ValueError(f"'{value}' is not a time zone: use an IANA name such as 'Asia/Baghdad'") from None
    return value


def _check_url_or_unknown(value: str) -> str:
    if value != UNKNOWN and not re.match(r"^https?://[^\s<>\"]+$", value):
        raise ValueError(f"'{value}' is not a web address: write a full http:// or https:// URL, or 'unknown'")
    return value


def _check_sha256(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ValueError("must be 64 lowercase hexadecimal characters (run `factsheet hash FILE` to compute it)")
    return value


def _check_language(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value):
        raise ValueError(f"'{value}' is not a language tag: use a BCP 47 tag such as 'en' or 'ar-IQ'")
    return value


def _check_quote(value: str) -> str:
    words = value.split()
    if len(words) < limits.QUOTE_MIN_WORDS.value or len(" ".join(words)) < limits.QUOTE_MIN_CHARS.value:
        raise ValueError(
            f"a quote must be at least {limits.QUOTE_MIN_WORDS.value} words and {limits.QUOTE_MIN_CHARS.value} "
            "characters long, so that it identifies one passage of the source: quote more of it"
        )
    return value


Slug = Annotated[str, AfterValidator(check_slug)]
Text = Annotated[str, Field(max_length=limits.LONG_TEXT_CHARS.value), AfterValidator(_check_text)]
ShortText = Annotated[str, Field(max_length=limits.SHORT_TEXT_CHARS.value), AfterValidator(_check_text)]
QuoteText = Annotated[
    str, Field(max_length=limits.QUOTE_MAX_CHARS.value), AfterValidator(_check_text), AfterValidator(_check_quote)
]
MAX_ITEMS = limits.LIST_ITEMS.value
_SHORT = Field(max_length=limits.SHORT_TEXT_CHARS.value)
DateText = Annotated[str, _SHORT, AfterValidator(_check_date)]
Duration = Annotated[str, _SHORT, AfterValidator(_check_duration)]


@dataclass(frozen=True)
class RefersTo:
    """Marks a field whose value is the id of a record of another kind.

    ``kind`` is the folder of that kind under ``facts/``; ``none`` is a value that
    stands for no record at all (an outlet that is ``unknown``). Every stage that
    follows references (check, index, search, diff) finds them through this mark, with
    the walkers of :mod:`generator.walk`.
    """

    kind: str
    none: str | None = None


@dataclass(frozen=True)
class NotItself:
    """Marks a reference that must not point at the record holding it; ``message`` says so."""

    message: str


@dataclass(frozen=True)
class OtherAnswer:
    """Marks a field whose value is the id of another claim of the same question.

    A claim is no record of its own, so this is no reference between records: the checks
    make sure it names another answer to the question (generator/check.py).
    """


AnswerRef = Annotated[Slug, OtherAnswer()]
ActorRef = Annotated[Slug, RefersTo("actors")]
PlaceRef = Annotated[Slug, RefersTo("places")]
IncidentRef = Annotated[Slug, RefersTo("incidents")]
SourceRef = Annotated[Slug, RefersTo("sources")]
OutletRef = Annotated[Slug, RefersTo("actors", none=UNKNOWN)]


class Record(BaseModel):
    """Base of every part of a fact file: unknown keys and type coercion are errors."""

    model_config = ConfigDict(extra="forbid", strict=True)


class FactFile(Record):
    """Base of the four record kinds; each lives in a file named after its id."""

    id: Slug | None = Field(
        None, description="Optional: the record's id is its file name; when given here, it must match it."
    )


class Citation(Record):
    """A source and the verbatim passage of it that supports a statement."""

    source: SourceRef = Field(description="Id of the source document (a file in facts/sources/).")
    quote: QuoteText = Field(
        description="The passage, verbatim. Checked against the archived text; only whitespace, "
        "curly versus straight quotes and dash variants may differ."
    )
    attributed_to: ActorRef | None = Field(
        None,
        description="Id of the actor the source attributes the statement to (a news agency, a local "
        "outlet, a spokesperson), when it is not the source's own reporting.",
    )
    attribution: ShortText | None = Field(
        None,
        description="How the source attributes the statement, in words, when no actor fits "
        "('sources based near the site', 'footage on social media').",
    )
    via: list[ActorRef] = Field(
        max_length=MAX_ITEMS,
        default_factory=list,
        description="Ids of the actors that passed the statement on between whom it is attributed to and "
        "the source, nearest the speaker first (a report quoting France 24 quoting AFP: "
        "'attributed_to: afp', 'via: [france-24]').",
    )


SourceKind = Literal[
    "news-report",
    "official-statement",
    "social-media-post",
    "press-release",
    "interview",
    "transcript",
    "report",
    "other",
]


class Source(FactFile):
    """An archived document. Its verbatim text is the body of the Markdown file."""

    title: ShortText = Field(description="The document's own headline or title, as published.")
    outlet: OutletRef = Field(
        description="Id of the actor that published it (a media outlet, agency or government body), or 'unknown'."
    )
    author: ShortText = Field(description="The byline as printed, or 'unknown'.")
    published: Annotated[str, _SHORT, AfterValidator(_check_date_or_unknown)] = Field(
        description="When it was published, as an EDTF date with the precision the document gives "
        "(with its UTC offset where known), or 'unknown'."
    )
    url: Annotated[str, Field(max_length=limits.LONG_TEXT_CHARS.value), AfterValidator(_check_url_or_unknown)] = Field(
        description="Where it was published, or 'unknown'."
    )
    language: Annotated[str, _SHORT, AfterValidator(_check_language)] = Field(
        description="BCP 47 language tag, e.g. 'en'."
    )
    kind: SourceKind = Field(description="What sort of document it is.")
    retrieved: DateText = Field(description="When the text was archived (EDTF date).")
    sha256: Annotated[str, _SHORT, AfterValidator(_check_sha256)] = Field(
        description="SHA-256 of the body (the text after the front matter, without one final newline)."
    )
    provenance: ShortText | None = Field(None, description="Where the archived copy came from (file name, archive).")
    notes: dict[str, Text] = Field(
        max_length=MAX_ITEMS,
        default_factory=dict,
        description="Notes keyed by field name, e.g. what the text suggests about an 'unknown' outlet or date.",
    )


ActorKind = Literal[
    "person",
    "armed-group",
    "state",
    "government-body",
    "military-force",
    "coalition",
    "media-outlet",
    "news-agency",
    "political-party",
    "organisation",
    "other",
]
ActorRelationKind = Literal[
    "spokesperson-of",
    "member-of",
    "part-of",
    "leader-of",
    "commander-of",
    "deputy-of",
    "backed-by",
    "affiliated-with",
    "operated-by",
]


class ActorRelation(Record):
    """A cited relation from this actor to another one."""

    relation: ActorRelationKind = Field(description="How this actor relates to the other.")
    actor: Annotated[ActorRef, NotItself("an actor cannot be related to itself")] = Field(
        description="Id of the other actor."
    )
    citations: list[Citation] = Field(max_length=MAX_ITEMS, min_length=1, description="Where the relation is stated.")


class Actor(FactFile):
    """A person, group, state, body, force or outlet."""

    name: ShortText = Field(description="The name the site uses, in its most common spelling.")
    kind: ActorKind = Field(description="What sort of actor it is.")
    aliases: list[ShortText] = Field(
        max_length=MAX_ITEMS,
        default_factory=list,
        description="Every other spelling, transliteration or abbreviation used by sources.",
    )
    description: Text = Field(description="One or two neutral sentences.")
    relations: list[ActorRelation] = Field(
        max_length=MAX_ITEMS, default_factory=list, description="Cited relations to other actors."
    )


PlaceKind = Literal[
    "country",
    "province",
    "city",
    "district",
    "neighbourhood",
    "compound",
    "facility",
    "military-base",
    "airport",
    "border-area",
    "region",
    "other",
]


class Coordinates(Record):
    """A point and how precise it is."""

    lat: float = Field(ge=-90, le=90, description="Latitude in decimal degrees (WGS 84).")
    lon: float = Field(ge=-180, le=180, description="Longitude in decimal degrees (WGS 84).")
    precision_m: int = Field(gt=0, description="Radius in metres within which the place lies.")


class Place(FactFile):
    """A named place, inside a parent place."""

    name: ShortText = Field(description="The name the site uses.")
    kind: PlaceKind = Field(description="What sort of place it is.")
    aliases: list[ShortText] = Field(
        max_length=MAX_ITEMS, default_factory=list, description="Every other spelling used by sources."
    )
    parent: PlaceRef | None = Field(None, description="Id of the place it lies in (Green Zone → Baghdad → Iraq).")
    coordinates: Coordinates | None = Field(None, description="Where it is, when known.")
    timezone: Annotated[str, _SHORT, AfterValidator(_check_timezone)] | None = Field(
        None,
        description="IANA time zone (e.g. 'Asia/Baghdad'); places inside inherit it. Dates of incidents here "
        "without a UTC offset are read in it.",
    )
    description: Text | None = Field(None, description="A short neutral description.")


PartOfDay = Literal["early", "morning", "afternoon", "evening", "night", "late"]


class When(Record):
    """When an incident happened, as precisely as the sources allow and no more."""

    date: DateText | None = Field(
        None,
        description="EDTF date: a year, month, day, or minute with its UTC offset; '?' or '~' at the end; "
        "an interval START/END, '..' for an end that is not known ('../2021-07-06': on or before).",
    )
    part_of_day: PartOfDay | None = Field(
        None, description="'early' on the day, 'night', … when that is all sources say."
    )
    relative_to: Annotated[IncidentRef, NotItself("an incident cannot be dated relative to itself")] | None = Field(
        None, description="Id of the incident this one is dated against."
    )
    relation: Literal["before", "after"] | None = Field(None, description="Before or after that incident.")
    within: Duration | None = Field(
        None,
        description="How far before or after at most, as an ISO 8601 duration (PT12H, P3D); "
        "required when there is no 'date'.",
    )
    at_least: Duration | None = Field(
        None, description="How far before or after at least, as an ISO 8601 duration ('several days': P2D)."
    )
    note: Text | None = Field(None, description="How the sources put it ('early Tuesday', 'hours after').")

    @model_validator(mode="after")
    def _complete(self) -> When:
        if self.date is None and self.relative_to is None:
            raise ValueError("give 'date', or 'relative_to' with 'relation' and 'within'")
        if self.relative_to is not None and self.relation is None:
            raise ValueError("'relative_to' needs 'relation' (before or after)")
        if self.relative_to is not None and self.date is None and self.within is None:
            raise ValueError(
                "'relative_to' without a 'date' needs 'within' (e.g. PT12H): how far before or after at most"
            )
        if self.relative_to is None and (
            self.relation is not None or self.within is not None or self.at_least is not None
        ):
            raise ValueError(
                "'relation', 'within' and 'at_least' need 'relative_to' (the incident this one is dated against)"
            )
        if (
            self.within is not None
            and self.at_least is not None
            and parse_duration(self.at_least) >= parse_duration(self.within)
        ):
            raise ValueError("'at_least' must be shorter than 'within'")
        return self

    def edtf(self, zone: tzinfo | None = None) -> EDTFDate | None:
        """The parsed date, read in the place's time zone when it has no UTC offset."""
        return parse_date(self.date, zone) if self.date else None

    @property
    def within_delta(self) -> timedelta | None:
        return parse_duration(self.within) if self.within else None

    @property
    def at_least_delta(self) -> timedelta | None:
        return parse_duration(self.at_least) if self.at_least else None


ActorRole = Literal[
    "target",
    "defender",
    "perpetrator",
    "suspected-perpetrator",
    "claimed-responsibility",
    "denied-responsibility",
    "blamed",
    "threatened-retaliation",
    "spokesperson",
    "victim",
    "commander",
    "witness",
    "other",
]
IncidentType = Literal[
    "drone-attack",
    "rocket-attack",
    "missile-attack",
    "air-strike",
    "drone-strike",
    "interception",
    "bombing",
    "shooting",
    "assassination",
    "threat",
    "statement",
    "policy-decision",
    "deployment",
    "vote",
    "other",
]
IncidentRelationKind = Literal[
    "follows",
    "precedes",
    "said-to-retaliate-for",
    "said-to-respond-to",
    "part-of",
    "related-to",
]
QuestionStatus = Literal["single-source", "corroborated", "consistent", "contested"]
"""What a question's answers amount to (docs/reading.md, "Statuses"): one answer from one origin or from
several independent ones; several answers that do not conflict; or answers that do."""


ACCUSED_ROLES = ("blamed", "suspected-perpetrator")
"""Roles that say who others hold responsible, as distinct from who carried out or claimed an act."""


class IncidentActor(Record):
    """An actor's role in an incident."""

    actor: ActorRef = Field(description="Id of the actor.")
    role: ActorRole = Field(description="The actor's part in the incident.")
    by: list[ActorRef] = Field(
        max_length=MAX_ITEMS,
        default_factory=list,
        description="With 'blamed' or 'suspected-perpetrator': ids of the actors who blame or suspect it, "
        "when the sources say; leave out when they do not say by whom.",
    )
    citations: list[Citation] = Field(
        max_length=MAX_ITEMS,
        default_factory=list,
        description="Where the role is stated; required for 'blamed' and 'suspected-perpetrator'.",
    )

    @model_validator(mode="after")
    def _accusation(self) -> IncidentActor:
        if self.by and self.role not in ACCUSED_ROLES:
            raise ValueError(
                f"'by' says who blames or suspects an actor: it goes with role 'blamed' or "
                f"'suspected-perpetrator', not '{self.role}'"
            )
        if self.role in ACCUSED_ROLES and not self.citations:
            raise ValueError(f"role '{self.role}' needs 'citations': where is it said, and by whom?")
        return self


PlaceRole = Literal["impact-site", "targeted", "launch-site", "heard-in", "alarm-sounded", "nearby", "other"]


class IncidentPlace(Record):
    """Another place the incident touches, besides where it happened."""

    place: PlaceRef = Field(description="Id of the place.")
    role: PlaceRole = Field(description="How the incident touches it.")
    citations: list[Citation] = Field(max_length=MAX_ITEMS, default_factory=list, description="Where this is stated.")


class NearPlace(Record):
    """The named place an incident happened near, when sources say only that it was near it."""

    place: PlaceRef = Field(description="Id of the place the sources say it was near.")
    citations: list[Citation] = Field(max_length=MAX_ITEMS, min_length=1, description="Where the sources say so.")


class RelatedIncident(Record):
    """A link from this incident to another one."""

    incident: Annotated[IncidentRef, NotItself("an incident cannot be related to itself")] = Field(
        description="Id of the other incident."
    )
    relation: IncidentRelationKind = Field(description="How this incident relates to the other.")
    citations: list[Citation] = Field(
        max_length=MAX_ITEMS, default_factory=list, description="Where the connection is made."
    )


class Claim(Record):
    """One answer to a question, backed by citations."""

    id: Slug = Field(description="Unique within the incident; anchors and reviews refer to it.")
    text: Text = Field(description="The statement, in neutral words.")
    citations: list[Citation] = Field(
        max_length=MAX_ITEMS, min_length=1, description="The sources that say so, each with its quote."
    )
    refines: AnswerRef | None = Field(
        None,
        description="Id of another answer to the same question that this one says more precisely "
        "('three rockets' refines 'more than one rocket'): the two do not conflict. Needs the question's 'note'.",
    )
    consistent_with: list[AnswerRef] = Field(
        max_length=MAX_ITEMS,
        default_factory=list,
        description="Ids of other answers to the same question that this one does not conflict with, though "
        "neither says the other more precisely (answers about different periods, or different parts of the "
        "story). Needs the question's 'note'.",
    )


class Question(Record):
    """A question about the incident; each claim under it is a different answer."""

    id: Slug = Field(description="Unique within the incident, e.g. 'drone-count'.")
    label: ShortText = Field(description="The question, neutrally worded ('How many drones were involved?').")
    claims: list[Claim] = Field(
        max_length=MAX_ITEMS,
        min_length=1,
        description="The answers sources give; more than one means they conflict, unless the claims say with "
        "'refines' or 'consistent_with' that they do not.",
    )
    status: QuestionStatus | None = Field(None, description="Overrides the computed status; needs 'status_reason'.")
    status_reason: Text | None = Field(None, description="Why the computed status is overridden; shown on the page.")
    note: Text | None = Field(
        None,
        description="How the answers relate, in neutral words, when the status alone would mislead "
        "(answers that differ only in precision; a citation that is a phrase inside another's claim). "
        "Required when a claim 'refines' or is 'consistent_with' another: it says why they do not conflict.",
    )

    @model_validator(mode="after")
    def _reasoned_override(self) -> Question:
        if self.status is not None and self.status_reason is None:
            raise ValueError("overriding 'status' needs 'status_reason': say why the computed status is wrong")
        if self.status is None and self.status_reason is not None:
            raise ValueError("'status_reason' explains an override: set 'status' too, or remove it")
        if self.note is None and any(claim.refines or claim.consistent_with for claim in self.claims):
            raise ValueError(
                "answers marked as not conflicting ('refines', 'consistent_with') need the question's 'note': "
                "say how they relate; the page shows it"
            )
        return self


class Incident(FactFile):
    """An event at a place and time, with the questions sources answer about it."""

    title: ShortText = Field(description="A neutral title.")
    summary: Text | None = Field(None, description="One neutral paragraph; say 'reported' where only one side says so.")
    when: When = Field(description="When it happened.")
    place: PlaceRef = Field(
        description="Id of the place: where it happened, or the most precise place known to contain it."
    )
    near: NearPlace | None = Field(
        None, description="The named place it happened near, when sources say only that it was near it."
    )
    type: IncidentType = Field(description="What sort of incident it is (for a series: of its events).")
    series: bool = Field(
        False,
        description="true when the record stands for several events that sources report together "
        "(a string of attacks, a year's attacks), not for one event.",
    )
    actors: list[IncidentActor] = Field(
        max_length=MAX_ITEMS, default_factory=list, description="Who took part, and how."
    )
    other_places: list[IncidentPlace] = Field(
        max_length=MAX_ITEMS,
        default_factory=list,
        description="Other places it touches (where it was heard, where sirens sounded), each with its role.",
    )
    related: list[RelatedIncident] = Field(
        max_length=MAX_ITEMS, default_factory=list, description="Other incidents it connects to."
    )
    tags: list[Slug] = Field(
        max_length=MAX_ITEMS, default_factory=list, description="Slugs that group incidents across types and places."
    )
    questions: list[Question] = Field(
        max_length=MAX_ITEMS, min_length=1, description="What sources say about it, question by question."
    )


@dataclass(frozen=True)
class Kind:
    """A kind of record: its folder under ``facts/`` (and under the docs folder), its name, its files."""

    folder: str  # facts/incidents/, docs/incidents/, the kind's id everywhere
    singular: str  # `factsheet new incident`, schemas/incident.json, templates/incident.md.j2
    extension: str  # .yaml, or .md for a front matter block followed by a text
    model: type[FactFile]
    unreferenced: str | None = None  # the warning when nothing refers to a record of this kind

    @property
    def heading(self) -> str:
        return self.folder.capitalize()

    @property
    def has_body(self) -> bool:
        """Whether the file is front matter followed by a text (a source's archived text)."""
        return self.extension == ".md"


KINDS: dict[str, Kind] = {
    kind.folder: kind
    for kind in (
        Kind("incidents", "incident", ".yaml", Incident),
        Kind(
            "actors",
            "actor",
            ".yaml",
            Actor,
            "nothing refers to this actor: link it from an incident, a relation or a citation, or remove it",
        ),
        Kind(
            "places",
            "place",
            ".yaml",
            Place,
            "nothing refers to this place: link it from an incident or as a parent, or remove it",
        ),
        Kind("sources", "source", ".md", Source, "nothing cites this source: cite it from a claim, or remove it"),
    )
}
"""Every kind of record, in the order pages, summaries and listings show them."""
