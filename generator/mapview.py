"""The map page: places with coordinates, drawn without any request to a third party.

The page carries its own picture, drawn when the site is built: each place with
coordinates as a point on a plain latitude/longitude frame (no borders or coastlines,
which would need map data from elsewhere), sized by the incidents it stands for, with
the radius it is known within. A table lists the same places with their coordinates and
incident counts, so nothing depends on the picture or on JavaScript.

A reader who wants a real map behind the points may ask for one: ``docs/assets/map.js``
then loads Leaflet (vendored in ``docs/assets/vendor/leaflet/``) and OpenStreetMap's
tiles, and remembers the choice in the browser. Until the reader asks, the page makes
no request outside the site.

An incident is drawn at its place, or, when that place has no coordinates, at the
nearest place around it that has (the embassy at Baghdad's point); the table says which.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field

from markupsafe import Markup

from generator.index import Index

WIDTH = 760
PAD = 46
LABEL_CHAR = 6.4  # average width of a label character at 12px, for placing labels
WIDE_M = 50_000  # a place known only within this radius or more is drawn as an area, not a point


@dataclass
class Point:
    place_id: str
    name: str
    lat: float
    lon: float
    precision_m: int
    incidents: list[str] = field(default_factory=list)  # drawn here: at the place or inside it
    places: dict[str, int] = field(default_factory=dict)  # which places those incidents are at


def points(index: Index) -> tuple[list[Point], list[str]]:
    """The places with coordinates and the incidents each stands for; the incidents drawn nowhere."""
    corpus = index.corpus
    found: dict[str, Point] = {}
    nowhere: list[str] = []
    for place_id, loaded in corpus.places.items():
        coordinates = loaded.record.coordinates
        if coordinates is not None:
            found[place_id] = Point(
                place_id, loaded.record.name, coordinates.lat, coordinates.lon, coordinates.precision_m
            )
    for incident_id in index.incident_order:
        place_id = corpus.incidents[incident_id].record.place
        stand_in = next((p for p in reversed(index.place_path(place_id)) if p in found), None)
        if stand_in is None:
            nowhere.append(incident_id)
            continue
        point = found[stand_in]
        point.incidents.append(incident_id)
        point.places[place_id] = point.places.get(place_id, 0) + 1
    ordered = sorted(found.values(), key=lambda p: (-len(p.incidents), p.name.casefold()))
    return ordered, nowhere


def _esc(text: str) -> str:
    # Brackets as references too: Markdown link syntax inside raw HTML stays text for every reader.
    return html.escape(text, quote=True).replace("[", "&#91;").replace("]", "&#93;")


@dataclass
class _Frame:
    """An equirectangular frame around the points (degrees of longitude shortened by the
    cosine of the middle latitude, so that distances look right near it)."""

    west: float
    east: float
    south: float
    north: float

    @property
    def squash(self) -> float:
        return math.cos(math.radians((self.north + self.south) / 2))

    @property
    def scale(self) -> float:
        return (WIDTH - 2 * PAD) / max((self.east - self.west) * self.squash, 1e-6)

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.scale + 2 * PAD

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return PAD + (lon - self.west) * self.squash * self.scale, PAD + (self.north - lat) * self.scale

    def metres(self, metres: float) -> float:
        return metres / 111_320 * self.scale


def _frame(shown: list[Point], least: float) -> _Frame:
    lats = [p.lat for p in shown]
    lons = [p.lon for p in shown]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    # At least `least` degrees each way, a margin around, and not taller than wide.
    margin = max(north - south, east - west, least) * 0.12
    south, north, west, east = south - margin, north + margin, west - margin, east + margin
    if (north - south) < least:
        middle = (north + south) / 2
        south, north = middle - least / 2, middle + least / 2
    squash = math.cos(math.radians((north + south) / 2))
    if (east - west) * squash < (north - south):
        middle, half = (east + west) / 2, (north - south) / squash / 2
        west, east = middle - half, middle + half
    return _Frame(west, east, south, north)


def _step(span: float) -> float:
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30):
        if span / step <= 8:
            return step
    return 45


def _degrees(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    return f"{abs(value):g}°{hemisphere}"


def crowded(all_points: list[Point]) -> list[Point]:
    """The points drawn too close together to tell apart on the whole picture (for an
    enlarged inset): those near the point with the most incidents, when there are two or more."""
    shown = [p for p in all_points if p.incidents]
    if not shown:
        return []
    frame = _frame(shown, 2.0)
    points_only = [p for p in shown if p.precision_m < WIDE_M]
    if not points_only:
        return []
    centre = max(points_only, key=lambda p: (len(p.incidents), -p.precision_m))
    cx, cy = frame.xy(centre.lat, centre.lon)
    near = [p for p in points_only if math.dist((cx, cy), frame.xy(p.lat, p.lon)) < 24]
    return near if len(near) >= 2 else []


def draw(all_points: list[Point], href: str, title: str, least: float = 2.0, ident: str = "all") -> Markup:
    """The points on a plain latitude/longitude frame, as inline SVG; each a link to its place.

    ``least``: the smallest span of the frame, in degrees; ``ident`` tells two pictures apart.
    """
    shown = [p for p in all_points if p.incidents]
    if not shown:
        return Markup("")
    frame = _frame(shown, least)
    height = frame.height
    out = [
        f'<svg class="fs-map-svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
        f'role="group" aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<rect class="fs-map-frame" x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{height - 2 * PAD:.1f}"/>',
    ]
    step = _step(max(frame.east - frame.west, frame.north - frame.south))
    lon = math.ceil(frame.west / step) * step
    while lon < frame.east:
        x, _ = frame.xy(frame.north, lon)
        out.append(f'<line class="fs-map-grid" x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{height - PAD:.1f}"/>')
        out.append(
            f'<text class="fs-map-degree" x="{x:.1f}" y="{height - PAD + 14:.1f}">{_degrees(round(lon, 3), "E", "W")}</text>'
        )
        lon += step
    lat = math.ceil(frame.south / step) * step
    while lat < frame.north:
        _, y = frame.xy(lat, frame.west)
        out.append(f'<line class="fs-map-grid" x1="{PAD}" y1="{y:.1f}" x2="{WIDTH - PAD}" y2="{y:.1f}"/>')
        out.append(
            f'<text class="fs-map-degree" x="{PAD - 4}" y="{y + 4:.1f}" text-anchor="end">{_degrees(round(lat, 3), "N", "S")}</text>'
        )
        lat += step
    clip = f"fs-map-clip-{ident}"
    out.append(
        f'<clipPath id="{clip}"><rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{height - 2 * PAD:.1f}"/></clipPath>'
    )
    most = max(len(p.incidents) for p in shown)
    placed: list[tuple[Point, float, float, float]] = []
    # Wide areas first, so that the points inside them are drawn on top.
    for point in sorted(shown, key=lambda p: (-p.precision_m, p.name)):
        x, y = frame.xy(point.lat, point.lon)
        count = len(point.incidents)
        noun = "incident" if count == 1 else "incidents"
        label = f"{point.name}: {count} {noun} (within {_distance(point.precision_m)})"
        radius = 4 + 8 * math.sqrt(count / most)
        wide = point.precision_m >= WIDE_M
        spread = frame.metres(point.precision_m)
        cls = "fs-map-place fs-map-area" if wide else "fs-map-place"
        out.append(
            f'<a href="{_esc(href + point.place_id + "/")}" class="{cls}" aria-label="{_esc(label)}"><title>{_esc(label)}</title>'
        )
        out.append(
            f'<circle class="fs-map-spread" clip-path="url(#{clip})" cx="{x:.1f}" cy="{y:.1f}" r="{max(spread, radius):.1f}"/>'
        )
        if not wide:
            out.append(f'<circle class="fs-map-dot" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"/>')
        out.append("</a>")
        placed.append((point, x, y, radius))
    # Labels for points first, most incidents first; a label that finds no free spot is left
    # out (the point is still a link, named for screen readers, and the table lists it).
    taken: list[tuple[float, float, float, float]] = [
        (x - r, y - r, x + r, y + r) for point, x, y, r in placed if point.precision_m < WIDE_M
    ]
    labels: list[str] = []
    for point, x, y, radius in sorted(
        placed, key=lambda item: (item[0].precision_m >= WIDE_M, -len(item[0].incidents), item[0].name)
    ):
        wide = point.precision_m >= WIDE_M
        text = f"{point.name} ({len(point.incidents)})"
        box = _place_label(x, y, radius, len(text) * LABEL_CHAR, taken, wide)
        if box is not None:
            taken.append(box)
            labels.append(
                f'<text class="fs-map-label" x="{box[0]:.1f}" y="{box[3] - 3:.1f}" aria-hidden="true">{_esc(text)}</text>'
            )
    out += labels
    out.append("</svg>")
    return Markup("".join(out))


def _place_label(
    x: float, y: float, radius: float, width: float, taken: list[tuple[float, float, float, float]], wide: bool
) -> tuple[float, float, float, float] | None:
    """A free spot for a label beside its point (right, left, above, below), or None."""
    tall = 14
    if wide:  # an area: its name inside it, near its centre
        candidates = [(x - width / 2, y + dy) for dy in (-tall / 2, tall, -2 * tall, 2.5 * tall, -3.5 * tall)]
    else:
        candidates = [
            (x + radius + 3, y - tall / 2),
            (x - radius - 3 - width, y - tall / 2),
            (x - width / 2, y - radius - 2 - tall),
            (x - width / 2, y + radius + 2),
            (x + radius, y - radius - tall),
            (x + radius, y + radius),
            (x - radius - width, y - radius - tall),
            (x - radius - width, y + radius),
        ]
    for left, top in candidates:
        box = (left, top, left + width, top + tall)
        inside = left >= 2 and left + width <= WIDTH - 2 and top >= 2
        if inside and not any(_overlap(box, other) for other in taken):
            return box
    return None


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _distance(metres: int) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres} m"


def leaflet_data(all_points: list[Point], href: str) -> Markup:
    """The points as JSON for the optional tiled map, safe inside a <script> element."""
    data = [
        {
            "name": p.name,
            "lat": p.lat,
            "lon": p.lon,
            "precision_m": p.precision_m,
            "incidents": len(p.incidents),
            "href": href + p.place_id + "/",
        }
        for p in all_points
        if p.incidents
    ]
    text = json.dumps(data, ensure_ascii=False)
    # '</script>' or '<!--' inside a name cannot end the element: no '<', '>' or '&' is left.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/json" id="fs-map-data">{text}</script>')
