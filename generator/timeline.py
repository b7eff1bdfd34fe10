"""The timeline picture: incidents on a time axis, drawn as SVG when the site is built.

No script draws it: the SVG is part of the page, so it shows without JavaScript, prints,
and takes the page's colours (``currentColor`` and CSS variables, light and dark).

One lane per incident type; in each lane, a mark per incident:

* a dot for a date known to the day (a diamond when sources disagree on any question
  about the incident: "contested");
* an uncertainty window (a thin line with end ticks, like an error bar) for a date known
  only to the month, the year or between two dates: the event happened somewhere in it,
  it did not last that long;
* a solid bar for a series of events reported together, over the period they span;
* for a date not given, only bounded by a report ("on or before 6 July 2021"), a short
  dashed arrow from that day into the unknown side, never a bar across the years before.

Each mark is a link to the incident, named for screen readers ("6 July 2021: Drone
attack on the US embassy in Baghdad; drone attack; contested"). With more incidents than
a picture can show one by one, it shows how many fell in each month instead.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import get_args

from markupsafe import Markup

from generator.dates import parse_date
from generator.index import Index
from generator.models import IncidentType

TYPE_ORDER = list(get_args(IncidentType))
MAX_MARKS = 400  # above this, the picture counts incidents per month

# Geometry, in SVG user units (the picture scales to the width of the page).
WIDTH = 760
GUTTER = 118  # lane labels
RIGHT = 16
TOP = 34  # year and month labels
LANE = 30
SUB = 13  # one more row inside a lane, where marks would overlap
MIN_GAP = 9
ARROW = 30


def local_days(index: Index, incident_id: str) -> tuple[date | None, date | None]:
    """First and last day an incident's date allows, in its place's time zone.

    Where the place has no time zone, the days as written (a date without an offset is
    otherwise widened to every time zone on Earth, which would move it a day). ``None``
    for an end that is not known ('on or before').
    """
    incident = index.corpus.incidents[incident_id].record
    interval = index.intervals[incident_id]
    zone = index.zone(incident.place)
    if zone is None and incident.when.date and not incident.when.relative_to:
        interval = parse_date(incident.when.date, UTC).interval
    tz: tzinfo = zone or UTC

    def day(instant: datetime, end: bool) -> date | None:
        if instant.year in (1, 9999):  # an open end
            return None
        moment = instant - timedelta(microseconds=1) if end else instant
        return moment.astimezone(tz).date()

    return day(interval.earliest, False), day(interval.latest, True)


@dataclass(frozen=True)
class Mark:
    incident_id: str
    first: date | None  # None: not known (on or before `last`)
    last: date | None  # None: not known (on or after `first`)
    lane: str
    series: bool
    contested: bool
    label: str  # the accessible name

    @property
    def shape(self) -> str:
        if self.first is None:
            return "before"
        if self.last is None:
            return "after"
        if self.series:
            return "series"
        return "point" if (self.last - self.first).days < 2 else "window"

    @property
    def anchor_day(self) -> date:
        day = self.first or self.last
        assert day is not None
        return day


def marks(index: Index, incident_ids: list[str], describe: Callable[[str], str]) -> list[Mark]:
    """The marks of some incidents; ``describe`` words an incident's date."""
    found = []
    for incident_id in incident_ids:
        incident = index.corpus.incidents[incident_id].record
        first, last = local_days(index, incident_id)
        # A date the sources do not give (only when it was reported) is shown as not given,
        # whatever bound the record puts on it: never as a window across the months before.
        known = index.known_dates.get(incident_id)
        if known is not None and known.undated:
            first = None
        if first is None and last is None:
            continue  # a date no record resolved (check reports it)
        contested = bool(index.contested(incident_id))
        series = bool(getattr(incident, "series", False))
        words = [f"{describe(incident_id)}: {incident.title}", incident.type.replace("-", " ")]
        if series:
            words.append("a series of events")
        if contested:
            words.append("contested")
        found.append(Mark(incident_id, first, last, incident.type, series, contested, "; ".join(words)))
    return found


