"""The timeline picture and the map page, as generated (the browser tests look at them drawn)."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.pipeline import generate
from generator.project import Project
from generator.timeline import ARROW
from tests.conftest import ROOT, make_project

ROCKETS = "ain-al-asad-rockets-2021-07-05"
EMBASSY = "baghdad-embassy-drones-2021-07-06"
# Incidents with each kind of date, made from the rockets incident (so that their quotes check).
SHAPES = {
    "vote-2020": {"when": {"date": "2020"}, "type": "vote", "title": "A vote some day in 2020"},
    "statement-2021-05": {"when": {"date": "2021-05"}, "type": "statement", "title": "A statement in May 2021"},
    "undated-attack": {
        "when": {"date": "../2021-07-06", "note": "the report gives no date"},
        "type": "missile-attack",
        "title": "A missile attack on a day not given",
    },
    "attacks-2020": {
        "when": {"date": "2020-01-01/2020-12-20"},
        "type": "rocket-attack",
        "series": True,
        "title": "Rocket attacks through 2020",
    },
}


class _Links(HTMLParser):
    """The <a> elements of an SVG picture, with their attributes and what they contain."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.inside: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append({k: v or "" for k, v in attrs} | {"content": ""})
            self.depth += 1
        elif self.depth:
            self.links[-1]["content"] += f"<{tag} " + " ".join(f'{k}="{v}"' for k, v in attrs) + ">"

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.depth -= 1


def _svg(page: str, css_class: str) -> str:
    match = re.search(rf'<svg class="{css_class}".*?</svg>', page, re.S)
    assert match, f"no {css_class} picture"
    return match.group(0)


def _links(svg: str) -> dict[str, dict[str, str]]:
    parser = _Links()
    parser.feed(svg)
    return {link["href"]: link for link in parser.links}


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("shapes") / "project")
    incidents = project / "facts/incidents"
    template = yaml.safe_load((incidents / f"{ROCKETS}.yaml").read_text(encoding="utf-8"))
    for incident_id, changes in SHAPES.items():
        data = {**template, **changes}
        (incidents / f"{incident_id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    generate(Project.at(project))
    return project / "docs"


def _x_extent(content: str) -> tuple[float, float]:
    xs = [float(v) for v in re.findall(r'\b(?:x|x1|x2|cx)="([-\d.]+)"', content)]
    return min(xs), max(xs)


def test_every_incident_is_one_named_link_on_the_timeline(docs: Path) -> None:
    links = _links(_svg((docs / "timeline/index.md").read_text(encoding="utf-8"), "fs-tl-svg"))
    incident_ids = {p.stem for p in (docs / "incidents").glob("*.md")} - {"index"}
    assert set(links) == {f"../incidents/{i}/" for i in incident_ids}
    facts = {i: yaml.safe_load((docs.parent / f"facts/incidents/{i}.yaml").read_text()) for i in incident_ids}
    for incident_id, data in facts.items():
        name = links[f"../incidents/{incident_id}/"]["aria-label"]
        assert data["title"] in name, name
        assert data["type"].replace("-", " ") in name


def test_each_kind_of_date_has_its_own_mark(docs: Path) -> None:
    links = _links(_svg((docs / "timeline/index.md").read_text(encoding="utf-8"), "fs-tl-svg"))

    def mark(incident_id: str) -> dict[str, str]:
        return links[f"../incidents/{incident_id}/"]

    assert "fs-tl-point" in mark(ROCKETS)["class"]
    assert "fs-tl-window" in mark("vote-2020")["class"]
    assert "fs-tl-window" in mark("statement-2021-05")["class"]
    assert "fs-tl-series" in mark("attacks-2020")["class"]
    assert "a series of events" in mark("attacks-2020")["aria-label"]
    # A date not given is a short arrow from the report's day, not a window across the years before.
    undated = mark("undated-attack")
    assert "fs-tl-before" in undated["class"]
    left, right = _x_extent(undated["content"])
    year_left, year_right = _x_extent(mark("vote-2020")["content"])
    assert right - left < ARROW + 20 < (year_right - year_left) / 4
    # A year is drawn about twelve times as wide as a month.
    month_left, month_right = _x_extent(mark("statement-2021-05")["content"])
    assert 9 < (year_right - year_left) / (month_right - month_left) < 15


def test_contested_incidents_are_marked_so(docs: Path) -> None:
    links = _links(_svg((docs / "timeline/index.md").read_text(encoding="utf-8"), "fs-tl-svg"))
    embassy, rockets = links[f"../incidents/{EMBASSY}/"], links[f"../incidents/{ROCKETS}/"]
    assert "fs-tl-contested" in embassy["class"] and "contested" in embassy["aria-label"]
    assert "fs-tl-contested" not in rockets["class"] and "contested" not in rockets["aria-label"]
    assert "<path" in embassy["content"], "a contested point is a diamond, not only another colour"


def test_pictures_take_their_colours_from_the_page(docs: Path) -> None:
    """No colour is written into the pictures: light and dark come from the stylesheet."""
    for page, css_class in (("timeline/index.md", "fs-tl-svg"), ("map/index.md", "fs-map-svg")):
        svg = _svg((docs / page).read_text(encoding="utf-8"), css_class)
        assert not re.search(r'\b(fill|stroke|color)="(?!none)', svg), page
        assert "style=" not in svg


def test_the_map_draws_each_place_with_its_incidents(docs: Path) -> None:
    page = (docs / "map/index.md").read_text(encoding="utf-8")
    links = _links(_svg(page, "fs-map-svg"))
    # Only Baghdad and Iraq have coordinates: the embassy's incident is drawn at Baghdad's
    # point, the air base's (in Anbar, in Iraq) at Iraq's.
    assert set(links) == {"../places/baghdad/", "../places/iraq/"}
    assert "Baghdad: 1 incident (within" in links["../places/baghdad/"]["aria-label"]
    assert "Iraq: 5 incidents (within" in links["../places/iraq/"]["aria-label"]
    data = json.loads(re.search(r'<script type="application/json" id="fs-map-data">(.*?)</script>', page).group(1))
    assert {d["href"] for d in data} == set(links)
    baghdad = yaml.safe_load((docs.parent / "facts/places/baghdad.yaml").read_text(encoding="utf-8"))["coordinates"]
    row = f"| [Baghdad](../places/baghdad.md) | {baghdad['lat']}° N, {baghdad['lon']}° E | {baghdad['precision_m'] // 1000} km | 1: [US embassy in Baghdad]"
    assert row in page


def test_a_place_name_cannot_break_out_of_the_map_data(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    place = project / "facts/places/baghdad.yaml"
    data = yaml.safe_load(place.read_text(encoding="utf-8"))
    data["name"] = "Baghdad</script><script>alert(1)</script><!--"
    place.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    generate(Project.at(project))
    page = (project / "docs/map/index.md").read_text(encoding="utf-8")
    script = re.search(r'<script type="application/json" id="fs-map-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in script and ">" not in script
    assert json.loads(script)[0]["name"] == data["name"]
    assert "<script>alert(1)" not in page


def test_vendored_leaflet_is_the_npm_release_with_its_licence() -> None:
    folder = ROOT / "docs/assets/vendor/leaflet"
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    listed = dict(reversed(line.split("  ")) for line in re.findall(r"^[0-9a-f]{64}  \S+$", readme, re.M))
    assert {"leaflet.js", "leaflet.css", "LICENSE"} <= set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert "BSD 2-Clause" in (folder / "LICENSE").read_text(encoding="utf-8")
