"""The pages a reader finds their way in by: home, incidents by year, type and status,
the timeline picture, the map and the downloads.

Each is generated from the index, so its counts are true; the record pages themselves
(incidents, actors, places, sources) are rendered by :mod:`generator.render`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from generator import mapview, timeline
from generator.dates import DatePart
from generator.export import downloads
from generator.render import UNSEARCHED, Page, page_meta

if TYPE_CHECKING:
    from generator.render import Renderer

FILE_DESCRIPTIONS = {
    "incidents.csv": "One row per incident: date, type, actors and roles, place and coordinates, question statuses.",
    "claims.csv": "One row per claim: the answer sources give to a question, with the question's status.",
    "citations.csv": "One row per citation of a claim: the source and its verbatim words.",
    "sources.csv": "One row per archived source: title, outlet, author, dates, address.",
    "incidents.geojson": "The incidents as map features (GeoJSON, RFC 7946).",
    "datapackage.json": "What every file and column holds (Frictionless Data Package).",
    "CITATION.cff": "How to cite the data set (Citation File Format).",
}


PAGE_ENTRIES = 500  # most incidents one list page holds: a bigger year is split into months
HOME_LATEST = 5  # incidents under "Latest" on the home page
HOME_QUESTIONS = 10  # contested questions on the home page
INDEX_LATEST = 100  # incidents on the incidents page, when they do not all fit


@dataclass(frozen=True)
class Period:
    """A year (or, in a year too big for one page, a month) of incidents, newest first."""

    title: str
    path: str  # from the docs folder: 'years/2021.md'
    incidents: list[str]


@dataclass(frozen=True)
class FileEntry:
    name: str
    description: str
    rows: int | None
    size: str


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB" if size >= 10_000 else f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def timeline_picture(r: Renderer, incident_ids: list[str], root: str, title: str) -> Markup:
    """The timeline picture of some incidents, for a page ``root`` away from the site root ('../')."""
    marks = timeline.marks(r.index, incident_ids, lambda incident_id: str(r.macros.list_date(incident_id)))
    picture = timeline.draw(
        marks,
        href=lambda incident_id: f"{root}incidents/{incident_id}/",
        title=title,
        counts_href=lambda month: f"{root}timeline/#{month:%Y}",
    )
    return timeline.figure(picture, title)


def periods(r: Renderer) -> list[tuple[Period, list[Period]]]:
    """Each year with incidents, newest first, with its months when it is too big for one page."""
    by_year: dict[int, list[str]] = {}
    for incident_id in reversed(r.index.incident_order):
        by_year.setdefault(r.index.local_earliest(incident_id).year, []).append(incident_id)
    found = []
    for year, incident_ids in by_year.items():
        parts: list[Period] = []
        if len(incident_ids) > PAGE_ENTRIES:
            by_month: dict[int, list[str]] = {}
            for incident_id in incident_ids:
                by_month.setdefault(r.index.local_earliest(incident_id).month, []).append(incident_id)
            parts = [
                Period(str(r.macros.day(DatePart(year, month))), f"years/{year}-{month:02d}.md", ids)
                for month, ids in by_month.items()
            ]
        found.append((Period(str(year), f"years/{year}.md", incident_ids), parts))
    return found


def _countries(r: Renderer) -> list[str]:
    """The countries the incidents happened in (or the outermost places, where no country is recorded)."""
    places = r.corpus.places
    found: dict[str, int] = {}
    for incident_id in r.index.incident_order:
        place_id, outermost, country = r.corpus.incidents[incident_id].record.place, None, None
        seen: set[str] = set()
        while place_id in places and place_id not in seen:
            seen.add(place_id)
            outermost = place_id
            if places[place_id].record.kind == "country":
                country = place_id
                break
            place_id = places[place_id].record.parent or ""
        chosen = country or outermost
        if chosen:
            found[chosen] = found.get(chosen, 0) + 1
    return sorted(found, key=lambda p: (-found[p], places[p].record.name.casefold()))


def home_page(r: Renderer) -> Page:
    index = r.index
    order = index.incident_order
    dated = [i for i in order if not (index.known_dates.get(i) is not None and index.known_dates[i].undated)]
    days = sorted(index.local_earliest(i).date() for i in dated or order)
    questions = [(i, q) for i in reversed(order) for q in index.contested(i)]
    return r.page(
        "index.md",
        "home.md.j2",
        {**page_meta(r.project.site_name), **UNSEARCHED},
        order=order,
        first=days[0].year if days else "",
        last=days[-1].year if days else "",
        countries=_countries(r),
        n_sources=len(r.corpus.sources),
        n_actors=len(r.corpus.actors),
        n_places=len(r.corpus.places),
        contested_total=len(questions),
        contested_incidents=len({i for i, _ in questions}),
        latest=r.day(r.history.latest) if r.history.latest else None,
        newest=list(reversed(dated))[:HOME_LATEST],
        open_questions=questions[:HOME_QUESTIONS],
        picture=timeline_picture(r, order, "", f"Timeline of the {len(order)} incidents by type") if order else "",
    )


def incident_lists(r: Renderer) -> Iterator[Page]:
    """The incidents page (newest first) and a page per year, or per month of a big year."""
    newest = list(reversed(r.index.incident_order))
    shown = newest if len(newest) <= PAGE_ENTRIES else newest[:INDEX_LATEST]
    shown_by_year: dict[int, list[str]] = {}
    for incident_id in shown:
        shown_by_year.setdefault(r.index.local_earliest(incident_id).year, []).append(incident_id)
    found = periods(r)
    years = [year for year, _ in found]
    yield r.page(
        "incidents/index.md",
        "incidents_index.md.j2",
        {**page_meta("Incidents"), **UNSEARCHED},
        years=years,
        shown=shown,
        shown_by_year=list(shown_by_year.items()),
    )
    for number, (year, parts) in enumerate(found):
        yield _period_page(r, year, years, number, parts)
        for part_number, part in enumerate(parts):
            yield _period_page(r, part, parts, part_number, [])


def _period_page(r: Renderer, period: Period, siblings: list[Period], number: int, parts: list[Period]) -> Page:
    return r.page(
        period.path,
        "period.md.j2",
        {**page_meta(f"Incidents in {period.title}"), **UNSEARCHED},
        period=period,
        parts=parts,
        previous=siblings[number + 1] if number + 1 < len(siblings) else None,
        following=siblings[number - 1] if number > 0 else None,
    )


def reader_pages(r: Renderer) -> Iterator[Page]:
    """Every page of this module, in a stable order."""
    order = r.index.incident_order
    yield home_page(r)
    yield from incident_lists(r)
    yield r.page(
        "timeline/index.md",
        "timeline.md.j2",
        {**page_meta("Timeline"), **UNSEARCHED},
        picture=timeline_picture(r, order, "../", f"Timeline of the {len(order)} incidents by type"),
        years=r._timeline(),
    )
    points, nowhere = mapview.points(r.index)
    title = "Places where incidents happened, on a latitude and longitude frame"
    crowd = mapview.crowded(points)
    around = max(crowd, key=lambda p: p.precision_m).name if crowd else ""
    inset_title = f"The places around {around}, enlarged"
    yield r.page(
        "map/index.md",
        "map.md.j2",
        {**page_meta("Map"), **UNSEARCHED},
        picture=mapview.draw(points, "../places/", title),
        inset=mapview.draw(crowd, "../places/", inset_title, least=0.04, ident="inset") if crowd else "",
        inset_title=inset_title,
        data=mapview.leaflet_data(points, "../places/"),
        title=title,
        points=points,
        nowhere=nowhere,
    )
    files = downloads(r.index, r.project, r.history)
    entries = []
    for file in files:
        yield Page(f"downloads/{file.name}", file.text)
        entries.append(
            FileEntry(file.name, FILE_DESCRIPTIONS[file.name], file.rows, human_size(len(file.text.encode("utf-8"))))
        )
    yield r.page(
        "downloads/index.md",
        "downloads.md.j2",
        {**page_meta("Downloads"), **UNSEARCHED},
        files=entries,
        latest=r.day(r.history.latest) if r.history.latest else None,
        citation=r.citation_text("downloads/"),
    )
