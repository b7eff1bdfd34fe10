"""Golden files: rendered Markdown compared with checked-in output.

Regenerate with ``python -m pytest tests/test_golden.py --update-goldens`` and review
the diff like any other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.pipeline import generate
from generator.project import Project
from tests.conftest import make_project

GOLDEN = Path(__file__).resolve().parent / "golden"
PAGES = [
    "incidents/baghdad-embassy-drones-2021-07-06.md",
    "incidents/ain-al-asad-rockets-2021-07-05.md",
    "actors/wayne-marotto.md",
    "places/iraq.md",
    "sources/airborne-threat-report.md",
    "incidents/index.md",
    "timeline/index.md",
    "places/index.md",
    "sources/index.md",
]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("golden") / "project")
    generate(Project.at(project))
    return project / "docs"


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(docs: Path, page: str, request: pytest.FixtureRequest) -> None:
    golden = GOLDEN / page
    actual = (docs / page).read_text(encoding="utf-8")
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")
