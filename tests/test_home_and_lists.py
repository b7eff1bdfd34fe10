"""The home page, the incidents page and the pages per year, as generated from the bundled
corpus; the filter above the lists in Chromium, with and without JavaScript; the
schema.org data and the "cite this page" block of an incident page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import sitepages
from generator.pipeline import generate
from generator.project import Project
from tests.conftest import ROOT, make_project
from tests.sitebrowser import chromium, offline_context, serve

ENTRY = re.compile(
    r'^- <span class="fs-entry" data-type="([a-z-]+)" data-contested="(yes|no)"></span>.*?\]\(\.\./incidents/([a-z0-9-]+)\.md\)',
    re.M,
)


def _facts() -> dict[str, dict[str, Any]]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in (ROOT / "facts/incidents").glob("*.yaml")
    }


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("lists") / "project", ROOT / "facts")
    generate(Project.at(project))
    return project / "docs"


def _entries(page: Path) -> list[tuple[str, str, str]]:
    """(type, contested, incident id) of each incident listed on a page, in order."""
    return [(m.group(1), m.group(2), m.group(3)) for m in ENTRY.finditer(page.read_text(encoding="utf-8"))]


def test_incidents_page_lists_every_incident_once_newest_first(docs: Path) -> None:
    listed = [incident_id for _, _, incident_id in _entries(docs / "incidents/index.md")]
    facts = _facts()
    assert sorted(listed) == sorted(facts)
    # Newest first: the July 2021 embassy attack before the January 2020 killing it follows.
    assert listed.index("us-embassy-baghdad-drone-attack-2021-07-06") < listed.index(
        "soleimani-muhandis-killing-2020-01"
    )
    # Each entry says its type and whether sources disagree, as the facts and statuses have it.
    for kind, _, incident_id in _entries(docs / "incidents/index.md"):
        assert kind == facts[incident_id]["type"]
    contested = {i for _, c, i in _entries(docs / "incidents/index.md") if c == "yes"}
    assert "us-embassy-baghdad-drone-attack-2021-07-06" in contested
    assert "ain-al-asad-rocket-attack-2021-07-05" not in contested


def test_year_pages_hold_each_incident_of_their_year(docs: Path) -> None:
    years = sorted(p.stem for p in (docs / "years").glob("*.md"))
    assert years == ["2020", "2021"]
    listed = {y: [i for _, _, i in _entries(docs / f"years/{y}.md")] for y in years}
    assert sorted(listed["2020"] + listed["2021"]) == sorted(_facts())
    assert "us-embassy-baghdad-drone-attack-2021-07-06" in listed["2021"]
    assert "soleimani-muhandis-killing-2020-01" in listed["2020"]
    index = (docs / "incidents/index.md").read_text(encoding="utf-8")
    assert f"[2021](../years/2021.md) ({len(listed['2021'])})" in index
    assert f"[2020](../years/2020.md) ({len(listed['2020'])})" in index


def test_a_big_year_is_split_into_months(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 10,000 incidents a year holds too many for one page; with a limit of 3 the corpus shows how it splits."""
    monkeypatch.setattr(sitepages, "PAGE_ENTRIES", 3)
    monkeypatch.setattr(sitepages, "INDEX_LATEST", 4)
    project = make_project(tmp_path / "project", ROOT / "facts")
    generate(Project.at(project))
    docs = project / "docs"
    assert len(_entries(docs / "incidents/index.md")) == 4
    month_pages = sorted((docs / "years").glob("*-*.md"))
    assert month_pages, "no month pages"
    everywhere: list[str] = []
    for page in month_pages:
        entries = _entries(page)
        assert entries, page.name
        everywhere += [i for _, _, i in entries]
    for year in ("2020", "2021"):
        year_page = (docs / f"years/{year}.md").read_text(encoding="utf-8")
        if _entries(docs / f"years/{year}.md"):
            everywhere += [i for _, _, i in _entries(docs / f"years/{year}.md")]
        else:
            assert f"](../years/{year}-" in year_page
    assert sorted(everywhere) == sorted(_facts())