def _months(first: date, last: date) -> list[date]:
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


@dataclass
class _Axis:
    start: date
    end: date  # exclusive

    @property
    def scale(self) -> float:
        return (WIDTH - GUTTER - RIGHT) / max((self.end - self.start).days, 1)

    def x(self, day: date) -> float:
        return GUTTER + (day - self.start).days * self.scale


def _axis(all_marks: list[Mark]) -> _Axis:
    days = [d for m in all_marks for d in (m.first, m.last) if d is not None]
    first, last = min(days), max(days)
    start = first.replace(day=1)
    end = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    return _Axis(start, end)


def _esc(text: str) -> str:
    # Brackets as references too: Markdown link syntax inside raw HTML stays text for every reader.
    return html.escape(text, quote=True).replace("[", "&#91;").replace("]", "&#93;")


def _symbol(x: float, y: float, contested: bool, size: float = 5.5) -> str:
    if contested:
        s = size * 1.25
        return (
            f'<path class="fs-tl-symbol" d="M{x:.1f} {y - s:.1f}l{s:.1f} {s:.1f}l{-s:.1f} {s:.1f}l{-s:.1f} {-s:.1f}z"/>'
        )
    return f'<circle class="fs-tl-symbol" cx="{x:.1f}" cy="{y:.1f}" r="{size}"/>'


def _extent(mark: Mark, axis: _Axis) -> tuple[float, float]:
    """The horizontal extent of a mark, for packing marks into rows."""
    shape = mark.shape
    if shape == "before":
        assert mark.last is not None
        right = axis.x(mark.last + timedelta(days=1))
        return right - ARROW - 4, right + 7
    if shape == "after":
        assert mark.first is not None
        left = axis.x(mark.first)
        return left - 7, left + ARROW + 4
    assert mark.first is not None and mark.last is not None
    left, right = axis.x(mark.first), axis.x(mark.last + timedelta(days=1))
    if shape == "point":
        middle = (left + right) / 2
        return middle - 7, middle + 7
    return left - 5, right + 5


def _pack(lane_marks: list[Mark], axis: _Axis) -> list[int]:
    """A row inside the lane for each mark, so that no two marks overlap (first fit)."""
    ends: list[float] = []
    rows = []
    for mark in lane_marks:
        left, right = _extent(mark, axis)
        for row, end in enumerate(ends):
            if left >= end + MIN_GAP:
                ends[row] = right
                rows.append(row)
                break
        else:
            ends.append(right)
            rows.append(len(ends) - 1)
    return rows


def _draw_mark(mark: Mark, axis: _Axis, y: float, href: str) -> str:
    shape = mark.shape
    classes = f"fs-tl-mark fs-tl-{shape}" + (" fs-tl-contested" if mark.contested else "")
    parts = [
        f'<a href="{_esc(href)}" class="{classes}" aria-label="{_esc(mark.label)}"><title>{_esc(mark.label)}</title>'
    ]
    if shape == "point":
        assert mark.first is not None and mark.last is not None
        x = (axis.x(mark.first) + axis.x(mark.last + timedelta(days=1))) / 2
        parts.append(_symbol(x, y, mark.contested))
    elif shape in ("window", "series"):
        assert mark.first is not None and mark.last is not None
        left, right = axis.x(mark.first), axis.x(mark.last + timedelta(days=1))
        if shape == "series":
            parts.append(
                f'<rect class="fs-tl-bar" x="{left:.1f}" y="{y - 3.5:.1f}" width="{right - left:.1f}" height="7" rx="3.5"/>'
            )
        else:
            parts.append(f'<line class="fs-tl-range" x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}"/>')
        for end in (left, right):
            if mark.contested:
                parts.append(_symbol(end, y, True, 4))
            else:
                parts.append(
                    f'<line class="fs-tl-tick" x1="{end:.1f}" y1="{y - 5:.1f}" x2="{end:.1f}" y2="{y + 5:.1f}"/>'
                )
    else:
        if shape == "before":
            assert mark.last is not None
            known = axis.x(mark.last + timedelta(days=1))
            tip = known - ARROW
            head = f"M{tip + 6:.1f} {y - 4:.1f}L{tip:.1f} {y:.1f}L{tip + 6:.1f} {y + 4:.1f}"
        else:
            assert mark.first is not None
            known = axis.x(mark.first)
            tip = known + ARROW
            head = f"M{tip - 6:.1f} {y - 4:.1f}L{tip:.1f} {y:.1f}L{tip - 6:.1f} {y + 4:.1f}"
        parts.append(f'<line class="fs-tl-open" x1="{known:.1f}" y1="{y:.1f}" x2="{tip:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<path class="fs-tl-open" d="{head}"/>')
        parts.append(_symbol(known, y, mark.contested, 4.5))
    # A wider, invisible target, so that a small mark is easy to hit with a finger.
    left, right = _extent(mark, axis)
    parts.append(f'<rect class="fs-tl-hit" x="{left:.1f}" y="{y - 9:.1f}" width="{right - left:.1f}" height="18"/>')
    parts.append("</a>")
    return "".join(parts)


