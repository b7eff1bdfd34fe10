"""What analysts write is what they get: YAML 1.1 surprises and date precision."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from generator.dates import DateError, parse_date, parse_duration
from generator.yamlload import YAMLProblem, parse


def test_yaml_11_surprises_stay_text() -> None:
    data = parse("a: NO\nb: 10:00\nc: 2021-07-06\nd: on\ne: 0x1F\nf: 1_000\n").data
    assert data == {"a": "NO", "b": "10:00", "c": "2021-07-06", "d": "on", "e": "0x1F", "f": "1_000"}


def test_yaml_12_core_types_keep_their_type() -> None:
    assert parse("a: true\nb: 3\nc: 1.5\nd: null\ne: '3'\n").data == {"a": True, "b": 3, "c": 1.5, "d": None, "e": "3"}


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(YAMLProblem) as error:
        parse("title: a\nplace: x\ntitle: b\n")
    assert error.value.message == "duplicate key 'title' (first set on line 1); keep one of them"
    assert (error.value.position.line, error.value.position.col) == (3, 1)


def test_a_number_too_long_to_read_is_a_positioned_problem() -> None:
    with pytest.raises(YAMLProblem) as error:
        parse("title: x\nsummary: " + "7" * 5000 + "\n")
    assert (
        error.value.message == "the number has 5000 digits, more than any field takes; put it in quotes if it is text"
    )
    assert (error.value.position.line, error.value.position.col) == (2, 10)


def test_nested_positions() -> None:
    document = parse("questions:\n  - id: a\n    claims:\n      - text: x\n")
    assert document.position(("questions", 0, "claims", 0, "text")).line == 4
    assert document.position(("questions", 0, "claims", 0, "text")).col == 15


UTC = UTC


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2021", datetime(2021, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC), "year"),
        ("2021-02", datetime(2021, 2, 1, tzinfo=UTC), datetime(2021, 3, 1, tzinfo=UTC), "month"),
        (
            "2021-07-05T14:45+03:00",
            datetime(2021, 7, 5, 11, 45, tzinfo=UTC),
            datetime(2021, 7, 5, 11, 46, tzinfo=UTC),
            "minute",
        ),
        ("2021-06-27/2021-07-01", datetime(2021, 6, 27, tzinfo=UTC), datetime(2021, 7, 2, tzinfo=UTC), "interval"),
    ],
)
def test_dates_in_utc(text: str, earliest: datetime, latest: datetime, precision: str) -> None:
    parsed = parse_date(text, ZoneInfo("UTC"))
    assert (parsed.interval.earliest, parsed.interval.latest, parsed.precision) == (earliest, latest, precision)


def test_day_without_zone_spans_every_time_zone() -> None:
    parsed = parse_date("2021-07-06")
    assert parsed.interval.earliest == datetime(2021, 7, 5, 10, tzinfo=UTC)
    assert parsed.interval.latest == datetime(2021, 7, 7, 12, tzinfo=UTC)


def test_day_in_the_place_time_zone() -> None:
    parsed = parse_date("2021-07-06", ZoneInfo("Asia/Baghdad"))
    assert parsed.interval.earliest == datetime(2021, 7, 5, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("2021-07-06", "6 July 2021"),
        ("2021-07", "July 2021"),
        ("2021-07-05T14:45+03:00", "5 July 2021, 14:45 (UTC+03:00)"),
        ("2021-07-06T21:09", "6 July 2021, 21:09 (time zone unknown)"),
        ("2021-06~", "about June 2021"),
        ("2021-06-09?", "9 June 2021 (uncertain)"),
    ],
)
def test_dates_describe_their_precision(text: str, described: str) -> None:
    assert parse_date(text).describe() == described


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10:00", "'10:00' is not a date"),
        ("2021-02-30", "'2021-02-30' is not a real date"),
        ("2021-07-02/2021-07-01", "ends before it starts"),
        ("6 July 2021", "'6 July 2021' is not a date"),
    ],
)
def test_bad_dates_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_date(text)


def test_durations() -> None:
    assert parse_duration("PT12H").total_seconds() == 12 * 3600
    assert parse_duration("P3D").days == 3
    with pytest.raises(DateError):
        parse_duration("12 hours")


def test_quote_positions_map_back_to_the_original_text() -> None:
    import random
    import re

    from generator.quotes import _FOLD, NormalisedText

    rng = random.Random(7)
    alphabet = "ab “”‘’—–-\n\t  x"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        normalised = NormalisedText.of(text)
        # Reference: one normalised character per non-space character or whitespace run.
        runs = list(re.finditer(r"\s+|\S", text.translate(_FOLD)))
        assert normalised.text == "".join(" " if m.group().isspace() else m.group() for m in runs)
        assert [normalised.original_index(i) for i in range(len(runs))] == [m.start() for m in runs]
