"""factsheet's own check of the links and anchors of the Markdown pages (generator/links.py)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from generator.links import check_links, read_page
from tests.conftest import FIXTURES, make_project

BROKEN = FIXTURES / "links" / "broken.md"


def _problems(pages: dict[str, str], files: tuple[str, ...] = ()) -> list[str]:
    return [str(problem) for problem in check_links(pages, files)]


def test_a_broken_link_and_a_broken_anchor_stop_the_build_with_their_positions(
    project: Path, run: Callable[..., Result]
) -> None:
    shutil.copy(BROKEN, project / "docs" / "broken.md")
    result = run("build", "--project", str(project))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "docs/broken.md:10:22: error: the link 'incidents/ain-al-asad-rockets-2021-07-06.md' leads nowhere: "
        "there is no docs/incidents/ain-al-asad-rockets-2021-07-06.md "
        "(did you mean 'ain-al-asad-rockets-2021-07-05.md'?)",
        "docs/broken.md:10:93: error: the link 'incidents/ain-al-asad-rockets-2021-07-05.md#what-the-source-says' "
        "leads to no anchor: docs/incidents/ain-al-asad-rockets-2021-07-05.md has no heading or element with id "
        "'what-the-source-says' (did you mean 'what-the-sources-say'?)",
        "docs/broken.md:11:65: error: the link '#what-to-read' leads to no anchor: this page has no heading or "
        "element with id 'what-to-read'",
    ]
    assert "Error: 3 broken links: fix the links above; nothing was built" in result.stderr
    assert not (project / "site").exists()
    assert not (project / "docs" / "incidents").exists(), "nothing is written when a link is broken"
    assert not list(project.glob(".factsheet-build-*")), "no engine configuration is left behind"


def test_generate_checks_the_links_too(project: Path, run: Callable[..., Result]) -> None:
    shutil.copy(BROKEN, project / "docs" / "broken.md")
    result = run("generate", "--project", str(project))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 3
    assert "nothing was generated" in result.stderr
    (project / "docs" / "broken.md").unlink()
    assert run("generate", "--project", str(project)).exit_code == 0


def test_headings_get_the_ids_of_the_toc_extension() -> None:
    page = read_page(
        "---\ntitle: x\n---\n\n"
        "# Ain al-Asad: rockets, 5 July\n\n"
        "## Ain al-Asad: rockets, 5 July\n\n"
        "## Qāsem Soleimānī's *car*\n\n"
        "## A [linked](other.md#x) `code` heading\n\n"
        "### The question {: #question-count }\n\n"
        "Setext heading\n"
        "--------------\n\n"
        "#No space after the hashes\n"
    )
    assert page.anchors == {
        "ain-al-asad-rockets-5-july",
        "ain-al-asad-rockets-5-july_1",
        "qasem-soleimanis-car",
        "a-linked-code-heading",
        "question-count",
        "setext-heading",
        "no-space-after-the-hashes",
    }


def test_explicit_ids_and_raw_html_are_anchors_and_code_is_not() -> None:
    page = read_page(
        'Text <span id="claim-one"></span> and <a name="old-style"></a>.\n\n'
        "A paragraph with an id.\n{: #para }\n\n"
        '`<span id="in-code">`\n\n'
        '```html\n<span id="in-a-fence"></span>\n# Not a heading\n```\n'
    )
    assert page.anchors == {"claim-one", "old-style", "para"}


def test_every_kind_of_link_is_read_with_its_column() -> None:
    page = read_page(
        '[a](one.md) ![b](img/two.png) [c](<three file.md> "title") [d](four.md "t")\n'
        "[label]: five.md\n"
        '<a href="six.md#x">six</a> <img src="seven.png">\n'
        "`[code](not-a-link.md)` \\[escaped\\](not-a-link-either.md)\n"
    )
    assert [(link.target, link.line, link.col) for link in page.links] == [
        ("one.md", 1, 5),
        ("img/two.png", 1, 18),
        ("three file.md", 1, 36),
        ("four.md", 1, 64),
        ("five.md", 2, 10),
        ("six.md#x", 3, 10),
        ("seven.png", 3, 38),
    ]


def test_what_a_link_may_lead_to() -> None:
    pages = {
        "index.md": "# Home\n\n[incidents](incidents/index.md) [data](downloads/incidents.csv) "
        "[site](https://example.org/x.md) [mail](mailto:a@b.c) [top](#home) [query](incidents/index.md?x=1#incidents)\n",
        "incidents/index.md": "# Incidents\n\n[home](../index.md#home) [same page](#incidents)\n",
    }
    assert _problems(pages, ("downloads/incidents.csv",)) == []


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            "/incidents/index.md",
            "the link '/incidents/index.md' is absolute, so it breaks when the site is served under a sub-path "
            "(as on GitHub Pages): make it relative to this page",
        ),
        ("../../facts/x.yaml", "the link '../../facts/x.yaml' leads outside the docs folder"),
        ("../incidents/", "the link '../incidents/' leads to a folder: link to its page, '../incidents/index.md'"),
        ("../incidents", "the link '../incidents' leads to a folder: link to its page, '../incidents/index.md'"),
        (
            "../downloads/incidents.csv",
            "the link '../downloads/incidents.csv' leads nowhere: there is no docs/downloads/incidents.csv",
        ),
    ],
)
def test_links_that_lead_nowhere(link: str, message: str) -> None:
    pages = {"reference/format.md": f"# Format\n\nSee [this]({link}).\n", "incidents/index.md": "# Incidents\n"}
    assert _problems(pages) == [f"docs/reference/format.md:3:12: error: {message}"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture facts and the hand-written pages, with a page of awkward headings, built by MkDocs."""
    from click.testing import CliRunner

    from generator.cli import main

    project = make_project(tmp_path_factory.mktemp("links") / "project")
    (project / "docs" / "headings.md").write_text(
        "# Awkward headings\n\n"
        "## Repeated\n\n## Repeated\n\n## Repeated {: #repeated_1 }\n\n"
        "## Qāsem Soleimānī, C-RAM & the 'Green Zone'\n\n"
        "## A [link](index.md), `code`, *emphasis*, __strong__ and <em>HTML</em>\n\n"
        "## 47\\. An escaped full stop\n\n"
        "## snake_case_word and _underscored_\n\n"
        "Setext heading\n==============\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    return project


def test_anchors_are_the_ids_the_site_engine_gives(built: Path) -> None:
    """On every page MkDocs built, each heading id is an anchor the check knows, and each anchor it knows is there."""
    checked = 0
    for page_path in sorted((built / "docs").rglob("*.md")):
        relative = page_path.relative_to(built / "docs").as_posix()
        if relative.startswith("."):
            continue
        url = relative.removesuffix(".md").removesuffix("index").rstrip("/")
        html = (built / "site" / url / "index.html").read_text(encoding="utf-8")
        article = html[html.index("<article") : html.index("</article>")]
        heading_ids = set(re.findall(r"<h[1-6][^>]*\sid=\"([^\"]+)\"", article))
        every_id = set(re.findall(r"\sid=\"([^\"]+)\"", article))
        anchors = read_page(page_path.read_text(encoding="utf-8")).anchors
        assert heading_ids <= anchors, f"{relative}: the check misses {sorted(heading_ids - anchors)}"
        assert anchors <= every_id, f"{relative}: the check invents {sorted(anchors - every_id)}"
        checked += len(heading_ids)
    assert checked > 100


def test_links_in_html_are_addresses_of_the_built_site() -> None:
    """The engine does not rewrite links in raw HTML (an SVG picture's marks): they are read
    as the built site's addresses, relative to the page's own address."""
    pages = {
        "index.md": "# Home\n",
        "timeline/index.md": '# Timeline\n\n<svg><a href="../incidents/x/"></a><a href="../incidents/x/#claim-a"></a>'
        '<a href="../"></a><a href="../downloads/incidents.csv"></a></svg>\n',
        "incidents/x.md": '# X\n\n<span id="claim-a"></span> <a href="../y/">y</a>\n',
        "incidents/y.md": "# Y\n",
    }
    assert _problems(pages, ("downloads/incidents.csv",)) == []
    broken = {
        **pages,
        "timeline/index.md": '# T\n\n<a href="../incidents/x.md"></a> <a href="../incidents/z/"></a> '
        '<a href="../incidents/x/#nothing"></a>\n',
    }
    assert _problems(broken) == [
        "docs/timeline/index.md:3:10: error: the link '../incidents/x.md' is in HTML, which the site engine "
        "does not rewrite: link to the page's address, '../incidents/x/'",
        "docs/timeline/index.md:3:43: error: the link '../incidents/z/' leads nowhere: no page is served at incidents/z/",
        "docs/timeline/index.md:3:74: error: the link '../incidents/x/#nothing' leads to no anchor: docs/incidents/x.md "
        "has no heading or element with id 'nothing'",
    ]
