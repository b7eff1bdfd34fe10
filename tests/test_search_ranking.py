"""Search on the bundled corpus, in Chromium through the header search box: what answers a
query comes first, results show what the page says (not its hidden spellings), and every
spelling of a name finds the same pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sitebrowser import SUB_PATH, chromium, offline_context, serve

RESULT = ".md-search-result__item"
EMBASSY_DRONES = "incidents/us-embassy-baghdad-drone-attack-2021-07-06/"


@pytest.fixture(scope="module")
def server(corpus_site: Path) -> Iterator[str]:
    with serve(corpus_site) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    with chromium() as browser:
        context = offline_context(browser, server, None, viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(server, wait_until="networkidle")
        yield tab
        context.close()
        assert not errors, errors


def search(page: Any, query: str) -> list[dict[str, str]]:
    """The results the header box shows for a query: page (from the site root), kind, excerpt."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.type(query, delay=10)
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
            kind: item.querySelector('article').dataset.kind ?? '',
            excerpt: item.querySelector('.fs-search-result__excerpt').textContent,
        }))""",
    )


def _path(url: str) -> str:
    return url.removeprefix(SUB_PATH)


@pytest.mark.parametrize(
    ("query", "answers"),
    [
        ("C-RAM", ["incidents/c-ram-deployment-us-embassy-baghdad-2020/", EMBASSY_DRONES]),
        ("three drones", [EMBASSY_DRONES, "incidents/baghdad-airport-drone-attack-2021-06-09/"]),
        ("shot down", [EMBASSY_DRONES]),
        ("Ain al-Assad", ["places/ain-al-asad-air-base/", "incidents/ain-al-asad-rocket-attack-2021-07-05/"]),
    ],
)
def test_what_answers_a_query_ranks_above_pages_that_mention_it(page: Any, query: str, answers: list[str]) -> None:
    results = search(page, query)
    order = [_path(r["url"]) for r in results]
    assert all(answer in order for answer in answers), f"{query!r}: {order}"
    mentions = [n for n, r in enumerate(results) if r["kind"] in ("actor", "source")]
    assert mentions, f"{query!r}: pages that mention it are found too"
    last_answer = max(order.index(answer) for answer in answers)
    assert last_answer < mentions[0], f"{query!r}: {order}"


def _indexed(page: Any, server: str, query: str) -> dict[str, dict[str, Any]]:
    """What Pagefind holds of each page a query finds: its text (content) and metadata."""
    found = page.evaluate(
        """async ([pagefind, query]) => {
            const module = await import(pagefind);
            await module.init();
            const search = await module.search(query);
            return Promise.all(search.results.map((result) => result.data()));
        }""",
        [server + "pagefind/pagefind.js", query],
    )
    return {item["url"]: item for item in found}


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("query", ["Ain al-Assad", "C-RAM", "Qassem Soleimani", "Popular Mobilization Forces"])
def test_excerpts_show_the_page_not_its_hidden_spellings(page: Any, server: str, query: str) -> None:
    """Each excerpt is the page's summary or a passage of the text the page shows, never the
    hidden list of other spellings (after the mark "⁂") that lets the page be found."""
    results = search(page, query)
    indexed = _indexed(page, server, query)
    assert results
    for result in results:
        data = indexed[result["url"]]
        own, _, hidden = data["content"].partition("⁂")
        if result["kind"] in ("incident", "actor", "place"):
            assert hidden.strip(), f"{result['url']}: the page's other spellings are indexed"
        excerpt = _words(result["excerpt"])
        assert excerpt, result
        assert excerpt in _words(own) or excerpt in _words(data["meta"].get("summary", "")), (
            f"{result['url']}: {result['excerpt']!r} is not the page's own text"
        )


def _record_pages(page: Any, server: str, query: str) -> set[str]:
    urls = page.evaluate(
        """async ([pagefind, query]) => {
            const module = await import(pagefind);
            await module.init();
            const search = await module.search(query);
            return Promise.all(search.results.map(async (result) => (await result.data()).url));
        }""",
        [server + "pagefind/pagefind.js", query],
    )
    paths = {_path(url) for url in urls}
    return {p for p in paths if p.split("/")[0] in ("incidents", "actors", "places", "sources")}


@pytest.mark.parametrize(
    "spellings",
    [
        ("Ain al-Assad", "Ain al-Asad", "Ain al-Assad Air Base", "Ain Assad airbase"),
        ("Qassem Soleimani", "Qasem Soleimani"),
        ("Abu Mahdi al-Muhandis", "Abu Mehdi al-Muhandis"),
        ("Popular Mobilization Forces", "Hashd al-Shaabi", "Popular Mobilization Units"),
    ],
)
def test_every_spelling_of_a_name_finds_the_same_pages(page: Any, server: str, spellings: tuple[str, ...]) -> None:
    found = {spelling: _record_pages(page, server, spelling) for spelling in spellings}
    first = found[spellings[0]]
    assert len(first) > 3
    for spelling, pages in found.items():
        assert pages == first, f"{spelling!r} finds {sorted(pages ^ first)} differently from {spellings[0]!r}"
