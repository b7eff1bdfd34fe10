"""An incident prints as a fact sheet: Chromium's own PDF of the page, on A4.

The printed page names the site, the page's public address and the day it was printed;
the site's navigation is not printed; every link's target is printed (paper cannot follow
a link); and the longest incident of the corpus fits on three pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.sitebrowser import chromium, offline_context, serve

EMBASSY = "incidents/us-embassy-baghdad-drone-attack-2021-07-06/"
SITE_URL = "https://factsheet-org.github.io/factsheet/"


@pytest.fixture(scope="module")
def server(corpus_site: Path) -> Iterator[str]:
    with serve(corpus_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def printed(browser: Any, server: str) -> Iterator[tuple[Any, bytes]]:
    """The embassy incident in print layout, and its PDF."""
    context = offline_context(browser, server, None, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + EMBASSY, wait_until="networkidle")
    pdf = page.pdf(format="A4")
    page.emulate_media(media="print")
    yield page, pdf
    context.close()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_embassy_incident_prints_on_at_most_three_a4_pages(printed: tuple[Any, bytes]) -> None:
    _, pdf = printed
    assert pdf.startswith(b"%PDF")
    assert 1 <= _pages(pdf) <= 3


def test_the_print_names_site_address_and_day(printed: tuple[Any, bytes]) -> None:
    page, _ = printed
    header = page.locator(".fs-print-header")
    assert header.is_visible()
    text = " ".join(header.inner_text().split())
    assert text.startswith("factsheet ")
    assert SITE_URL + EMBASSY in text, "the public address, not the address it was opened at"
    today = date.today()
    assert f"Printed {today.day} {today:%B %Y}" in text


def test_the_navigation_is_not_printed(printed: tuple[Any, bytes]) -> None:
    page, _ = printed
    for selector in (".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("h1").first.is_visible()


def test_every_link_target_is_printed(printed: tuple[Any, bytes]) -> None:
    page, _ = printed
    listed = page.locator(".fs-print-links").inner_text()
    targets = page.evaluate(
        """() => {
            const base = new URL(document.querySelector('link[rel=canonical]').href);
            const root = new URL(document.querySelector('a.md-logo').getAttribute('href'), base);
            const found = new Set();
            for (const a of document.querySelectorAll('article a[href]')) {
                const raw = a.getAttribute('href');
                if (raw.startsWith('#') || a.closest('.fs-print-links, .fs-print-header') || a.classList.contains('headerlink')) continue;
                const url = new URL(raw, new URL(raw, location.href).origin === location.origin ? base : undefined);
                url.hash = '';
                if (url.href !== base.href) found.add(url.href.replace(root.href, '/'));
            }
            return [...found];
        }"""
    )
    assert len(targets) > 20
    flat = "".join(listed.split())
    missing = [t for t in targets if t not in flat]
    assert not missing, missing
    # The sources are named in full in print: title, outlet (or that it is not stated).
    sources = page.locator("#sources + ol, h2:has-text('Sources') + ol").first.inner_text()
    assert "Outlet not stated" in sources or "Published" in sources


def test_the_print_header_and_links_stay_off_screen(browser: Any, server: str) -> None:
    context = offline_context(browser, server, None, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + EMBASSY, wait_until="networkidle")
    assert page.locator(".fs-print-header").count() == 1
    assert not page.locator(".fs-print-header").is_visible()
    assert not page.locator(".fs-print-links").is_visible()
    context.close()
