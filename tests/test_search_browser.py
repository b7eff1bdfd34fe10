"""The header search box, in a real browser, on a site built from tests/fixtures/search.

The site is built once (MkDocs, then the Pagefind index), served on 127.0.0.1, and
driven with Playwright in headless Chromium: each query the search issue names,
typed into the header search box, must find the pages it names.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.browser import CHROMIUM, CHROMIUM_ARGS
from generator.cli import main
from tests.conftest import make_project

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "search"
INSTALL_HINT = (
    "the search tests need Chromium at {path}: install it with `sudo apt-get install chromium` "
    "(or point the CHROMIUM environment variable at a Chromium binary)"
)
# The site is also served under this path, as GitHub Pages serves a project site.
SUB_PATH = "/factsheet/"
RESULT = ".md-search-result__item"


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file():
        return
    message = INSTALL_HINT.format(path=CHROMIUM)
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus built into a site with its search index."""
    _require_chromium()
    project = make_project(tmp_path_factory.mktemp("search") / "project", FIXTURE / "facts")
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    return project / "site"


class _Handler(http.server.SimpleHTTPRequestHandler):
    site = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=self.site, **kwargs)

    def translate_path(self, path: str) -> str:
        if path.startswith(SUB_PATH):
            path = "/" + path[len(SUB_PATH) :]
        return super().translate_path(path)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"site": str(site)})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(site: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Only the local site: the theme's web fonts and anything else stay offline.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(server + "/")
    yield tab
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def search(page: Any, query: str) -> list[dict[str, str]]:
    """Type a query into the header search box; return the results shown (url, title, facts)."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.type(query, delay=20)
    page.wait_for_function(
        "(q) => { const root = document.querySelector('[data-fs-search]');"
        " return root.dataset.fsState && root.dataset.fsQuery === q; }",
        arg=query,
        timeout=20_000,
    )
    return page.eval_on_selector_all(
        RESULT,
        """items => items.map(item => ({
            url: new URL(item.querySelector('a').href).pathname,
            title: item.querySelector('h1').textContent,
            facts: item.querySelector('.fs-search-result__facts')?.textContent ?? '',
        }))""",
    )


def urls(results: list[dict[str, str]]) -> list[str]:
    return [result["url"] for result in results]


AIN_AL_ASAD = [
    "/places/ain-al-asad-air-base/",
    "/incidents/ain-al-asad-rockets-2021-07-05/",
    "/incidents/ain-al-asad-rockets-2021-03-03/",
]
SOLEIMANI = ["/actors/qasem-soleimani/", "/incidents/baghdad-airport-strike-2020-01-03/"]
MUHANDIS = ["/actors/abu-mahdi-al-muhandis/", "/incidents/baghdad-airport-strike-2020-01-03/"]
PMF = ["/actors/popular-mobilization-forces/", "/incidents/pmf-drones-statement-2021-03-04/"]
EMBASSY_DRONES = ["/incidents/baghdad-embassy-drones-2021-07-06/"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ain al-Assad", AIN_AL_ASAD),
        ("Ain Assad", AIN_AL_ASAD),
        ("ain al-asad", AIN_AL_ASAD),
        ("Qasem", SOLEIMANI),
        ("Qassem Soleimani", SOLEIMANI),
        ("Abu Mehdi", MUHANDIS),
        ("Abu Mahdi al-Muhandis", MUHANDIS),
        ("PMF", PMF),
        ("Hashd al-Shaabi", PMF),
        ("C-RAM", EMBASSY_DRONES),
        ("sirens", EMBASSY_DRONES),
        ("Col. Wayne Marotto", ["/actors/wayne-marotto/", "/incidents/ain-al-asad-rockets-2021-07-05/"]),
        ("2021-07-05", ["/incidents/ain-al-asad-rockets-2021-07-05/"]),
        ("6 July 2021", EMBASSY_DRONES),
    ],
)
def test_a_spelling_finds_the_page_and_its_incidents(page: Any, query: str, expected: list[str]) -> None:
    found = urls(search(page, query))
    missing = [url for url in expected if url not in found]
    assert not missing, f"{query!r} did not find {missing}; it found {found}"


@pytest.mark.parametrize("query", ["C-RAM", "sirens", "Drone attack on the US embassy in Baghdad"])
def test_the_incident_ranks_above_pages_that_mention_it(page: Any, query: str) -> None:
    found = urls(search(page, query))
    assert found[0] == EMBASSY_DRONES[0], f"{query!r}: the incident should come first, got {found}"
    assert "/sources/embassy-drones-report/" in found, "the source that mentions it is found too, below"


@pytest.mark.parametrize("query", ["QASSEM SOLEIMANI", "qāsem soleimānī", "Soleimānī"])
def test_case_and_accents_do_not_matter(page: Any, query: str) -> None:
    found = urls(search(page, query))
    assert all(url in found for url in SOLEIMANI), f"{query!r} found {found}"


def test_incidents_show_date_and_place(page: Any) -> None:
    results = search(page, "Rocket attack on Ain al-Asad air base")
    facts = {result["url"]: result["facts"] for result in results}
    assert facts["/incidents/ain-al-asad-rockets-2021-07-05/"].startswith("Incident · 5 July 2021")
    assert facts["/incidents/ain-al-asad-rockets-2021-03-03/"].startswith("Incident · 3 March 2021")
    assert all(facts[url].endswith("Ain al-Asad air base") for url in AIN_AL_ASAD[1:])
    assert urls(results)[:2] != [] and set(urls(results)[:2]) == set(AIN_AL_ASAD[1:]), "both incidents first"


def test_a_query_that_matches_nothing_says_so(page: Any) -> None:
    assert search(page, "xylophone zanzibar") == []
    status = page.locator("[data-fs-search-status]")
    assert status.inner_text() == "No matching incidents or pages for “xylophone zanzibar”"
    assert status.is_visible()


def test_keyboard_opens_moves_and_follows_results(page: Any, server: str) -> None:
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.matches('input.md-search__input')"), "'/' focuses the box"
    assert page.locator("#__search").is_checked(), "the search box opens"
    page.keyboard.type("Ain Assad", delay=20)
    page.wait_for_selector(RESULT)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.locator(".md-search-result__link").nth(1)
    assert "fs-search-result--active" in (second.get_attribute("class") or "")
    href = second.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")
    page.locator("body").press("s")
    assert page.evaluate("document.activeElement.matches('input.md-search__input')"), "'s' focuses the box"
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked(), "Escape closes the box"
    assert page.evaluate("!document.activeElement.matches('input.md-search__input')")


def test_results_link_under_the_site_sub_path(page: Any, server: str) -> None:
    page.goto(server + SUB_PATH + "incidents/baghdad-embassy-drones-2021-07-06/")
    found = urls(search(page, "Qasem"))
    assert found and all(url.startswith(SUB_PATH) for url in found), found
    page.locator(".md-search-result__link").first.click()
    page.wait_for_url(f"**{SUB_PATH}**")
    assert page.locator("h1").first.inner_text()


def test_search_box_looks_like_material(page: Any) -> None:
    # Material's own classes, so the theme's styles (and palette) apply unchanged.
    assert page.locator("header .md-search .md-search__form input.md-search__input").count() == 1
    assert page.locator("label.md-header__button[for=__search]").count() == 1
    assert page.locator("form[name=search]").count() == 0, "Material's own search must not bind to the box"


def test_the_box_sits_in_materials_header_bar(page: Any) -> None:
    # overrides/main.html renders it after the header; its script moves it into the bar,
    # before the repository link, where Material puts its own search.
    bar = page.evaluate(
        """() => [...document.querySelector('header.md-header .md-header__inner').children].map(e => e.className)"""
    )
    search = bar.index("md-search")
    source = bar.index("md-header__source")
    assert bar[search - 1] == "md-header__button md-icon", "the search button comes just before the box"
    assert search < source
    assert page.locator("input.md-search__input").is_visible()
    assert page.eval_on_selector("#fs-search-header", "t => t.content.childElementCount") == 0, "nothing left behind"


def test_on_a_phone_the_header_button_opens_the_box(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    phone = context.new_page()
    phone.goto(server + "/")
    assert not phone.locator("#__search").is_checked(), "the box stays closed until asked for"
    phone.locator("label.md-header__button[for=__search]").click()
    assert phone.locator("#__search").is_checked()
    phone.wait_for_function("document.activeElement.matches('input.md-search__input')")
    phone.keyboard.type("Qasem", delay=20)
    phone.wait_for_selector(RESULT)
    assert "/actors/qasem-soleimani/" in urls(
        phone.eval_on_selector_all(
            RESULT, "items => items.map(i => ({url: new URL(i.querySelector('a').href).pathname}))"
        )
    )
    context.close()
