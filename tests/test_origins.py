"""Origins and statuses: where a claim's words come from, and how many independent origins agree.

The rules (docs/reading.md, "Origins"): the origin of a citation is the first named actor
on the way from the speaker to the report (``attributed_to``, then ``via``, then the
report's outlet); reports whose words trace back to no named actor may all be one outlet,
so they never make a second origin. The fixture ``tests/fixtures/origins`` is laid over
the valid corpus: a France 24 relay of AFP, unnamed sources relayed by AFP, two reports
whose outlet is not stated, and two named origins.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.index import Basis, Index, build_index, citation_origin, question_status
from generator.models import Citation, Claim, Question, Source
from generator.pipeline import generate, validate
from generator.project import Project
from tests.conftest import FIXTURES, make_project

INCIDENT = "embassy-air-defence-2021-07-06"


def _source(outlet: str) -> Source:
    return Source(
        title="A report",
        outlet=outlet,
        author="unknown",
        published="unknown",
        url="unknown",
        language="en",
        kind="news-report",
        retrieved="2026-11-20",
        sha256="0" * 64,
    )


@pytest.mark.parametrize(
    ("citation", "outlet", "origin"),
    [
        ({"attributed_to": "afp"}, "unknown", "afp"),
        ({"attributed_to": "afp", "via": ["france-24"]}, "unknown", "afp"),
        ({"attribution": "Iraqi security sources", "via": ["afp", "france-24"]}, "unknown", "afp"),
        ({"attribution": "Some sources based near the site"}, "rt", "rt"),
        ({}, "rt", "rt"),
        ({"attribution": "Some sources based near the site"}, "unknown", None),
        ({}, "unknown", None),
    ],
)
def test_the_origin_is_the_first_named_actor_from_speaker_to_report(
    citation: dict[str, object], outlet: str, origin: str | None
) -> None:
    cited = Citation.model_validate({"source": "report", "quote": "some quoted words", **citation})
    assert citation_origin(cited, _source(outlet)) == origin


def _question(*citations: dict[str, object]) -> Question:
    claim = Claim(id="answer", text="An answer.", citations=[Citation.model_validate(c) for c in citations])
    return Question(id="question", label="A question?", claims=[claim])


def test_reports_with_no_named_origin_never_make_a_second_origin() -> None:
    sources = {"a": _source("unknown"), "b": _source("unknown"), "rt": _source("rt")}
    two_unknown = _question(
        {"source": "a", "quote": "the first passage"}, {"source": "b", "quote": "the second passage"}
    )
    status = question_status(two_unknown, sources)
    assert (status.value, status.bases["answer"]) == ("single-source", Basis((), ("a", "b")))
    named_and_unknown = _question(
        {"source": "rt", "quote": "the first passage"}, {"source": "a", "quote": "the second passage"}
    )
    status = question_status(named_and_unknown, sources)
    assert (status.value, status.bases["answer"]) == ("single-source", Basis(("rt",), ("a",)))
    two_named = _question(
        {"source": "rt", "quote": "the first passage"},
        {"source": "a", "quote": "the second passage", "attributed_to": "afp"},
    )
    assert question_status(two_named, sources).value == "corroborated"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_project(tmp_path_factory.mktemp("origins") / "project")
    shutil.copytree(FIXTURES / "origins" / "facts", folder / "facts", dirs_exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def index(project: Path) -> Index:
    validation = validate(Project.at(project))
    assert not validation.errors, validation.errors
    return build_index(validation.corpus, validation.checks)


@pytest.mark.parametrize(
    ("question", "status", "named", "unnamed"),
    [
        ("fired", "single-source", ("afp",), ()),
        ("drone-count", "single-source", ("afp",), ()),
        ("casualties", "single-source", (), ("armed-drone-report", "embassy-drones-report")),
        ("engaged", "corroborated", ("us-embassy-baghdad", "afp"), ("embassy-drones-report",)),
    ],
)
def test_statuses_of_the_fixture(
    index: Index, question: str, status: str, named: tuple[str, ...], unnamed: tuple[str, ...]
) -> None:
    computed = index.statuses[(INCIDENT, question)]
    assert computed.value == status
    assert list(computed.bases.values()) == [Basis(named, unnamed)]


def test_a_relay_lists_what_it_passed_on(index: Index) -> None:
    relayed = {(use.record_id, use.anchor) for use in index.actor_relays["france-24"]}
    assert relayed == {(INCIDENT, "claim-fired-rockets"), (INCIDENT, "claim-one")}
    assert {use.anchor for use in index.actor_attributions["afp"]} == {
        "claim-fired-rockets",
        "claim-one",
        "claim-engaged",
    }


def test_the_page_names_the_origins_and_the_chain(project: Path) -> None:
    generate(Project.at(project))
    page = (project / "docs" / "incidents" / f"{INCIDENT}.md").read_text(encoding="utf-8")
    afp = "[AFP](../actors/afp.md)"
    assert f"**[Single source](../reading.md#statuses)**: only {afp} says so." in page
    assert f"— {afp}, via [France 24](../actors/france-24.md), in [\\[" in page
    assert f"— Iraqi security sources, via {afp} and [France 24](../actors/france-24.md), in" in page
    assert "only reports whose origin is not stated ([\\[" in page and "they may all come from one outlet." in page
    embassy = "[US embassy in Baghdad](../actors/us-embassy-baghdad.md)"
    assert (
        f"**[Corroborated](../reading.md#statuses)**: {embassy} and {afp} say so, independently of each other" in page
    )
    france_24 = (project / "docs" / "actors" / "france-24.md").read_text(encoding="utf-8")
    assert "## Words France 24 passed on" in france_24
