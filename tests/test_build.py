"""End to end: fixture facts → Markdown → a real MkDocs site, checked page by page."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from generator.pipeline import generate
from generator.project import Project
from tests.conftest import make_project
from tests.htmlpage import read_page, resolve

INCIDENT = "incidents/baghdad-embassy-drones-2021-07-06"
ROCKETS = "incidents/ain-al-asad-rockets-2021-07-05"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from generator.cli import main

    project = make_project(tmp_path_factory.mktemp("built") / "project")
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    return project / "site"


@pytest.mark.parametrize(
    "url",
    [
        INCIDENT,
        ROCKETS,
        "actors/wayne-marotto",
        "actors/shafaq-news",
        "places/ain-al-asad-air-base",
        "places/iraq",
        "sources/embassy-drones-report",
        "incidents",
        "actors",
        "places",
        "sources",
        "timeline",
        "tags",
        "tags/drones",
    ],
)
def test_page_exists(site: Path, url: str) -> None:
    assert (site / url / "index.html").is_file()


def test_every_internal_link_resolves_to_a_page_and_anchor(site: Path) -> None:
    checked = 0
    for html_file in site.rglob("index.html"):
        url = html_file.parent.relative_to(site).as_posix()
        if url.startswith(("assets", "search")) or url == ".":
            continue
        for href in read_page(site, url).links:
            if "://" in href or href.startswith("mailto:"):
                continue
            target, fragment = resolve(url, href)
            if (site / target).is_file():  # a download
                checked += 1
                continue
            target_page = read_page(site, target)
            if fragment:
                assert fragment in target_page.ids, f"{url}: {href} has no anchor #{fragment}"
            checked += 1
    assert checked > 50


def test_incident_links_to_actor_and_actor_back_to_incident(site: Path) -> None:
    incident = read_page(site, ROCKETS)
    assert any(resolve(ROCKETS, h)[0] == "actors/wayne-marotto" for h in incident.links)
    actor = read_page(site, "actors/wayne-marotto")
    assert any(resolve("actors/wayne-marotto", h)[0] == ROCKETS for h in actor.links)


def test_place_lists_incidents_within_it_and_its_sub_places(site: Path) -> None:
    iraq = read_page(site, "places/iraq")
    targets = {resolve("places/iraq", h)[0] for h in iraq.links}
    assert {INCIDENT, ROCKETS, "places/baghdad", "places/anbar"} <= targets
    base = read_page(site, "places/ain-al-asad-air-base")
    assert any(resolve("places/ain-al-asad-air-base", h)[0] == ROCKETS for h in base.links)


def test_other_places_link_both_ways(site: Path) -> None:
    incident = read_page(site, INCIDENT)
    assert any(resolve(INCIDENT, h)[0] == "places/karrada" for h in incident.links)
    karrada = read_page(site, "places/karrada")
    assert any(resolve("places/karrada", h)[0] == INCIDENT for h in karrada.links)
    assert "Incidents heard in Karrada" in " ".join(e.text for e in karrada.elements if e.tag == "h2")


def test_citation_lands_on_the_marked_quote(site: Path) -> None:
    # The anchor starts the passage; every piece of the passage carries its id as a class
    # (the browser test checks that exactly these pieces light up).
    incident = read_page(site, INCIDENT)
    quote_links = [e for e in incident.elements if e.tag == "a" and "sources/" in e.attrs.get("href", "")]
    quote_links = [e for e in quote_links if "#q-" in e.attrs["href"]]
    assert len(quote_links) >= 3
    for link in quote_links:
        target, fragment = resolve(INCIDENT, link.attrs["href"])
        source = read_page(site, target)
        assert source.ids[fragment].attrs.get("class") == "fs-anchor"
        pieces = [e.text for e in source.elements if fragment in e.attrs.get("class", "").split()]
        assert " ".join("".join(pieces).split()) == " ".join(link.text.split()).strip("“”")


def test_source_page_lists_each_claim_that_cites_it(site: Path) -> None:
    source = read_page(site, "sources/embassy-drones-report")
    claims = {resolve("sources/embassy-drones-report", h) for h in source.links}
    assert (INCIDENT, "claim-all-downed") in claims
    assert (INCIDENT, "claim-interception-failed") in claims
    assert (ROCKETS, "claim-three-rockets") in claims
    assert ("actors/wayne-marotto", "relation-1") in claims


def test_contested_question_shows_every_answer_with_its_sources(site: Path) -> None:
    page = read_page(site, INCIDENT)
    heading = page.ids["question-outcome"]
    assert heading.text.strip().startswith("Were the drones shot down?")
    article = next(e for e in page.elements if e.tag == "article").text
    assert "Contested: the sources give 3 different answers; each answer below names its origins." in " ".join(
        article.split()
    )
    for claim in ("claim-all-downed", "claim-interception-failed", "claim-threat-eliminated"):
        assert claim in page.ids
    # Each answer names where its words come from, and each citation who said them; answers
    # marked as not conflicting say so, though others conflict with them.
    assert (
        "Three drones targeted the embassy and all were downed. Does not conflict with “The embassy's defensive "
        "systems engaged and eliminated an airborne threat”. From Shafaq News."
    ) in " ".join(article.split())
    assert "— Shafaq News, in [2]" in " ".join(article.split())


def test_answers_at_different_levels_of_detail_are_consistent_not_contested(site: Path) -> None:
    page = read_page(site, INCIDENT)
    article = " ".join(next(e for e in page.elements if e.tag == "article").text.split())
    assert (
        "Consistent: the sources agree, at different levels of detail; between them, they rest on Shafaq News and "
        "a report whose origin is not stated ([2])."
    ) in article
    assert "Three drones. More precise than “Several drones; no number is given”. From Shafaq News." in article
    more_precise = next(link for link in page.links if link.endswith("#claim-several-drones"))
    assert resolve(INCIDENT, more_precise) == (INCIDENT, "claim-several-drones")
    # Only the question whose answers conflict is listed as contested in the index.
    listed = [resolve("incidents", link) for link in read_page(site, "incidents").links]
    assert [fragment for url, fragment in listed if url == INCIDENT and fragment] == ["question-outcome"]


def test_single_origin_is_not_corroboration(site: Path) -> None:
    # Both reports quote the same spokesperson: one origin, however many outlets repeat it.
    page = read_page(site, ROCKETS)
    article = " ".join(next(e for e in page.elements if e.tag == "article").text.split())
    assert "Single source: only Wayne Marotto says so." in article


def test_timeline_is_in_date_order_and_the_incidents_page_newest_first(site: Path) -> None:
    for url, earlier_first in (("timeline", True), ("incidents", False)):
        links = [resolve(url, h)[0] for h in read_page(site, url).links]
        # The list (after the timeline picture, whose lanes go by type): the last link to each.
        incidents = [link for link in links if link.startswith("incidents/")]
        last = {link: n for n, link in enumerate(incidents)}
        assert (last[ROCKETS] < last[INCIDENT]) == earlier_first, url


def test_every_record_page_links_to_its_fact_file(site: Path) -> None:
    page = read_page(site, INCIDENT)
    assert any(h.endswith("/edit/main/facts/incidents/baghdad-embassy-drones-2021-07-06.yaml") for h in page.links)


def test_navigation_lists_index_pages_only(site: Path) -> None:
    html = (site / INCIDENT / "index.html").read_text(encoding="utf-8")
    assert html.count('class="md-nav__link') < 30
    assert "wayne-marotto" not in html.split("<article")[0]


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_facts_give_byte_identical_markdown(tmp_path: Path) -> None:
    first = make_project(tmp_path / "a")
    second = make_project(tmp_path / "b")
    generate(Project.at(first))
    generate(Project.at(second))
    markdown = {path: digest for path, digest in _tree_digest(first / "docs").items() if path.endswith(".md")}
    assert len(markdown) > 20
    assert markdown == {p: d for p, d in _tree_digest(second / "docs").items() if p.endswith(".md")}


def test_a_generated_page_edited_by_hand_is_rewritten(project: Path) -> None:
    generate(Project.at(project))
    page = project / "docs/actors/shafaq-news.md"
    original = page.read_text()
    page.write_text(original + "edited by hand\n")
    assert generate(Project.at(project)).report.written == ["actors/shafaq-news.md"]
    assert page.read_text() == original


def test_a_manifest_of_the_first_format_is_still_read(project: Path) -> None:
    import json

    generate(Project.at(project))
    manifest = project / "docs/.factsheet-manifest"
    manifest.write_text(json.dumps(sorted(json.loads(manifest.read_text()))))
    report = generate(Project.at(project)).report
    assert report.deleted == []
    assert len(report.written) > 20  # rewritten once, as their hashes were not recorded


def test_regenerating_rewrites_only_what_changed(project: Path) -> None:
    generate(Project.at(project))
    actor = project / "facts/actors/shafaq-news.yaml"
    actor.write_text(actor.read_text().replace("An Iraqi news website.", "An Iraqi news site."))
    report = generate(Project.at(project)).report
    assert report.written == ["actors/shafaq-news.md"]
    assert report.deleted == []


def test_build_never_touches_fact_files(project: Path, run) -> None:
    before = _tree_digest(project / "facts")
    assert run("build", "--project", str(project)).exit_code == 0
    assert _tree_digest(project / "facts") == before


def test_removed_record_deletes_only_its_generated_page(project: Path) -> None:
    (project / "facts/places/extra.yaml").write_text("name: Extra\nkind: city\nparent: iraq\n")
    generate(Project.at(project))
    handwritten = project / "docs/reference/format.md"
    before = handwritten.read_bytes()
    (project / "facts/places/extra.yaml").unlink()
    report = generate(Project.at(project)).report
    assert report.deleted == ["places/extra.md"]
    assert not (project / "docs/places/extra.md").exists()
    assert handwritten.read_bytes() == before


def test_refuses_to_overwrite_a_file_it_did_not_write(project: Path, run) -> None:
    foreign = project / "docs/incidents/ain-al-asad-rockets-2021-07-05.md"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("written by hand\n")
    result = run("build", "--project", str(project))
    assert result.exit_code == 1
    assert "docs/incidents/ain-al-asad-rockets-2021-07-05.md exists and was not written by factsheet" in result.output
    assert foreign.read_text() == "written by hand\n"


def test_invalid_fact_writes_nothing_and_keeps_the_site(project: Path, run) -> None:
    assert run("build", "--project", str(project)).exit_code == 0
    site_before = _tree_digest(project / "site")
    docs_before = _tree_digest(project / "docs")
    place = project / "facts/places/anbar.yaml"
    place.write_text(place.read_text() + "parnet: iraq\n")
    result = run("build", "--project", str(project))
    assert result.exit_code == 1
    assert "facts/places/anbar.yaml:5:1: error: unknown field 'parnet'; did you mean 'parent'?" in result.output
    assert _tree_digest(project / "site") == site_before
    assert _tree_digest(project / "docs") == docs_before


def test_failed_site_build_keeps_the_previous_site(project: Path, run) -> None:
    assert run("build", "--project", str(project)).exit_code == 0
    site_before = _tree_digest(project / "site")
    index = project / "docs/reading.md"  # hand-written: the build does not rewrite it
    index.write_text(index.read_text() + "\n[broken](incidents/no-such-incident.md)\n")
    result = run("build", "--project", str(project))
    assert result.exit_code == 1
    assert "no-such-incident.md" in result.output
    assert _tree_digest(project / "site") == site_before
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]


def test_built_site_is_readable_by_other_users(site: Path) -> None:
    """A web server or link checker running as another user can read the whole site."""
    umask = os.umask(0)
    os.umask(umask)
    if umask & 0o005:
        pytest.skip(f"the umask {umask:03o} itself keeps files from other users")
    for path in [site, *site.rglob("*")]:
        mode = path.stat().st_mode
        assert mode & 0o004, f"{path} is not readable by others ({mode & 0o777:03o})"
        if path.is_dir():
            assert mode & 0o001, f"{path} cannot be entered by others ({mode & 0o777:03o})"


def test_downloads_are_published_and_linked(site: Path) -> None:
    for name in ("incidents.csv", "claims.csv", "citations.csv", "sources.csv", "incidents.geojson"):
        assert (site / "downloads" / name).is_file()
    for name in ("datapackage.json", "CITATION.cff"):
        assert (site / "downloads" / name).is_file()
    page = read_page(site, "downloads")
    assert {"incidents.csv", "datapackage.json", "CITATION.cff"} <= {h.split("/")[-1] for h in page.links}
