"""The format extensions: open-ended dates, gaps of at least a duration, 'near' a place,
who blames or suspects an actor, series of events and question notes.

The fixture ``tests/fixtures/extensions`` is laid over the valid corpus; its pages are
compared with goldens in ``tests/golden/extensions`` (``--update-goldens`` rewrites them).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args

import pytest

from generator.dates import OPEN_END, OPEN_START, DateError, parse_date, shift
from generator.index import build_index
from generator.models import PlaceRole
from generator.pipeline import generate, validate
from generator.project import Project
from generator.render import Renderer
from tests.conftest import FIXTURES, make_project

EXTENSIONS = FIXTURES / "extensions"
GOLDEN = Path(__file__).resolve().parent / "golden" / "extensions"
PAGES = [
    "incidents/embassy-quadcopter-alarm-2021.md",
    "incidents/kataib-hezbollah-silo-image-2021.md",
    "incidents/embassy-rocket-attacks-2020.md",
    "incidents/ain-al-asad-rockets-2021-07-05.md",
    "actors/united-states.md",
    "places/us-embassy-baghdad.md",
    "timeline/index.md",
    "incidents/rumoured-strike-syria-2021-07-04.md",
    "incidents/coalition-denies-syria-strike-2021-07.md",
    "places/syria.md",
]


def _project(folder: Path) -> Path:
    project = make_project(folder)
    shutil.copytree(EXTENSIONS / "facts", project / "facts", dirs_exist_ok=True)
    return project


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = _project(tmp_path_factory.mktemp("extensions") / "project")
    generate(Project.at(project))
    return project / "docs"


def test_the_fixture_is_valid_with_the_expected_warnings(tmp_path: Path, run, request: pytest.FixtureRequest) -> None:
    result = run("validate", "--project", str(_project(tmp_path / "project")))
    expected_file = EXTENSIONS / "expected.txt"
    if request.config.getoption("--update-goldens"):
        expected_file.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == expected_file.read_text(encoding="utf-8")
    assert result.exit_code == 0


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(docs: Path, page: str, request: pytest.FixtureRequest) -> None:
    golden = GOLDEN / page
    actual = (docs / page).read_text(encoding="utf-8")
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_pages_say_what_each_extension_means(docs: Path) -> None:
    quadcopter = (docs / "incidents/embassy-quadcopter-alarm-2021.md").read_text(encoding="utf-8")
    assert "Where\n:   near [US embassy in Baghdad](../places/us-embassy-baghdad.md), in [Baghdad]" in quadcopter
    assert "2 to 10 days before [Drone attack on the US embassy in Baghdad]" in quadcopter
    series = (docs / "incidents/embassy-rocket-attacks-2020.md").read_text(encoding="utf-8")
    assert "rocket attack (a series of events reported together, not one event)" in series
    assert (
        "[Kataib Hezbollah](../actors/kataib-hezbollah.md) (blamed by [United States](../actors/united-states.md))"
        in series
    )
    rockets = (docs / "incidents/ain-al-asad-rockets-2021-07-05.md").read_text(encoding="utf-8")
    assert "Blamed (the sources do not say by whom)" in rockets
    assert "\n\nThe report that names the groups says they are" in rockets
    assert "**Date not given; reported by 6 July 2021**: " in (docs / "incidents/index.md").read_text(encoding="utf-8")
    embassy = (docs / "places/us-embassy-baghdad.md").read_text(encoding="utf-8")
    sections = {part.split("\n", 1)[0]: part for part in embassy.split("\n## ")[1:]}
    # An incident near a place, and one elsewhere that the sources say was aimed at it, are each
    # listed on its page under a heading that says how they relate to it.
    near = sections["Incidents near US embassy in Baghdad {: #incidents-near }"]
    assert "[Quadcopter drone reportedly sets off alarms near the US embassy in Baghdad]" in near
    assert "Reports place these incidents near US embassy in Baghdad, not at it" in near
    targeted = sections["Incidents elsewhere said to be aimed at US embassy in Baghdad {: #incidents-targeted }"]
    assert "reports say they were aimed at US embassy in Baghdad." in targeted
    assert (
        "| [Rockets on Baghdad, reportedly targeting the US embassy](../incidents/green-zone-rockets-2020-12-20.md) "
        "| [Baghdad](../places/baghdad.md) | rocket attack |"
    ) in targeted
    assert "Quadcopter" not in targeted and "Rockets on Baghdad" not in near
    assert "reached" not in embassy
    united_states = (docs / "actors/united-states.md").read_text(encoding="utf-8")
    assert "blames [Kataib Hezbollah](../actors/kataib-hezbollah.md)" in united_states


def test_resolved_intervals_and_order(tmp_path: Path) -> None:
    validation = validate(Project.at(_project(tmp_path / "project")))
    assert not validation.errors
    index = build_index(validation.corpus, validation.checks)
    # 6 July 2021 in Baghdad (UTC+3) is 5 July 21:00 to 6 July 21:00 UTC; 'several days' before it.
    quadcopter = index.intervals["embassy-quadcopter-alarm-2021"]
    assert (quadcopter.earliest, quadcopter.latest) == (
        datetime(2021, 6, 25, 21, tzinfo=UTC),
        datetime(2021, 7, 4, 21, tzinfo=UTC),
    )
    silo = index.intervals["kataib-hezbollah-silo-image-2021"]
    assert silo.open_start and not silo.open_end
    # An 'on or before' date sorts by its last day, not before every other incident.
    order = index.incident_order
    assert order.index("kataib-hezbollah-silo-image-2021") == order.index("baghdad-embassy-drones-2021-07-06") + 1
    assert order[0] == "embassy-rocket-attacks-2020"


@pytest.mark.parametrize(
    ("text", "described", "open_start", "open_end"),
    [
        ("../2021-07-06", "on or before 6 July 2021", True, False),
        ("2021-07-06/..", "on or after 6 July 2021", False, True),
        ("../2021-07?", "on or before July 2021 (uncertain)", True, False),
    ],
)
def test_open_intervals(text: str, described: str, open_start: bool, open_end: bool) -> None:
    parsed = parse_date(text)
    assert parsed.describe() == described
    assert (parsed.interval.open_start, parsed.interval.open_end) == (open_start, open_end)
    assert parsed.precision == "interval"


def test_the_known_end_of_an_open_interval_is_read_in_the_zone() -> None:
    from zoneinfo import ZoneInfo

    parsed = parse_date("../2021-07-06", ZoneInfo("Asia/Baghdad"))
    assert parsed.interval.earliest == OPEN_START
    assert parsed.interval.latest == datetime(2021, 7, 6, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [("../..", "open at both ends"), ("..", "unknown end of an interval"), ("/2021-07-06", "'' is not a date")],
)
def test_bad_open_intervals(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_date(text)


def test_shift_keeps_open_ends_open_and_never_overflows() -> None:
    assert shift(OPEN_START, -timedelta(days=10)) == OPEN_START
    assert shift(OPEN_END, timedelta(days=10)) == OPEN_END
    near_the_end = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
    assert shift(near_the_end, timedelta(days=10)) == OPEN_END
    assert shift(datetime(2021, 7, 6, tzinfo=UTC), -timedelta(days=2)) == datetime(2021, 7, 4, tzinfo=UTC)


def test_every_role_of_another_place_has_its_own_wording(tmp_path: Path) -> None:
    """A role added to the format gets a heading of its own on place pages, not the wording for 'other'."""
    project = Project.at(_project(tmp_path / "project"))
    validation = validate(project)
    macros = Renderer(build_index(validation.corpus, validation.checks), project).macros
    roles = list(macros.PLACE_ROLES)
    assert sorted(roles) == sorted(["near", *get_args(PlaceRole)])
    headings = {role: str(macros.touched_heading(role, "X")) for role in roles}
    intros = {role: str(macros.touched_intro(role, "X")) for role in roles}
    assert len(set(headings.values())) == len(roles) and len(set(intros.values())) == len(roles)
    assert all("X" in text for text in [*headings.values(), *intros.values()])


def test_a_date_read_in_every_time_zone_says_so(docs: Path, tmp_path: Path) -> None:
    """Syria has no time zone in the fixture: its day is read as any zone on Earth, and the pages say so."""
    strike = (docs / "incidents/rumoured-strike-syria-2021-07-04.md").read_text(encoding="utf-8")
    assert "When\n:   4 July 2021 (time zone not stated). As reported:" in strike
    denial = (docs / "incidents/coalition-denies-syria-strike-2021-07.md").read_text(encoding="utf-8")
    assert (
        "(that is, some time between 3 July and 7 July 2021; time zone not stated, so the window is up to a day "
        "wider at each end)"
    ) in denial
    syria = (docs / "places/syria.md").read_text(encoding="utf-8")
    assert "Time zone\n:   not stated: a date here that gives no UTC offset is read as any time zone on Earth" in syria
    # With a time zone, the window is a day narrower at each end, and nothing is said about zones.
    folder = _project(tmp_path / "project")
    place = folder / "facts/places/syria.yaml"
    place.write_text(place.read_text(encoding="utf-8") + "timezone: Asia/Damascus\n", encoding="utf-8")
    generate(Project.at(folder))
    zoned = (folder / "docs/incidents/coalition-denies-syria-strike-2021-07.md").read_text(encoding="utf-8")
    assert "(that is, some time between 4 July and 6 July 2021). As reported:" in zoned
    zoned_strike = (folder / "docs/incidents/rumoured-strike-syria-2021-07-04.md").read_text(encoding="utf-8")
    assert "When\n:   4 July 2021. As reported:" in zoned_strike
