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
from generator.export import downloads
from generator.render import UNSEARCHED, Page, md, page_meta

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


def citation_text(r: Renderer, path: str = "", title: str | None = None) -> Markup:
    """'Site name (last change). Title. Address.' in Markdown, for the data set or a page."""
    project = r.project
    latest = r.history.latest
    parts = [md(f"{project.site_author or project.site_name + ' contributors'}.")]
    if title:
        parts.append(md(f"“{title}”."))
    parts.append(Markup(f"*{md(project.site_name)}*") + md(f", version of {r.day(latest)}." if latest else "."))
    address = project.page_url(path)
    if project.site_url:
        parts.append(Markup(f"<{address}>"))
    return Markup(" ".join(parts))


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


def reader_pages(r: Renderer) -> Iterator[Page]:
    """Every page of this module, in a stable order."""
    order = r.index.incident_order
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
        citation=citation_text(r, "downloads/"),
    )
