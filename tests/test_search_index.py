"""The search stage without a browser: page data, the Pagefind step and the theme override."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.load import load_corpus
from generator.project import Project
from generator.search import SearchIndexError, date_terms, incident_terms, index_site, uses_material_search
from tests.conftest import make_project

SEARCH_FACTS = Path(__file__).resolve().parent / "fixtures" / "search" / "facts"


def test_an_incident_is_found_by_every_spelling_of_its_place_and_actors(tmp_path: Path) -> None:
    corpus = load_corpus(Project.at(make_project(tmp_path / "project", SEARCH_FACTS)))
    terms = incident_terms(corpus, "baghdad-airport-strike-2020-01-03")
    assert {"Qassem Soleimani", "Qāsem Soleimānī", "Abu Mehdi al-Muhandis", "Baghdad", "Iraq"} <= set(terms)
    assert incident_terms(corpus, "ain-al-asad-rockets-2021-07-05")[:5] == [
        "Ain al-Asad air base",
        "Ain al-Assad",
        "Ain al-Assad Air Base",
        "Ain al-Asad airbase",
        "Ain Assad",
    ]


def test_date_terms_are_what_readers_type() -> None:
    assert date_terms(date(2021, 7, 5)) == ["2021-07-05", "5 July 2021", "July 2021"]


def test_index_site_refuses_a_folder_without_a_site(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="no built site"):
        index_site(tmp_path)


@pytest.mark.parametrize(
    ("plugins", "expected"),
    [("plugins: []\n", False), ("", True), ("plugins:\n  - search\n", True), ("plugins:\n  - tags\n", False)],
)
def test_pagefind_runs_unless_material_search_is_on(tmp_path: Path, plugins: str, expected: bool) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n" + plugins, encoding="utf-8")
    assert uses_material_search(config) is expected
