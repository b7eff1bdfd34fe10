"""The downloads: CSV tables, GeoJSON, the Frictionless data package, CITATION.cff, git dates."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from frictionless import Package, validate

from generator.history import read_history
from generator.pipeline import generate
from generator.project import Project
from tests.conftest import ROOT, make_project


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("downloads") / "project")
    generate(Project.at(project))
    return project / "docs" / "downloads"


@pytest.fixture(scope="module")
def corpus_downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus's downloads."""
    project = make_project(tmp_path_factory.mktemp("corpus") / "project", ROOT / "facts")
    generate(Project.at(project))
    return project / "docs" / "downloads"


@pytest.mark.parametrize("which", ["downloads", "corpus_downloads"])
def test_data_package_is_valid_with_frictionless(which: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(which)
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
    package = Package(str(folder / "datapackage.json"))
    names = {resource.name for resource in package.resources}
    assert names == {"incidents", "claims", "citations", "sources", "incidents-geojson"}
    # Every file the package names is there, and every data file is in the package.
    described = {resource.path for resource in package.resources}
    on_disk = {p.name for p in folder.iterdir()} - {"index.md", "datapackage.json", "CITATION.cff"}
    assert described == on_disk


def test_frictionless_catches_a_citation_of_an_unknown_source(downloads: Path, tmp_path: Path) -> None:
    """The foreign keys are checked: the package is not valid by default."""
    broken = tmp_path / "broken"
    shutil.copytree(downloads, broken)
    rows = _rows(broken / "citations.csv")
    rows[0]["source_id"] = "no-such-source"
    with (broken / "citations.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    descriptor = json.loads((broken / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        resource.pop("bytes", None)  # the edit changed the size
    (broken / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(str(broken / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_one_row_per_incident_claim_citation_and_source(corpus_downloads: Path) -> None:
    facts = ROOT / "facts"
    incidents = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (facts / "incidents").glob("*.yaml")}
    claims = [(i, c) for i, data in incidents.items() for q in data["questions"] for c in q["claims"]]
    citations = sum(len(c["citations"]) for _, c in claims)
    assert sorted(r["id"] for r in _rows(corpus_downloads / "incidents.csv")) == sorted(incidents)
    assert len(_rows(corpus_downloads / "claims.csv")) == len(claims)
    assert len(_rows(corpus_downloads / "citations.csv")) == citations
    assert len(_rows(corpus_downloads / "sources.csv")) == len(list((facts / "sources").glob("*.md")))


def test_incident_row_says_what_the_fact_file_says(downloads: Path) -> None:
    rows = {r["id"]: r for r in _rows(downloads / "incidents.csv")}
    embassy = rows["baghdad-embassy-drones-2021-07-06"]
    assert embassy["event_date"] == "2021-07-06"
    # Read in Baghdad's time zone: the day as written, not widened to every zone on Earth.
    assert (embassy["date_start"], embassy["date_end"], embassy["date_precision"]) == (
        "2021-07-06",
        "2021-07-06",
        "day",
    )
    assert embassy["type"] == "drone-attack"
    assert embassy["actors"] == "us-embassy-baghdad:target"
    assert embassy["admin_path"] == "Iraq > Baghdad > US embassy in Baghdad"
    # The embassy has no coordinates: the point is Baghdad's, and the row says so.
    baghdad = yaml.safe_load((ROOT / "tests/fixtures/facts/places/baghdad.yaml").read_text(encoding="utf-8"))
    assert embassy["geo_place"] == "baghdad"
    assert float(embassy["latitude"]) == baghdad["coordinates"]["lat"]
    assert int(embassy["geo_precision"]) == baghdad["coordinates"]["precision_m"]
    assert embassy["contested"] == "true"
    assert "outcome:contested" in embassy["questions"].split("; ")
    assert "drone-count:consistent" in embassy["questions"].split("; ")


def test_claim_rows_say_which_answers_agree(downloads: Path) -> None:
    rows = {r["claim_id"]: r for r in _rows(downloads / "claims.csv") if r["incident_id"].startswith("baghdad")}
    # "Three drones" refines "several drones": the question is consistent, not contested.
    assert (rows["three-drones"]["refines"], rows["three-drones"]["status"]) == ("several-drones", "consistent")
    assert rows["several-drones"]["refines"] == ""
    # Consistency is marked on one claim and holds both ways; a conflict elsewhere keeps the question contested.
    assert rows["all-downed"]["consistent_with"] == "threat-eliminated"
    assert rows["threat-eliminated"]["consistent_with"] == "all-downed"
    assert rows["interception-failed"]["consistent_with"] == ""
    assert {rows[c]["status"] for c in ("all-downed", "threat-eliminated", "interception-failed")} == {"contested"}


def test_geojson_follows_rfc_7946(downloads: Path) -> None:
    collection = json.loads((downloads / "incidents.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946 §4: WGS 84 only, no crs member
    rows = {r["id"]: r for r in _rows(downloads / "incidents.csv")}
    assert {f["id"] for f in collection["features"]} == set(rows)
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        row = rows[feature["id"]]
        if row["latitude"]:
            lon, lat = feature["geometry"]["coordinates"]  # longitude first
            assert feature["geometry"]["type"] == "Point"
            assert (lat, lon) == (float(row["latitude"]), float(row["longitude"]))
        else:
            assert feature["geometry"] is None
        assert feature["properties"]["title"] == row["title"]


HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/","click")',
    "summary": " @SUM(1+1)*cmd|' /C calc'!A0",
    "claim": "+1+2",
    "label": "-2+3",
}


def test_formula_cells_are_neutralised(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    path = project / "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = HOSTILE["title"]
    data["summary"] = HOSTILE["summary"]
    data["questions"][0]["label"] = HOSTILE["label"]
    data["questions"][0]["claims"][0]["text"] = HOSTILE["claim"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    generate(Project.at(project))
    folder = project / "docs/downloads"
    incident = {r["id"]: r for r in _rows(folder / "incidents.csv")}["baghdad-embassy-drones-2021-07-06"]
    assert incident["title"] == "'" + HOSTILE["title"]
    assert incident["notes"] == "'" + HOSTILE["summary"].strip()
    claim = next(r for r in _rows(folder / "claims.csv") if r["incident_id"] == "baghdad-embassy-drones-2021-07-06")
    assert claim["claim"] == "'" + HOSTILE["claim"]
    assert claim["question"] == "'" + HOSTILE["label"]
    # No text cell of any table starts with a formula character.
    for table in ("incidents", "claims", "citations", "sources"):
        text = (folder / f"{table}.csv").read_text(encoding="utf-8")
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.lstrip(" ").startswith(("=", "+", "@")) or cell.lstrip("-").replace(".", "").isdigit()
    # Numbers stay numbers: a negative coordinate is not turned into text.
    assert validate(str(folder / "datapackage.json")).valid


def test_citation_cff_names_the_data_set(downloads: Path) -> None:
    cff = yaml.safe_load((downloads / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "dataset"
    assert cff["title"] and cff["authors"] and cff["message"]
    assert cff["url"].startswith("https://")


# ----- dates from git history -----


def _git(folder: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The fixture project in a git repository (in a sub-folder, as a project may be), with
    two commits on known days."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = tmp_path / "repo"
    project = make_project(top / "project")
    _git(top, "init", "-q", "-b", "main")
    _git(top, "add", ".")
    _git(top, "commit", "-q", "-m", "facts", when="2024-03-01T12:00:00+00:00")
    rockets = project / "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml"
    rockets.write_text(rockets.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _git(top, "commit", "-q", "-am", "edit", when="2024-05-09T23:30:00+02:00")
    return project


def test_history_gives_each_file_its_last_commit_day(repository: Path) -> None:
    history = read_history(Project.at(repository))
    assert history.last_change("facts/incidents/ain-al-asad-rockets-2021-07-05.yaml").isoformat() == "2024-05-09"
    assert history.last_change("facts/incidents/baghdad-embassy-drones-2021-07-06.yaml").isoformat() == "2024-03-01"
    assert history.latest.isoformat() == "2024-05-09"


def test_history_gives_no_day_to_a_file_changed_since_its_commit(repository: Path) -> None:
    embassy = repository / "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml"
    embassy.write_text(embassy.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    history = read_history(Project.at(repository))
    assert history.last_change("facts/incidents/baghdad-embassy-drones-2021-07-06.yaml") is None
    assert history.last_change("facts/incidents/ain-al-asad-rockets-2021-07-05.yaml") is not None


def test_history_of_a_shallow_clone_gives_no_days(repository: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repository.parent}", str(clone))
    history = read_history(Project.at(clone / "project"))
    assert history.changed == {}
    assert history.reason and "shallow" in history.reason


def test_history_outside_git_is_empty(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    assert read_history(Project.at(project)).changed == {}


def test_downloads_carry_the_git_days(repository: Path) -> None:
    generate(Project.at(repository))
    folder = repository / "docs/downloads"
    rows = {r["id"]: r for r in _rows(folder / "incidents.csv")}
    assert rows["ain-al-asad-rockets-2021-07-05"]["last_changed"] == "2024-05-09"
    cff = yaml.safe_load((folder / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["date-released"] == "2024-05-09"
