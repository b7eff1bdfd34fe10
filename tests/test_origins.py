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


def _answers(*claims: tuple[str, str, dict[str, object]]) -> Question:
    """A question whose claims are (id, source, marks), each citing one report."""
    return Question.model_validate(
        {
            "id": "question",
            "label": "A question?",
            "note": "How the answers relate.",
            "claims": [
                {
                    "id": cid,
                    "text": "An answer.",
                    "citations": [{"source": source, "quote": "some quoted words"}],
                    **marks,
                }
                for cid, source, marks in claims
            ],
        }
    )


AGREEMENT_SOURCES = {"rt": _source("rt"), "afp": _source("afp"), "a": _source("unknown")}


@pytest.mark.parametrize(
    ("claims", "status", "agreement"),
    [
        # Unmarked answers conflict.
        ([("three", "rt", {}), ("several", "afp", {})], "contested", None),
        # One refines the other: one account at two levels of detail.
        ([("three", "rt", {"refines": "several"}), ("several", "afp", {})], "consistent", "detail"),
        # A chain: each answer refines the next.
        (
            [("time", "rt", {"refines": "afternoon"}), ("afternoon", "afp", {"refines": "day"}), ("day", "a", {})],
            "consistent",
            "detail",
        ),
        # Two answers that refine a third conflict with each other unless marked.
        (
            [("under-12", "rt", {"refines": "hours"}), ("over-12", "afp", {"refines": "hours"}), ("hours", "a", {})],
            "contested",
            None,
        ),
        # "three" refines "several", and "one" conflicts with both.
        ([("one", "rt", {}), ("several", "afp", {}), ("three", "a", {"refines": "several"})], "contested", None),
        # Different things that do not conflict, every two marked (on either claim).
        (
            [
                ("not-known", "rt", {"consistent_with": ["blamed", "revenge"]}),
                ("blamed", "afp", {}),
                ("revenge", "a", {"consistent_with": ["blamed"]}),
            ],
            "consistent",
            "compatible",
        ),
        # One pair left unmarked is a conflict.
        (
            [("not-known", "rt", {"consistent_with": ["blamed"]}), ("blamed", "afp", {}), ("revenge", "a", {})],
            "contested",
            None,
        ),
        # Refinement and consistency together.
        (
            [
                ("three", "rt", {"refines": "several"}),
                ("several", "afp", {}),
                ("other", "a", {"consistent_with": ["three", "several"]}),
            ],
            "consistent",
            "compatible",
        ),
        # A name that is no answer of the question marks nothing; a circle still ends (the checks report both).
        ([("three", "rt", {"refines": "elsewhere"}), ("several", "afp", {})], "contested", None),
        ([("a1", "rt", {"refines": "a2"}), ("a2", "afp", {"refines": "a1"})], "consistent", "detail"),
    ],
)
def test_answers_conflict_unless_marked_as_agreeing(
    claims: list[tuple[str, str, dict[str, object]]], status: str, agreement: str | None
) -> None:
    computed = question_status(_answers(*claims), AGREEMENT_SOURCES)
    assert (computed.value, computed.agreement) == (status, agreement)


def test_agreeing_answers_name_the_origins_of_all_of_them() -> None:
    question = _answers(
        ("three", "rt", {"refines": "several"}), ("several", "a", {}), ("more", "afp", {"refines": "several"})
    )
    status = question_status(question, AGREEMENT_SOURCES)
    assert status.value == "contested"  # "three" and "more" are not marked as agreeing
    assert status.bases == {"three": Basis(("rt",), ()), "several": Basis((), ("a",)), "more": Basis(("afp",), ())}
    assert status.together == Basis(("rt", "afp"), ("a",))


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