def _grid(axis: _Axis, height: float) -> list[str]:
    """Month ticks, with year labels; only years when the span is long."""
    out = []
    months = _months(axis.start, axis.end - timedelta(days=1))
    label_months = len(months) <= 30
    for month in months:
        x = axis.x(month)
        if month.month == 1 or month == months[0]:
            out.append(f'<line class="fs-tl-year-line" x1="{x:.1f}" y1="{TOP - 18}" x2="{x:.1f}" y2="{height:.1f}"/>')
            out.append(f'<text class="fs-tl-year" x="{x + 3:.1f}" y="{TOP - 20}">{month.year}</text>')
        else:
            out.append(f'<line class="fs-tl-month-line" x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height:.1f}"/>')
        if label_months and axis.scale * 28 >= 22:
            out.append(f'<text class="fs-tl-month" x="{x + 2:.1f}" y="{TOP - 6}">{month:%b}</text>')
    return out


def draw(all_marks: list[Mark], href: Callable[[str], str], title: str, counts_href: Callable[[date], str]) -> Markup:
    """The picture of the marks (or of monthly counts when there are too many), as inline SVG."""
    if not all_marks:
        return Markup("")
    if len(all_marks) > MAX_MARKS:
        return _draw_counts(all_marks, title, counts_href)
    axis = _axis(all_marks)
    lanes: dict[str, list[Mark]] = defaultdict(list)
    for mark in sorted(all_marks, key=lambda m: (_extent(m, axis)[0], m.incident_id)):
        lanes[mark.lane].append(mark)
    body: list[str] = []
    y = TOP + 4
    lane_rows: list[tuple[str, float, float]] = []
    for lane in sorted(lanes, key=lambda t: TYPE_ORDER.index(t) if t in TYPE_ORDER else len(TYPE_ORDER)):
        rows = _pack(lanes[lane], axis)
        height = LANE + SUB * max(rows)
        lane_rows.append((lane, y, height))
        for mark, row in zip(lanes[lane], rows, strict=True):
            body.append(_draw_mark(mark, axis, y + LANE / 2 + row * SUB, href(mark.incident_id)))
        y += height
    height = y + 6
    out = [
        f'<svg class="fs-tl-svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
        f'role="group" aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg">',
    ]
    for index, (lane, top, lane_height) in enumerate(lane_rows):
        if index % 2 == 0:
            out.append(f'<rect class="fs-tl-lane" x="0" y="{top:.1f}" width="{WIDTH}" height="{lane_height:.1f}"/>')
        out.append(
            f'<text class="fs-tl-label" x="6" y="{top + LANE / 2 + 4:.1f}">{_esc(lane.replace("-", " "))}</text>'
        )
    out += _grid(axis, height)
    out += body
    out.append("</svg>")
    return Markup("".join(out))


