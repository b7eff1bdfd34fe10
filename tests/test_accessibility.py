"""Real checkers on the built site: axe-core in Chromium for accessibility, LinkChecker
for broken links and anchors.

axe-core (its ``axe.min.js``, as bundled by the ``axe-playwright-python`` package) must
find no serious or critical violation on the reader's main pages, at desktop and phone
widths, in light and dark. LinkChecker (Debian's ``linkchecker``) crawls the whole site
from the home page, anchors included, as another user (it drops root's rights to
``nobody``), over HTTP.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from tests.sitebrowser import chromium, offline_context, serve

PAGES = {
    "home": "",
    "incident": "incidents/us-embassy-baghdad-drone-attack-2021-07-06/",
    "actor": "actors/wayne-marotto/",
    "place": "places/ain-al-asad-air-base/",
    "source": "sources/us-shoots-down-airborne-threat-over-baghdad-embassy/",
    "incidents": "incidents/",
    "timeline": "timeline/",
    "map": "map/",
}
VIEWS = {
    "desktop": (1280, "light"),
    "phone": (390, "light"),
    "desktop-dark": (1280, "dark"),
    "phone-dark": (390, "dark"),
}


@pytest.fixture(scope="module")
def server(corpus_site: Path) -> Iterator[str]:
    with serve(corpus_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


AXE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def _serious(page: Any) -> list[str]:
    page.add_script_tag(content=AXE)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}×, e.g. {v['nodes'][0]['target']}): {v['help']}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(browser: Any, server: str, name: str, view: str) -> None:
    width, scheme = VIEWS[view]
    context = offline_context(browser, server, None, viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(server + PAGES[name], wait_until="networkidle")
    assert page.evaluate("document.body.dataset.mdColorScheme") == ("slate" if scheme == "dark" else "default")
    violations = _serious(page)
    context.close()
    assert violations == [], "\n".join(violations)


def test_axe_finds_what_it_should(browser: Any, server: str) -> None:
    """The check is real: a link told apart only by its colour is reported."""
    context = offline_context(browser, server, None, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + PAGES["incident"], wait_until="networkidle")
    page.add_style_tag(content=".md-typeset a { text-decoration: none !important; }")
    assert any(v.startswith("link-in-text-block") for v in _serious(page))
    context.close()


LINKCHECKER_CONFIG = """\
[checking]
threads=4
maxrequestspersecond=1000

[filtering]
checkextern=0

[AnchorCheck]
"""


def _linkchecker(start: str, *options: str) -> subprocess.CompletedProcess[str]:
    linkchecker = shutil.which("linkchecker")
    if linkchecker is None:
        message = "LinkChecker is not installed: sudo apt-get install linkchecker"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # LinkChecker run as root drops to the user nobody before it reads its configuration:
    # the file must be readable by anyone (pytest's own temporary folders are not).
    readable = Path(tempfile.mkdtemp(prefix="linkchecker-"))
    try:
        readable.chmod(0o755)
        config = readable / "linkcheckerrc"
        config.write_text(LINKCHECKER_CONFIG, encoding="utf-8")
        config.chmod(0o644)
        command = [linkchecker, "--config", str(config), "--no-status", "--output", "text", *options, start]
        return subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False, cwd=readable)
    finally:
        shutil.rmtree(readable, ignore_errors=True)


def test_linkchecker_finds_no_broken_link_or_anchor(server: str) -> None:
    result = _linkchecker(server)
    summary = result.stdout + result.stderr
    assert result.returncode == 0, summary
    # A missing anchor is a warning to LinkChecker: none is allowed.
    assert "0 warnings found" in summary and "0 errors found" in summary, summary


def test_linkchecker_reports_a_broken_link_and_anchor(corpus_site: Path, tmp_path: Path) -> None:
    """The check is real: a page with a link to nowhere and to a missing anchor fails it."""
    site = tmp_path / "site"
    shutil.copytree(corpus_site, site)
    page = site / "index.html"
    html = page.read_text(encoding="utf-8")
    broken = '<a href="incidents/no-such-incident/">x</a> <a href="downloads/#no-such-anchor">y</a></article>'
    page.write_text(html.replace("</article>", broken), encoding="utf-8")
    with serve(site) as url:
        result = _linkchecker(url, "--recursion-level", "2")
    assert result.returncode == 1
    assert "no-such-incident" in result.stdout
    assert "no-such-anchor" in result.stdout
