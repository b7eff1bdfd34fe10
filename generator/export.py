"""The record as data: CSV tables, GeoJSON, a Frictionless data package and a CITATION.cff.

Written by the build into ``docs/downloads/`` (and so published in ``site/downloads/``),
from the same index the pages are rendered from, so the files say what the pages say:

* ``incidents.csv``: one row per incident. Columns follow ACLED and UCDP GED where they
  fit (``event_date``, ``date_start``/``date_end``, ``date_precision``, ``latitude``,
  ``longitude``, ``geo_precision``, ``notes``);
* ``claims.csv``: one row per claim (an answer to a question), with its question's
  status and the ids of the sources it cites;
* ``citations.csv``: one row per citation of a claim: the verbatim quote and its source;
* ``sources.csv``: one row per archived source;
* ``incidents.geojson``: the incidents as RFC 7946 features, at the coordinates of their
  place (or of the nearest place around it that has coordinates, said in ``geo_place``);
* ``datapackage.json``: a Frictionless Data Package describing every file and column;
* ``CITATION.cff``: how to cite the data set.

Each table is declared once (:data:`TABLES`): its columns with their type and meaning,
read by both the CSV writer and the data package, so the two cannot disagree.

Fact files come from strangers: a text cell that begins with ``=``, ``+``, ``-``, ``@``
(or a tab or carriage return) would run as a formula when the CSV is opened in a
spreadsheet, so it is written with a leading apostrophe (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, get_args

import yaml

from generator.dates import Interval, parse_date
from generator.history import History
from generator.index import Index
from generator.models import UNKNOWN, Incident, Place, QuestionStatus
from generator.project import Project

DOWNLOADS = "downloads"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe before a formula character."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless field type: string, integer, number, boolean, date
    description: str


@dataclass(frozen=True)
class Table:
    name: str  # resource name; the file is <name>.csv
    title: str
    description: str
    columns: list[Column]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]]
    rows: Callable[[Exporter], Iterable[Any]]


STATUS_WORDS = ", ".join(get_args(QuestionStatus)[:-1]) + " or " + get_args(QuestionStatus)[-1]
"""The statuses a question can have, in words: 'single-source, corroborated, consistent or contested'."""


def _is_open(instant: datetime) -> bool:
    """An open end of an interval ('on or before'), or a date no record resolved."""
    return instant.year in (1, 9999)


def _join(values: Iterable[str]) -> str:
    return "; ".join(values)


class Exporter:
    """Turns an :class:`Index` into the data files."""

    def __init__(self, index: Index, project: Project, history: History) -> None:
        self.index = index
        self.corpus = index.corpus
        self.project = project
        self.history = history

    # ----- what each incident's columns need -----

    def local_dates(self, incident_id: str) -> tuple[date | None, date | None]:
        """First and last day the incident's date allows, in its place's time zone.

        Where the place has no time zone, the days as written (a date without an offset
        is otherwise widened to every time zone on Earth, which would move it a day).
        """
        incident = self.corpus.incidents[incident_id].record
        interval: Interval = self.index.intervals[incident_id]
        zone = self.index.zone(incident.place)
        if zone is None and incident.when.date and not incident.when.relative_to:
            interval = parse_date(incident.when.date, UTC).interval
        tz: tzinfo = zone or UTC

        def day(instant: datetime, end: bool) -> date | None:
            if _is_open(instant):
                return None
            moment = instant - timedelta(microseconds=1) if end else instant
            return moment.astimezone(tz).date()

        return day(interval.earliest, False), day(interval.latest, True)

    def date_precision(self, incident_id: str) -> str:
        parsed = self.index.dates.get(incident_id)
        interval = self.index.intervals[incident_id]
        if _is_open(interval.earliest) and not _is_open(interval.latest):
            return "on-or-before"
        if _is_open(interval.latest) and not _is_open(interval.earliest):
            return "on-or-after"
        if parsed is None:
            return "relative"
        return parsed.precision

    def geo(self, place_id: str) -> tuple[Place | None, str | None]:
        """The place whose coordinates stand for ``place_id``: itself, else the nearest around it."""
        for candidate in reversed(self.index.place_path(place_id)):
            place = self.corpus.places[candidate].record
            if place.coordinates is not None:
                return place, candidate
        return None, None

    def place_name(self, place_id: str) -> str:
        place = self.corpus.places.get(place_id)
        return place.record.name if place else place_id

    def actor_name(self, actor_id: str) -> str:
        actor = self.corpus.actors.get(actor_id)
        return actor.record.name if actor else actor_id

    def incident_sources(self, incident: Incident) -> list[str]:
        found: dict[str, None] = {}
        for question in incident.questions:
            for claim in question.claims:
                for citation in claim.citations:
                    found[citation.source] = None
        for group in (incident.actors, incident.other_places, incident.related):
            for entry in group:
                for citation in entry.citations:
                    found[citation.source] = None
        return list(found)

    def url(self, kind: str, record_id: str, anchor: str = "") -> str:
        return self.project.page_url(f"{kind}/{record_id}/") + (f"#{anchor}" if anchor else "")

    # ----- rows -----

    def incident_rows(self) -> Iterable[dict[str, Any]]:
        for incident_id in self.index.incident_order:
            incident = self.corpus.incidents[incident_id].record
            start, end = self.local_dates(incident_id)
            geo_place, geo_id = self.geo(incident.place)
            coordinates = geo_place.coordinates if geo_place else None
            statuses = [(q.id, self.index.statuses[(incident_id, q.id)].value) for q in incident.questions]
            path = self.index.place_path(incident.place)
            yield {
                "id": incident_id,
                "title": incident.title,
                "event_date": incident.when.date or "",
                "date_start": start,
                "date_end": end,
                "date_precision": self.date_precision(incident_id),
                "date_note": incident.when.note or "",
                "type": incident.type,
                "actors": _join(f"{a.actor}:{a.role}" for a in incident.actors),
                "actor_names": _join(
                    f"{self.actor_name(a.actor)} ({a.role.replace('-', ' ')})" for a in incident.actors
                ),
                "place": incident.place,
                "location": self.place_name(incident.place),
                "admin_path": " > ".join(self.place_name(p) for p in path),
                "country": self.place_name(path[0]) if path else "",
                "latitude": coordinates.lat if coordinates else None,
                "longitude": coordinates.lon if coordinates else None,
                "geo_place": geo_id or "",
                "geo_precision": coordinates.precision_m if coordinates else None,
                "questions": _join(f"{qid}:{status}" for qid, status in statuses),
                "contested": any(status == "contested" for _, status in statuses),
                "source_ids": _join(self.incident_sources(incident)),
                "notes": " ".join((incident.summary or "").split()),
                "last_changed": self.history.last_change(self.corpus.incidents[incident_id].path),
                "url": self.url("incidents", incident_id),
            }

    def claim_rows(self) -> Iterable[dict[str, Any]]:
        for incident_id in self.index.incident_order:
            incident = self.corpus.incidents[incident_id].record
            for question in incident.questions:
                status = self.index.statuses[(incident_id, question.id)]
                for claim in question.claims:
                    yield {
                        "incident_id": incident_id,
                        "question_id": question.id,
                        "question": question.label,
                        "status": status.value,
                        "status_reason": question.status_reason or "",
                        "claim_id": claim.id,
                        "claim": " ".join(claim.text.split()),
                        "refines": claim.refines or "",
                        "consistent_with": _join(
                            other.id
                            for other in question.claims
                            if other.id != claim.id
                            and (other.id in claim.consistent_with or claim.id in other.consistent_with)
                        ),
                        "source_ids": _join(dict.fromkeys(c.source for c in claim.citations)),
                        "citations": len(claim.citations),
                        "url": self.url("incidents", incident_id, f"claim-{claim.id}"),
                    }

    def citation_rows(self) -> Iterable[dict[str, Any]]:
        for incident_id in self.index.incident_order:
            incident = self.corpus.incidents[incident_id].record
            for question in incident.questions:
                for claim in question.claims:
                    for number, citation in enumerate(claim.citations, start=1):
                        yield {
                            "incident_id": incident_id,
                            "question_id": question.id,
                            "claim_id": claim.id,
                            "number": number,
                            "source_id": citation.source,
                            "quote": " ".join(citation.quote.split()),
                            "attributed_to": citation.attributed_to or "",
                            "attribution": citation.attribution or "",
                        }

    def source_rows(self) -> Iterable[dict[str, Any]]:
        for source_id in sorted(self.corpus.sources):
            loaded = self.corpus.sources[source_id]
            source = loaded.record
            yield {
                "id": source_id,
                "title": source.title,
                "outlet": "" if source.outlet == UNKNOWN else source.outlet,
                "outlet_name": "" if source.outlet == UNKNOWN else self.actor_name(source.outlet),
                "author": "" if source.author == UNKNOWN else source.author,
                "published": "" if source.published == UNKNOWN else source.published,
                "source_url": "" if source.url == UNKNOWN else source.url,
                "language": source.language,
                "kind": source.kind,
                "retrieved": source.retrieved,
                "sha256": source.sha256,
                "last_changed": self.history.last_change(loaded.path),
                "url": self.url("sources", source_id),
            }

    # ----- files -----

    def csv_text(self, table: Table) -> tuple[str, int]:
        """The table as CSV (RFC 4180: comma, double quotes, CRLF), and its number of rows."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in table.columns])
        count = 0
        for row in table.rows(self):
            writer.writerow([_cell(column, row) for column in table.columns])
            count += 1
        return out.getvalue(), count

    def geojson(self) -> dict[str, Any]:
        features = []
        for row in self.incident_rows():
            has_point = row["latitude"] is not None
            properties = {
                key: (value.isoformat() if isinstance(value, date) else value)
                for key, value in row.items()
                if key not in ("latitude", "longitude", "id")
            }
            features.append(
                {
                    "type": "Feature",
                    "id": row["id"],
                    # RFC 7946: longitude first, WGS 84, at most 6 decimals are meaningful.
                    "geometry": (
                        {"type": "Point", "coordinates": [round(row["longitude"], 6), round(row["latitude"], 6)]}
                        if has_point
                        else None
                    ),
                    "properties": properties,
                }
            )
        return {"type": "FeatureCollection", "features": features}

    def package(self, files: dict[str, str]) -> dict[str, Any]:
        """The Frictionless Data Package descriptor of the files."""
        project = self.project
        resources: list[dict[str, Any]] = []
        for table in TABLES:
            path = f"{table.name}.csv"
            schema: dict[str, Any] = {
                "fields": [
                    {"name": c.name, "type": c.type, "description": c.description}
                    | ({"format": "%Y-%m-%d"} if c.type == "date" else {})
                    for c in table.columns
                ],
                "primaryKey": table.primary_key,
                "missingValues": [""],
            }
            if table.foreign_keys:
                schema["foreignKeys"] = table.foreign_keys
            resources.append(
                {
                    "name": table.name,
                    "path": path,
                    "title": table.title,
                    "description": table.description + " " + SPREADSHEET_NOTE,
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "bytes": len(files[path].encode("utf-8")),
                    "schema": schema,
                }
            )
        resources.append(
            {
                "name": "incidents-geojson",
                "path": "incidents.geojson",
                "title": "Incidents on a map",
                "description": "The incidents as GeoJSON features (RFC 7946), with the columns of incidents.csv "
                "as properties; an incident whose place has no coordinates, nor any place around it, has no geometry.",
                "format": "geojson",
                "mediatype": "application/geo+json",
                "encoding": "utf-8",
                "bytes": len(files["incidents.geojson"].encode("utf-8")),
            }
        )
        descriptor: dict[str, Any] = {
            "profile": "data-package",  # the GeoJSON file is not tabular
            "name": _package_name(project.site_name),
            "title": project.site_name,
            "description": (project.site_description or project.site_name)
            + " Every claim cites the verbatim words of an archived source; the build checks each quote "
            "against the archived text.",
            "resources": resources,
        }
        if project.site_url:
            descriptor["homepage"] = project.site_url
        if self.history.latest:
            descriptor["version"] = self.history.latest.isoformat()
        return descriptor

    def citation_cff(self) -> str:
        """How to cite the data set (Citation File Format 1.2.0)."""
        project = self.project
        cff: dict[str, Any] = {
            "cff-version": "1.2.0",
            "message": "If you use this data set, please cite it as below.",
            "type": "dataset",
            "title": project.site_name,
            "authors": [{"name": project.site_author or f"{project.site_name} contributors"}],
        }
        if project.site_description:
            cff["abstract"] = project.site_description
        if self.history.latest:
            cff["date-released"] = self.history.latest.isoformat()
            cff["version"] = self.history.latest.isoformat()
        if project.site_url:
            cff["url"] = project.site_url
        if project.repo_url:
            cff["repository"] = project.repo_url
        cff["keywords"] = ["incidents", "open data", "fact checking", "citations"]
        header = "# How to cite this data set. The software that builds it has its own CITATION.cff.\n"
        return header + yaml.safe_dump(cff, sort_keys=False, allow_unicode=True, width=1000)

    def files(self) -> tuple[dict[str, str], dict[str, int]]:
        """Every download by file name, and the number of rows (features) of each data file."""
        files: dict[str, str] = {}
        rows: dict[str, int] = {}
        for table in TABLES:
            files[f"{table.name}.csv"], rows[f"{table.name}.csv"] = self.csv_text(table)
        rows["incidents.geojson"] = len(self.index.incident_order)
        files["incidents.geojson"] = json.dumps(self.geojson(), ensure_ascii=False, indent=1) + "\n"
        files["datapackage.json"] = json.dumps(self.package(files), ensure_ascii=False, indent=2) + "\n"
        files["CITATION.cff"] = self.citation_cff()
        return files, rows


