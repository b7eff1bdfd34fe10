"""What the theme overrides assume of the installed Material for MkDocs.

The overrides copy none of Material's templates: `overrides/main.html` adds the search
box after Material's header block and a script moves it into the header, and the box
is styled by Material's own classes. Any Material release (pyproject.toml allows every
9.x from 9.7) must still offer what that needs; these tests fail when one does not,
and tests/test_search_browser.py checks the result in a browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import material
import pytest

from tests.conftest import ROOT

THEME = Path(material.__file__).parent / "templates"
OVERRIDES = ROOT / "overrides"


def _material(name: str) -> str:
    return (THEME / name).read_text(encoding="utf-8")


def test_material_has_a_header_block_and_the_search_toggle() -> None:
    base = _material("base.html")
    assert re.search(r"{%\s*block header\s*%}\s*{%\s*include \"partials/header.html\"\s*%}\s*{%\s*endblock\s*%}", base)
    # The box opens and closes with this checkbox, as Material's own search does.
    assert re.search(r'<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search"', base)


def test_material_header_has_the_bar_the_box_joins() -> None:
    header = _material("partials/header.html")
    inner = header.index('<nav class="md-header__inner')
    source = header.index('<div class="md-header__source">')
    own_search = header.index('{% include "partials/search.html" %}')
    # The box goes where Material puts its own: in the bar, just before the repository link.
    assert inner < own_search < source
    assert header.count('class="md-header__inner') == 1 and header.count('class="md-header__source"') == 1


def test_the_script_inserts_into_those_elements() -> None:
    script = (OVERRIDES / "main.html").read_text(encoding="utf-8")
    assert 'document.querySelector(".md-header__inner")' in script
    assert 'header.querySelector(".md-header__source")' in script


def _material_css() -> str:
    [stylesheet] = (THEME / "assets" / "stylesheets").glob("main.*.min.css")
    return stylesheet.read_text(encoding="utf-8")


def _classes_used() -> set[str]:
    """Material's classes in the box's markup and in the results docs/assets/search.js builds."""
    used: set[str] = set()
    for template in (OVERRIDES / "main.html", OVERRIDES / "partials" / "pagefind-search.html"):
        for names in re.findall(r'class="([^"{]*)"', template.read_text(encoding="utf-8")):
            used.update(name for name in names.split() if name.startswith("md-"))
    script = (ROOT / "docs" / "assets" / "search.js").read_text(encoding="utf-8")
    used.update(re.findall(r"(?<![\w-])md-[a-z][\w-]*", script))
    return used


def test_material_styles_every_class_the_box_uses() -> None:
    used = _classes_used()
    assert {"md-search", "md-search__input", "md-header__button", "md-search-result__item"} <= used
    css = _material_css()
    missing = sorted(name for name in used if not re.search(rf"\.{re.escape(name)}(?![\w-])", css))
    assert not missing, f"Material's stylesheet no longer styles {missing}"


@pytest.mark.parametrize("name", ["partials/header.html", "partials/search.html", "base.html"])
def test_no_material_template_is_copied(name: str) -> None:
    assert not (OVERRIDES / name).exists(), f"overrides/{name} would copy one Material release's template"