def test_home_page_says_what_the_record_covers(docs: Path) -> None:
    home = (docs / "index.md").read_text(encoding="utf-8")
    facts = _facts()
    sources = list((ROOT / "facts/sources").glob("*.md"))
    assert f"{len(facts)} incidents from 2020 to 2021" in home
    assert f"{len(sources)} archived sources" in home
    assert "[Iraq](places/iraq.md)" in home and "[Syria](places/syria.md)" in home
    latest = home.split("## Latest incidents", 1)[1].split("##", 1)[0]
    first = re.search(r"\]\((incidents/[a-z0-9-]+)\.md\)", latest)
    assert first and first.group(1) == "incidents/us-embassy-baghdad-drone-attack-2021-07-06"
    disagree = home.split("## Where the sources disagree", 1)[1].split("\n## ", 1)[0]
    assert "(incidents/us-embassy-baghdad-drone-attack-2021-07-06.md#question-drone-count)" in disagree
    assert "(incidents/ain-al-asad-rocket-attack-2021-07-05.md" not in disagree  # nothing contested there
    assert '<svg class="fs-tl-svg"' in home and 'href="incidents/us-embassy-baghdad-drone-attack-2021-07-06/"' in home
    assert "(downloads/incidents.csv)" in home


def test_every_index_page_links_the_downloads(docs: Path) -> None:
    for page in ("incidents", "actors", "places", "sources", "tags", "timeline", "map"):
        assert "(../downloads/incidents.csv)" in (docs / f"{page}/index.md").read_text(encoding="utf-8"), page


def _json_ld(page: str) -> Any:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_incident_page_carries_schema_org_data_and_a_citation(docs: Path) -> None:
    page = (docs / "incidents/us-strikes-iraq-syria-border-2021-06-27.md").read_text(encoding="utf-8")
    data = _json_ld(page)
    fact = _facts()["us-strikes-iraq-syria-border-2021-06-27"]
    assert data["@type"] == "Event" and data["name"] == fact["title"]
    assert data["startDate"] == str(fact["when"]["date"]) == "2021-06-27"
    assert data["location"]["name"] == "Iraq–Syria border"
    assert {"latitude", "longitude"} <= set(data["location"]["geo"])
    cited = {c["source"] for q in fact["questions"] for claim in q["claims"] for c in claim["citations"]}
    assert len(data["citation"]) == len(cited)
    assert "## Cite this page" in page
    # A date the sources give only as a window, or only about, is no schema.org date at all.
    for incident_id in ("iran-missile-attack-ain-al-asad-2020", "ain-al-asad-rocket-attack-2021-07-05"):
        assert "startDate" not in _json_ld((docs / f"incidents/{incident_id}.md").read_text(encoding="utf-8"))


def test_no_text_ends_the_schema_org_script(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", ROOT / "facts")
    path = project / "facts/incidents/ain-al-asad-rocket-attack-2021-07-05.yaml"
    hostile = "Rockets </script><script>alert(1)</script> & <!-- here"
    text = path.read_text(encoding="utf-8")
    title = yaml.safe_load(text)["title"]
    path.write_text(text.replace(f"title: {title}", f"title: {json.dumps(hostile)}", 1), encoding="utf-8")
    generate(Project.at(project))
    page = (project / "docs/incidents/ain-al-asad-rocket-attack-2021-07-05.md").read_text(encoding="utf-8")
    assert page.count("<script") == 1 and page.count("</script>") == 1
    assert _json_ld(page)["name"] == hostile


@pytest.fixture(scope="module")
def server(corpus_site: Path) -> Iterator[str]:
    with serve(corpus_site) as url:
        yield url


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_filter_shows_only_the_chosen_incidents(server: str, script: bool) -> None:
    facts = _facts()
    drones = {i for i, f in facts.items() if f["type"] == "drone-attack"}
    with chromium() as browser:
        context = offline_context(
            browser, server, None, viewport={"width": 390, "height": 900}, java_script_enabled=script
        )
        page = context.new_page()
        page.goto(server + "incidents/")

        def shown() -> set[str]:
            hrefs = page.eval_on_selector_all(
                "li:has(> .fs-entry)",
                "items => items.filter(li => li.offsetParent !== null).map(li => li.querySelector('a').getAttribute('href'))",
            )
            return {href.strip("/").split("/")[-1] for href in hrefs}

        assert shown() == set(facts)
        page.get_by_label("drone attack").check()
        assert shown() == drones
        page.get_by_label(re.compile(r"^\s*contested")).check()
        assert shown() == {i for i in drones if i == "us-embassy-baghdad-drone-attack-2021-07-06"}
        page.get_by_label("all").first.check()
        page.get_by_label(re.compile(r"not contested")).check()
        contested = _contested(page)
        assert "us-embassy-baghdad-drone-attack-2021-07-06" in contested
        assert shown() == set(facts) - contested
        context.close()


def _contested(page: Any) -> set[str]:
    return set(
        page.eval_on_selector_all(
            '.fs-entry[data-contested="yes"]',
            "spans => spans.map(s => s.parentElement.querySelector('a').getAttribute('href').split('/').filter(Boolean).pop())",
        )
    )