SPREADSHEET_NOTE = (
    "Text cells that would begin with =, +, - or @ begin with an apostrophe (') so that spreadsheets "
    "show them as text instead of running them as formulas; remove it to get the text as written."
)


def _cell(column: Column, row: dict[str, Any]) -> str:
    value = row[column.name]
    if value is None:
        return ""
    if column.type == "boolean":
        return "true" if value else "false"
    if column.type == "date":
        return str(value.isoformat())
    if column.type in ("integer", "number"):
        return str(value)
    return spreadsheet_safe(str(value))


def _package_name(site_name: str) -> str:
    """A data package name: lower case letters, digits, '-', '.', '_'."""
    name = "".join(c if c.isascii() and (c.isalnum() or c in "-._") else "-" for c in site_name.lower())
    return "-".join(filter(None, name.split("-"))) or "factsheet"


_col = Column


_INCIDENT_COLUMNS = [
    _col("id", "string", "The incident's id (its fact file's name)."),
    _col("title", "string", "A neutral title."),
    _col(
        "event_date",
        "string",
        "The date as the analysts wrote it, an EDTF date (ISO 8601-2): a year, month, day or minute with "
        "its UTC offset; '?' uncertain, '~' approximate; START/END an interval, '..' an end not known. "
        "Empty when the incident is dated only against another one.",
    ),
    _col(
        "date_start",
        "date",
        "The first day the date allows, in the place's time zone (UCDP's date_start). Empty when no "
        "earliest day is known.",
    ),
    _col("date_end", "date", "The last day the date allows (UCDP's date_end). Empty when no latest day is known."),
    _col(
        "date_precision",
        "string",
        "How precise the date is: minute, day, month, year, interval (between two dates), on-or-before (no "
        "earliest day known), on-or-after, or relative (only dated against another incident).",
    ),
    _col("date_note", "string", "How the sources put the date, in their words."),
    _col("type", "string", "What sort of incident it is (ACLED's event_type), e.g. drone-attack."),
    _col("actors", "string", "Actors and their roles, 'actor-id:role', separated by '; '."),
    _col("actor_names", "string", "The same actors by name, with their roles in words."),
    _col("place", "string", "The id of the place where it happened."),
    _col("location", "string", "The name of that place (ACLED's location)."),
    _col("admin_path", "string", "The place and the places it lies in, outermost first, separated by ' > '."),
    _col("country", "string", "The outermost place around it (usually the country)."),
    _col("latitude", "number", "Latitude (WGS 84) of geo_place. Empty when no place around it has coordinates."),
    _col("longitude", "number", "Longitude (WGS 84) of geo_place."),
    _col(
        "geo_place",
        "string",
        "The place whose coordinates are given: the incident's place, or the nearest place around it "
        "that has coordinates (then the point is that larger place's, not the incident's).",
    ),
    _col(
        "geo_precision", "integer", "Radius in metres within which geo_place lies (ACLED's geo_precision, in metres)."
    ),
    _col(
        "questions",
        "string",
        "Each question about the incident with its status, 'question-id:status' separated by '; '; a status is "
        f"{STATUS_WORDS}.",
    ),
    _col("contested", "boolean", "Whether sources give conflicting answers to any question about it."),
    _col("source_ids", "string", "The ids of the sources cited anywhere on the incident, separated by '; '."),
    _col("notes", "string", "The neutral summary (ACLED's notes)."),
    _col("last_changed", "date", "When its fact file last changed, from the repository's history."),
    _col("url", "string", "The incident's page."),
]