def _draw_counts(all_marks: list[Mark], title: str, counts_href: Callable[[date], str]) -> Markup:
    """Incidents per month as bars (the contested part darker), each bar a link to that month."""
    per_month: dict[date, list[Mark]] = defaultdict(list)
    for mark in all_marks:
        per_month[mark.anchor_day.replace(day=1)].append(mark)
    axis = _axis(all_marks)
    top, chart = TOP + 4, 120
    most = max(len(v) for v in per_month.values())
    out = [
        f'<svg class="fs-tl-svg" viewBox="0 0 {WIDTH} {top + chart + 8}" width="{WIDTH}" height="{top + chart + 8}" '
        f'role="group" aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<text class="fs-tl-label" x="6" y="{top + 12}">incidents</text>',
        f'<text class="fs-tl-label" x="6" y="{top + 28}">per month</text>',
    ]
    out += _grid(axis, top + chart)
    for month, month_marks in sorted(per_month.items()):
        left = axis.x(month)
        width = max(axis.x((month + timedelta(days=32)).replace(day=1)) - left - 1, 1)
        total = len(month_marks)
        contested = sum(m.contested for m in month_marks)
        bar = chart * total / most
        part = chart * contested / most
        base = top + chart
        label = f"{month:%B %Y}: {total} incident{'s' if total != 1 else ''}, {contested} contested"
        out.append(
            f'<a href="{_esc(counts_href(month))}" class="fs-tl-mark" aria-label="{_esc(label)}"><title>{_esc(label)}</title>'
        )
        out.append(
            f'<rect class="fs-tl-count" x="{left:.1f}" y="{base - bar:.1f}" width="{width:.1f}" height="{bar:.1f}"/>'
        )
        if part:
            out.append(
                f'<rect class="fs-tl-count fs-tl-contested" x="{left:.1f}" y="{base - part:.1f}" width="{width:.1f}" height="{part:.1f}"/>'
            )
        out.append("</a>")
    out.append("</svg>")
    return Markup("".join(out))


LEGEND = Markup(
    '<ul class="fs-tl-legend">'
    '<li><svg viewBox="0 0 40 16" width="40" height="16" aria-hidden="true"><circle class="fs-tl-symbol" cx="20" cy="8" r="5"/></svg> '
    "an incident on a known day</li>"
    '<li class="fs-tl-contested"><svg viewBox="0 0 40 16" width="40" height="16" aria-hidden="true">'
    '<path class="fs-tl-symbol" d="M20 1l7 7l-7 7l-7-7z"/></svg> sources disagree on something about it (contested)</li>'
    '<li><svg viewBox="0 0 40 16" width="40" height="16" aria-hidden="true"><line class="fs-tl-range" x1="4" y1="8" x2="36" y2="8"/>'
    '<line class="fs-tl-tick" x1="4" y1="3" x2="4" y2="13"/><line class="fs-tl-tick" x1="36" y1="3" x2="36" y2="13"/></svg> '
    "one event on a day somewhere in this window (the date is uncertain; it did not last that long)</li>"
    '<li><svg viewBox="0 0 40 16" width="40" height="16" aria-hidden="true"><rect class="fs-tl-bar" x="4" y="4.5" width="32" height="7" rx="3.5"/></svg> '
    "a series of events over this period</li>"
    '<li><svg viewBox="0 0 40 16" width="40" height="16" aria-hidden="true"><line class="fs-tl-open" x1="30" y1="8" x2="4" y2="8"/>'
    '<path class="fs-tl-open" d="M10 4L4 8L10 12"/><circle class="fs-tl-symbol" cx="30" cy="8" r="4.5"/></svg> '
    "date not given: reported by this day, at an unknown time before</li>"
    "</ul>"
)


def figure(picture: Markup, caption: str) -> Markup:
    """The picture in a figure that scrolls sideways on a narrow screen, with its legend."""
    if not picture:
        return Markup("")
    return Markup(
        '<figure class="fs-timeline">\n'
        f'<div class="fs-timeline__scroll" tabindex="0" role="region" aria-label="{_esc(caption)}">'
        f"{picture}</div>\n"
        f"<figcaption>{_esc(caption)}</figcaption>\n"
        f"{LEGEND}\n"
        "</figure>"
    )
