"""Properties that hold for any input (Hypothesis), and a short fuzzing run of the loader and validator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import load
from generator.check import check_corpus
from generator.limits import INVISIBLE
from generator.models import KINDS, SLUG
from generator.problems import Problem
from generator.project import GENERATED_DIRS
from generator.render import md
from generator.write import WriteError, _target
from tests.conftest import FIXTURE_FACTS, ROOT

# The Markdown extensions of mkdocs.yml: the same inline and block processing as the site.
EXTENSIONS = ["attr_list", "tables", "toc"]

# Text a fact file may hold: anything but surrogates and the refused invisible characters.
fact_text = (
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120)
    .map(lambda text: INVISIBLE.sub("", text))
    .filter(lambda text: text.strip() != "")
)
# Text made of the characters that mean something to Markdown, HTML, Jinja and attribute lists.
markup_text = st.text(st.sampled_from(list("<>&*_`[]()!#|{}%:;=\"'\\-+.~ ^/1aZ")), min_size=1, max_size=80).filter(
    lambda text: text.strip() != ""
)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _render(document: str) -> _Collector:
    collector = _Collector()
    collector.feed(markdown.Markdown(extensions=EXTENSIONS).convert(document))
    collector.close()
    return collector


# Where templates print a value: its own paragraph, a table cell, a list item, bold, link text.
CONTEXTS = {
    "paragraph": ("{}", ["p"]),
    "table cell": (
        "| | |\n|---|---|\n| **When** | {} |",
        ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "strong", "td"],
    ),
    "list item": ('- <span id="claim-x"></span>**{}**', ["ul", "li", "span", "strong"]),
    "link": ("[{}](../places/x.md)", ["p", "a"]),
}


@pytest.mark.parametrize("context", CONTEXTS)
@given(text=st.one_of(fact_text, markup_text))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_shows_literally_and_adds_no_markup(context: str, text: str) -> None:
    template, tags = CONTEXTS[context]
    rendered = _render(template.format(md(text)))
    assert rendered.tags == tags
    shown = " ".join("".join(rendered.text).split())
    expected = " ".join(text.split())
    if context == "table cell":
        shown = shown.removeprefix("When ")
    assert shown == expected
    assert not [name for name, _ in rendered.attrs if name.startswith("on")]


@given(text=st.one_of(fact_text, markup_text))
@settings(max_examples=100, deadline=None)
def test_any_heading_text_shows_literally(text: str) -> None:
    rendered = _render(f"# {md(text)}")
    assert rendered.tags == ["h1"]
    assert " ".join("".join(rendered.text).split()) == " ".join(text.split())


@given(relative=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_path_is_written_outside_the_generated_folders(relative: str, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    try:
        target = _target(docs, relative)
    except WriteError:
        return
    parts = target.relative_to(docs).parts
    assert parts[0] in GENERATED_DIRS and ".." not in parts and "." not in parts
    assert os.path.normpath(target) == str(target)


@given(
    folder=st.sampled_from(list(GENERATED_DIRS)),
    record_id=st.from_regex(SLUG, fullmatch=True).filter(lambda value: len(value) <= 80),
)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_id_names_a_file_in_its_folder(folder: str, record_id: str, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    assert _target(docs, f"{folder}/{record_id}.md") == docs / folder / f"{record_id}.md"


def _base_corpus() -> load.Corpus:
    corpus = load.Corpus()
    for kind in KINDS:
        for path in sorted((FIXTURE_FACTS / kind).iterdir()):
            loaded = load.load_bytes(corpus, kind, f"facts/{kind}/{path.name}", path.stem, path.read_bytes())
            if loaded is not None:
                corpus.of_kind(kind)[path.stem] = loaded
    return corpus


# Fragments of fact files, so that generated inputs get past the parser often.
_FRAGMENTS = [
    "title: ",
    "name: ",
    "kind: city\n",
    "parent: iraq\n",
    "place: baghdad\n",
    "type: other\n",
    "when:\n  date: ",
    "2021-07-06",
    "9999",
    "P999999D",
    "questions:\n  - id: q\n    label: l\n    claims:\n      - id: c\n        text: t\n",
    "        citations:\n          - source: embassy-drones-report\n            quote: ",
    "three drones",
    "&a ",
    "*a",
    "!!python/object ",
    "[",
    "]",
    "{",
    "}",
    "- ",
    "  ",
    "\n",
    "\t",
    "'",
    '"',
    "\\",
    "---\n",
    "\ufeff",
    "\u202e",
    "\x00",
    "timezone: ",
    "localtime",
    "relative_to: ",
    "within: ",
    "index",
    "tags: [",
    "<<: ",
    "? ",
    ": ",
    "#",
]
fact_bytes = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=12), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    ),
)


_BASE = _base_corpus()


@given(kind=st.sampled_from(sorted(KINDS)), data=fact_bytes)
@settings(max_examples=300, deadline=None)
def test_loading_and_checking_never_raise(kind: str, data: bytes) -> None:
    corpus = load.Corpus(**{k: dict(_BASE.of_kind(k)) for k in KINDS})
    rel = f"facts/{kind}/fuzzed{KINDS[kind].extension}"
    loaded = load.load_bytes(corpus, kind, rel, "fuzzed", data)
    if loaded is not None:
        corpus.of_kind(kind)["fuzzed"] = loaded
    result = check_corpus(corpus)
    for problem in [*corpus.problems, *result.problems]:
        assert isinstance(problem, Problem)
        assert "\x1b" not in str(problem) and "\r" not in str(problem)


def test_fuzzing_the_loader_and_validator_briefly(tmp_path: Path) -> None:
    try:
        import atheris  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("atheris is not installed (pip install -e '.[test]' installs it on Linux x86-64)")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for number, path in enumerate(sorted(FIXTURE_FACTS.rglob("*.*"))):
        kind = sorted(KINDS).index(path.parent.name)
        (seeds / f"seed-{number}").write_bytes(bytes([kind]) + path.read_bytes())
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/fuzz_load.py"), str(seeds), "-runs=600", "-max_len=4096", "-seed=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 600 runs" in result.stderr
    shutil.rmtree(seeds)
