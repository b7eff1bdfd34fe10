"""Dates with their precision: a subset of EDTF (ISO 8601-2) that analysts write as text.

Accepted forms (``?`` uncertain, ``~`` approximate, ``%`` both, at the end):

* ``2021`` a year, ``2021-07`` a month, ``2021-07-06`` a day;
* ``2021-07-05T14:45+03:00`` a minute with its UTC offset (``Z`` for UTC);
* ``2021-07-05T14:45`` a minute whose offset is unknown;
* ``2021-06-27/2021-07-01`` an interval between two of the above;
* ``../2021-07-06`` on or before a date, ``2021-07-06/..`` on or after it (an open
  interval: the other end is not known).

Each parses to an :class:`Interval` of UTC instants: the earliest and latest moment
the text allows; an open end is :data:`OPEN_START` or :data:`OPEN_END`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from generator.limits import WITHIN_DAYS, YEAR_MAX, YEAR_MIN

_PART = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?(?P<qualifier>[?~%])?$"
)
_DURATION = re.compile(r"^P(?:(?P<days>\d{1,7})D)?(?:T(?:(?P<hours>\d{1,8})H)?(?:(?P<minutes>\d{1,9})M)?)?$")
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# With no stated offset, the instant lies anywhere within the world's time zones.
_WIDEST_OFFSETS = (timedelta(hours=14), timedelta(hours=-12))
OPEN = ".."  # EDTF's open end of an interval: '../2021-07-06' is 'on or before 6 July 2021'
OPEN_START = datetime.min.replace(tzinfo=UTC)
"""The earliest instant of an interval that is open at its start (no earliest moment known)."""
OPEN_END = datetime.max.replace(tzinfo=UTC)
"""The latest instant of an interval that is open at its end."""


class DateError(ValueError):
    """Text that is not a date in the accepted form; the message says what is."""


@dataclass(frozen=True)
class Interval:
    """The earliest and latest UTC instants a date allows."""

    earliest: datetime
    latest: datetime

    @property
    def open_start(self) -> bool:
        """No earliest instant is known ('on or before')."""
        return self.earliest == OPEN_START

    @property
    def open_end(self) -> bool:
        """No latest instant is known ('on or after')."""
        return self.latest == OPEN_END


@dataclass(frozen=True)
class DatePart:
    """One end of a date as written, in parts, for pages to put in words."""

    year: int
    month: int | None = None
    day: int | None = None
    time: str | None = None  # "14:45"
    offset: str | None = None  # "+03:00", "Z"; None when the time has no stated offset
    qualifier: str = ""  # "" | "uncertain" | "approximate" | "uncertain and approximate"

    @classmethod
    def of(cls, text: str) -> DatePart:
        """The parts of one date written as EDTF (not an interval)."""
        match = _PART.match(text)
        if match is None:
            raise DateError(f"'{text}' is not a date: {_HELP}")
        qualifier = {"?": "uncertain", "~": "approximate", "%": "uncertain and approximate"}
        return cls(
            int(match["year"]),
            int(match["month"]) if match["month"] else None,
            int(match["day"]) if match["day"] else None,
            f"{match['hour']}:{match['minute']}" if match["hour"] else None,
            match["tz"],
            qualifier.get(match["qualifier"] or "", ""),
        )


@dataclass(frozen=True)
class EDTFDate:
    """One parsed date or interval, with its precision and qualifier."""

    text: str
    interval: Interval
    precision: str  # year | month | day | minute | interval
    qualifier: str  # "" | "uncertain" | "approximate" | "uncertain and approximate"

    def ends(self) -> tuple[DatePart | None, DatePart | None]:
        """The first and last end as written (the same part for a single date); None for an open end."""
        pieces = self.text.split("/")
        first = None if pieces[0] == OPEN else DatePart.of(pieces[0])
        last = None if pieces[-1] == OPEN else DatePart.of(pieces[-1])
        return first, last

    def describe(self) -> str:
        """Human-readable form, e.g. '6 July 2021', '5 July 2021, 14:45 UTC+03:00', 'on or before 6 July 2021'."""
        pieces = self.text.split("/")
        if pieces[0] == OPEN:
            return f"on or before {_describe_part(pieces[1])}"
        if len(pieces) == 2 and pieces[1] == OPEN:
            return f"on or after {_describe_part(pieces[0])}"
        return " to ".join(_describe_part(piece) for piece in pieces)


def _describe_part(text: str) -> str:
    match = _PART.match(text)
    assert match is not None
    year, month, day = match["year"], match["month"], match["day"]
    if month is None:
        out = year
    elif day is None:
        out = f"{_MONTHS[int(month) - 1]} {year}"
    else:
        out = f"{int(day)} {_MONTHS[int(month) - 1]} {year}"
    if match["hour"] is not None:
        tz = match["tz"]
        zone = "UTC" if tz == "Z" else f"UTC{tz}" if tz else "time zone unknown"
        out += f", {match['hour']}:{match['minute']} ({zone})"
    qualifier = match["qualifier"]
    if qualifier == "?":
        out += " (uncertain)"
    elif qualifier == "~":
        out = "about " + out
    elif qualifier == "%":
        out = "about " + out + " (uncertain)"
    return out


_HELP = (
    "write it as YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM+HH:MM (EDTF), optionally ending in ? or ~; "
    "an interval is START/END, with '..' for an end that is not known (../2021-07-06: on or before)"
)


def _parse_part(text: str, zone: tzinfo | None) -> tuple[Interval, str, str]:
    match = _PART.match(text)
    if match is None:
        raise DateError(f"'{text}' is not a date: {_HELP}")
    year = int(match["year"])
    if not YEAR_MIN.value <= year <= YEAR_MAX.value:
        raise DateError(f"'{text}' is outside the years {YEAR_MIN.value} to {YEAR_MAX.value} that facts may use")
    qualifier = {"?": "uncertain", "~": "approximate", "%": "uncertain and approximate"}.get(
        match["qualifier"] or "", ""
    )
    try:
        if match["month"] is None:
            start = datetime(year, 1, 1)
            end = datetime(year + 1, 1, 1)
            precision = "year"
        elif match["day"] is None:
            month = int(match["month"])
            start = datetime(year, month, 1)
            end = start + timedelta(days=calendar.monthrange(year, month)[1])
            precision = "month"
        elif match["hour"] is None:
            start = datetime(year, int(match["month"]), int(match["day"]))
            end = start + timedelta(days=1)
            precision = "day"
        else:
            start = datetime(year, int(match["month"]), int(match["day"]), int(match["hour"]), int(match["minute"]))
            end = start + timedelta(minutes=1)
            precision = "minute"
    except ValueError as error:
        raise DateError(f"'{text}' is not a real date ({error})") from None
    tz = match["tz"]
    if tz is None and zone is not None:
        # Local time where it happened: the place's time zone.
        earliest = start.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        latest = end.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    elif tz is None:
        # Local time of an unknown zone: widen to every zone the instant may be in.
        earliest = start - _WIDEST_OFFSETS[0]
        latest = end - _WIDEST_OFFSETS[1]
    else:
        offset = timedelta(0) if tz == "Z" else _offset(tz, text)
        earliest, latest = start - offset, end - offset
    utc = UTC
    return Interval(earliest.replace(tzinfo=utc), latest.replace(tzinfo=utc)), precision, qualifier


def _offset(tz: str, text: str) -> timedelta:
    sign = -1 if tz[0] == "-" else 1
    hours, minutes = int(tz[1:3]), int(tz[4:6])
    if hours > 14 or minutes > 59:
        raise DateError(f"'{text}' has an impossible UTC offset {tz}")
    return sign * timedelta(hours=hours, minutes=minutes)


def parse_date(text: str, zone: tzinfo | None = None) -> EDTFDate:
    """Parse an EDTF date or interval; raise :class:`DateError` with the accepted forms.

    A date or time without a UTC offset is read in ``zone`` when given (the time zone
    of the place where it happened), else as any time zone on Earth.
    """
    if not isinstance(text, str) or not text:
        raise DateError(f"a date must be text: {_HELP}")
    pieces = text.split("/")
    if len(pieces) > 2:
        raise DateError(f"'{text}' has more than one '/': an interval is START/END")
    if len(pieces) == 1 and text == OPEN:
        raise DateError(f"'..' stands for the unknown end of an interval: {_HELP}")
    if len(pieces) == 2 and OPEN in pieces:
        if pieces == [OPEN, OPEN]:
            raise DateError(f"'{text}' is open at both ends, which says nothing: give at least one end")
        known = pieces[1] if pieces[0] == OPEN else pieces[0]
        interval, _, qualifier = _parse_part(known, zone)
        if pieces[0] == OPEN:
            return EDTFDate(text, Interval(OPEN_START, interval.latest), "interval", qualifier)
        return EDTFDate(text, Interval(interval.earliest, OPEN_END), "interval", qualifier)
    parsed = [_parse_part(piece, zone) for piece in pieces]
    if len(parsed) == 1:
        interval, precision, qualifier = parsed[0]
        return EDTFDate(text, interval, precision, qualifier)
    (first, _, q1), (second, _, q2) = parsed
    # Compare the dates as written (both read in one zone), not their widened bounds.
    nominal_start, nominal_end = (_parse_part(piece, UTC)[0] for piece in pieces)
    if nominal_end.latest <= nominal_start.earliest:
        raise DateError(f"'{text}' ends before it starts")
    qualifier = q1 or q2
    return EDTFDate(text, Interval(first.earliest, second.latest), "interval", qualifier)


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration of days, hours and minutes, e.g. ``PT12H`` or ``P3D``."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None or not any(match.groupdict().values()):
        raise DateError(f"'{text}' is not a duration: write PnD, PTnH or PnDTnH (ISO 8601), e.g. PT12H for 12 hours")
    delta = timedelta(days=int(match["days"] or 0), hours=int(match["hours"] or 0), minutes=int(match["minutes"] or 0))
    if delta > timedelta(days=WITHIN_DAYS.value):
        raise DateError(f"'{text}' is longer than {WITHIN_DAYS.value} days, the longest duration facts may use")
    return delta


def shift(instant: datetime, delta: timedelta) -> datetime:
    """``instant + delta``, where an open end stays open and nothing overflows."""
    if instant in (OPEN_START, OPEN_END):
        return instant
    try:
        return instant + delta
    except OverflowError:
        return OPEN_END if delta > timedelta(0) else OPEN_START


def describe_duration(delta: timedelta) -> str:
    """'12 hours', '3 days', '1 day 6 hours'."""
    days, seconds = delta.days, delta.seconds
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    words = []
    for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if amount:
            words.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
    return " ".join(words) or "0 minutes"
