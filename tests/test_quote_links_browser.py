"""Every citation link lands on its quote: in Chromium, on the bundled corpus.

The bundled facts (`facts/` of the repository) are built into a site with the real
pipeline and MkDocs. Every link from an incident or actor page to a quoted passage of a
source is followed in one headless Chromium page; on the landing page, the text shown
with a background colour (what a reader sees highlighted) must be exactly the quote the
link showed, after the normalisation the quote checker applies, and its first words
must be in view below the header.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS
from generator.quotes import normalise
from tests.htmlpage import read_page, resolve

# What a reader sees highlighted: the text inside the archived text that has a
# background colour, in document order; pieces in different paragraphs are joined by
# a space (as the quote checker reads a line break). Also where the first piece is.
HIGHLIGHTED = """
() => {
  const root = document.querySelector('.fs-source-text');
  const lit = (node) => {
    for (let el = node.parentElement; el && el !== root.parentElement; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return true;
    }
    return false;
  };
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let text = '';
  let block = null;
  let first = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!lit(node)) continue;
    const paragraph = node.parentElement.closest('p');
    if (block && paragraph !== block) text += ' ';
    block = paragraph;
    text += node.data;
    if (!first) first = node.parentElement.getBoundingClientRect();
  }
  const header = document.querySelector('.md-header').getBoundingClientRect();
  return {
    text,
    top: first ? first.top : null,
    headerBottom: header.bottom,
    viewport: window.innerHeight,
  };
}
"""


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file():
        return
    message = f"the browser tests need Chromium at {CHROMIUM}: install it with `sudo apt-get install chromium`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def site(bundled_site: Path) -> Path:
    _require_chromium()
    return bundled_site


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def quote_links(site: Path) -> dict[str, dict[str, set[tuple[str, str]]]]:
    """Source page → quote anchor → {(citing page, quote as the link shows it)}."""
    links: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
    for kind in ("incidents", "actors"):
        for folder in sorted((site / kind).iterdir()):
            if not (folder / "index.html").is_file():
                continue
            url = f"{kind}/{folder.name}"
            page = read_page(site, url)
            for element in page.elements:
                href = element.attrs.get("href", "")
                if element.tag != "a" or "#q-" not in href:
                    continue
                target, fragment = resolve(url, href)
                links[target][fragment].add((url, shown_quote(element.text)))
    return links


def shown_quote(text: str) -> str:
    """The quote a link shows, without the quotation marks the page puts around it."""
    text = " ".join(text.split())
    if text.startswith("“") and text.endswith("”"):
        text = text[1:-1]
    return normalise(text)


def test_every_citation_link_highlights_exactly_its_quote(site: Path, server: str) -> None:
    from playwright.sync_api import sync_playwright

    links = quote_links(site)
    followed = 0
    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort()
        )
        page = context.new_page()
        for target, anchors in sorted(links.items()):
            page.goto(f"{server}/{target}/")
            for anchor, shown in sorted(anchors.items()):
                # Following a link to another passage of the same page is a same-document navigation.
                page.evaluate("url => { location.href = url; }", f"{server}/{target}/#{anchor}")
                page.wait_for_function("a => location.hash === '#' + a", arg=anchor)
                seen = page.evaluate(HIGHLIGHTED)
                for citing, quote in sorted(shown):
                    followed += 1
                    where = f"{citing} → {target}#{anchor}"
                    if normalise(seen["text"]) != quote:
                        failures.append(f"{where}: highlighted {seen['text']!r}, the link shows {quote!r}")
                    elif not seen["headerBottom"] - 1 <= seen["top"] < seen["viewport"]:
                        failures.append(f"{where}: the quote starts at {seen['top']}px, out of view")
        browser.close()
    assert followed > 150, f"only {followed} citation links found"
    assert not failures, f"{len(failures)} of {followed} links:\n" + "\n".join(failures)
