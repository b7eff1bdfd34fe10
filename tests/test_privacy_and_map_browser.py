"""No request leaves the site unless the reader asks: every page, recorded in Chromium.

The map's OpenStreetMap background is the one thing that may reach a third party, and
only after the reader presses its button; the choice is remembered, and can be taken back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sitebrowser import chromium, offline_context, serve

PAGES = [
    "",
    "incidents/",
    "incidents/us-embassy-baghdad-drone-attack-2021-07-06/",
    "actors/wayne-marotto/",
    "places/ain-al-asad-air-base/",
    "sources/us-shoots-down-airborne-threat-over-baghdad-embassy/",
    "timeline/",
    "map/",
    "downloads/",
    "reading/",
]
TILE_HOST = "https://tile.openstreetmap.org/"


@pytest.fixture(scope="module")
def server(corpus_site: Path) -> Iterator[str]:
    with serve(corpus_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _outside(requests: list[str], server: str) -> list[str]:
    origin = server.split("/factsheet/")[0] + "/"
    return [url for url in requests if not url.startswith((origin, "data:", "blob:"))]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_makes_no_request_outside_the_site(browser: Any, server: str, path: str) -> None:
    requests: list[str] = []
    context = offline_context(browser, server, requests, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + path, wait_until="networkidle")
    # Opening the search box loads the search index: from the site too.
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").fill("drone")
    page.wait_for_selector(".md-search-result__item", timeout=20_000)
    page.wait_for_load_state("networkidle")
    context.close()
    assert len(requests) > 3
    assert _outside(requests, server) == []


def test_the_repository_link_stays_without_asking_github(browser: Any, server: str) -> None:
    context = offline_context(browser, server, [])
    page = context.new_page()
    page.goto(server, wait_until="networkidle")
    assert page.locator("a.md-source").first.get_attribute("href").startswith("https://github.com/")
    context.close()


def test_map_tiles_load_only_after_the_reader_asks(browser: Any, server: str) -> None:
    requests: list[str] = []
    context = offline_context(browser, server, requests, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server + "map/", wait_until="networkidle")
    assert _outside(requests, server) == []
    assert page.locator(".fs-map-svg").first.is_visible(), "the site's own picture shows without asking"
    assert not any("leaflet" in url for url in requests), "Leaflet is not even loaded before the reader asks"
    button = page.get_by_role("button", name="Show the OpenStreetMap background")
    assert button.is_visible()
    button.click()
    page.wait_for_selector(".leaflet-container")
    page.wait_for_load_state("networkidle")
    leaflet = [url for url in requests if "leaflet" in url]
    assert leaflet and all(url.startswith(server) for url in leaflet), "Leaflet comes from the site, not a CDN"
    outside = _outside(requests, server)
    assert outside and all(url.startswith(TILE_HOST) for url in outside), outside
    assert page.locator(".leaflet-interactive").count() >= 2, "the places are drawn on the tiled map"
    assert not page.locator(".fs-map-svg").first.is_visible()

    # Remembered: the next visit shows the tiles without asking again.
    requests.clear()
    page.reload(wait_until="networkidle")
    page.wait_for_selector(".leaflet-container")
    assert any(url.startswith(TILE_HOST) for url in requests)

    # Taken back: no more tiles.
    page.get_by_role("button", name="Stop loading OpenStreetMap").click()
    page.wait_for_load_state("networkidle")
    requests.clear()
    page.reload(wait_until="networkidle")
    assert _outside(requests, server) == []
    assert page.locator(".fs-map-svg").first.is_visible()
    context.close()
    assert not errors, errors


def test_without_javascript_the_map_page_still_shows_the_places(browser: Any, server: str) -> None:
    context = offline_context(browser, server, [], java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "map/")
    assert page.locator(".fs-map-svg").first.is_visible()
    assert not page.get_by_role("button", name="Show the OpenStreetMap background").is_visible()
    assert page.locator("table a[href*='places/']").count() >= 3, "the table lists the places"
    context.close()