TABLES = [
    Table(
        "incidents",
        "Incidents",
        "One row per incident.",
        _INCIDENT_COLUMNS,
        ["id"],
        [],
        Exporter.incident_rows,
    ),
    Table(
        "claims",
        "Claims",
        "One row per claim: an answer that sources give to a question about an incident. Two or more claims "
        "under one question are different answers: they conflict (status contested) unless every two of them "
        "are marked as agreeing, one refining the other or each consistent with the other (status consistent).",
        [
            _col("incident_id", "string", "The incident the question is about."),
            _col("question_id", "string", "The question's id, unique within the incident."),
            _col("question", "string", "The question, neutrally worded."),
            _col("status", "string", f"The question's status: {STATUS_WORDS}."),
            _col("status_reason", "string", "Why the analysts set the status by hand, when they did."),
            _col("claim_id", "string", "The claim's id, unique within the incident."),
            _col("claim", "string", "The claim, in neutral words."),
            _col(
                "refines",
                "string",
                "The id of the claim under the same question that this one says more precisely, if any.",
            ),
            _col(
                "consistent_with",
                "string",
                "The ids of the claims under the same question that this one does not conflict with, though "
                "neither is a more precise form of the other, separated by '; ' (marked on either claim).",
            ),
            _col("source_ids", "string", "The ids of the sources it cites, separated by '; ' (see citations.csv)."),
            _col("citations", "integer", "How many citations support it (each a row of citations.csv)."),
            _col("url", "string", "The claim on the incident's page."),
        ],
        ["incident_id", "claim_id"],
        [{"fields": "incident_id", "reference": {"resource": "incidents", "fields": "id"}}],
        Exporter.claim_rows,
    ),
    Table(
        "citations",
        "Citations of claims",
        "One row per citation of a claim: the source and the verbatim words of it that support the claim.",
        [
            _col("incident_id", "string", "The incident."),
            _col("question_id", "string", "The question."),
            _col("claim_id", "string", "The claim it supports."),
            _col("number", "integer", "Its place among the claim's citations, from 1."),
            _col("source_id", "string", "The source (see sources.csv)."),
            _col("quote", "string", "The passage, verbatim; the build checks it against the archived text."),
            _col("attributed_to", "string", "The actor the source attributes the words to, when not its own."),
            _col("attribution", "string", "How the source attributes them, in words, when no actor fits."),
        ],
        ["incident_id", "claim_id", "number"],
        [
            {
                "fields": ["incident_id", "claim_id"],
                "reference": {"resource": "claims", "fields": ["incident_id", "claim_id"]},
            },
            {"fields": "source_id", "reference": {"resource": "sources", "fields": "id"}},
        ],
        Exporter.citation_rows,
    ),
    Table(
        "sources",
        "Sources",
        "One row per archived source document.",
        [
            _col("id", "string", "The source's id."),
            _col("title", "string", "Its own headline or title."),
            _col("outlet", "string", "The id of the actor that published it; empty when not stated."),
            _col("outlet_name", "string", "That actor's name."),
            _col("author", "string", "The byline as printed; empty when none."),
            _col("published", "string", "When it was published, as an EDTF date; empty when not stated."),
            _col("source_url", "string", "Where it was published; empty when not known."),
            _col("language", "string", "BCP 47 language tag."),
            _col("kind", "string", "What sort of document it is."),
            _col("retrieved", "string", "When its text was archived (EDTF date)."),
            _col("sha256", "string", "SHA-256 of the archived text."),
            _col("last_changed", "date", "When its fact file last changed, from the repository's history."),
            _col("url", "string", "Its page, with the archived text."),
        ],
        ["id"],
        [],
        Exporter.source_rows,
    ),
]


@dataclass(frozen=True)
class Download:
    """One file of the downloads folder, by name, with what a reader needs to pick it."""

    name: str
    text: str
    rows: int | None


def downloads(index: Index, project: Project, history: History) -> list[Download]:
    files, rows = Exporter(index, project, history).files()
    return [Download(name, text, rows.get(name)) for name, text in files.items()]
