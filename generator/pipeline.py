"""The stages in order: load → check → index → render → links → write (then `site.build_site` builds the site)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from generator.cache import ValidationCache
from generator.check import CheckResult, check_corpus
from generator.index import Index, build_index
from generator.links import BrokenLinks, check_links, docs_files
from generator.load import Corpus, load_corpus, load_files
from generator.problems import FactsInvalid, Problem
from generator.progress import Progress, Silent
from generator.project import Project
from generator.render import Page, Renderer
from generator.schema import comment_problems
from generator.write import WriteReport, read_manifest, write_pages


@dataclass
class Validation:
    """A loaded corpus with everything the checks found."""

    corpus: Corpus
    checks: CheckResult

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.corpus.problems + self.checks.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: loading allocates about a million small,
    acyclic objects, and collections triggered by them more than double the load time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate(project: Project, *, cache: bool = False) -> Validation:
    """Load and check every fact file of the project.

    With ``cache``, files whose bytes were loaded before come from ``.factsheet-cache/``
    (see :mod:`generator.cache`); the checks across files always run.
    """
    if not cache:
        with _collector_paused():
            corpus = load_corpus(project)
            corpus.problems.extend(comment_problems(project, corpus, missing=False))
            return Validation(corpus, check_corpus(corpus))
    store = ValidationCache(project)
    return validate_with_cache(store, store.corpus_key())


def validate_with_cache(store: ValidationCache, key: str) -> Validation:
    """Validate through the cache, and remember the problems under ``key`` (see ``ValidationCache.corpus_key``)."""
    with _collector_paused():
        corpus = store.load_corpus()
        validation = Validation(corpus, check_corpus(corpus))
    store.remember(key, validation.problems)
    return validation


def validate_files(files: Mapping[str, bytes]) -> Validation:
    """Load and check fact files given in memory (project-relative path → content), e.g. read from git."""
    with _collector_paused():
        corpus = load_files(files)
        corpus.problems.extend(comment_problems(None, corpus, missing=False, files=files))
        return Validation(corpus, check_corpus(corpus))


@dataclass
class Generation:
    """What generating the pages did."""

    validation: Validation
    index: Index
    report: WriteReport


def link_problems(project: Project, pages: list[Page]) -> list[Problem]:
    """The broken links and anchors of the docs folder as it will be once ``pages`` are written."""
    on_disk, files = docs_files(project.docs_dir, leaving=read_manifest(project))
    for page in pages:
        if page.path.endswith(".md"):
            on_disk[page.path] = page.text
        else:
            files.append(page.path)
    return check_links(on_disk, files, project.relative(project.docs_dir))


def generate(project: Project, *, cache: bool = False, progress: Progress | None = None) -> Generation:
    """Validate, then write every page into the docs folder.

    Raises FactsInvalid on any error in the facts, BrokenLinks when a link of the pages
    (generated or hand-written) leads nowhere; either way nothing is written. Each step
    is reported to ``progress`` (nothing by default).
    """
    progress = progress or Silent()
    with progress.step("Loading and checking the facts"):
        validation = validate(project, cache=cache)
    if validation.errors:
        raise FactsInvalid(validation.problems)
    with _collector_paused():
        with progress.step("Indexing the facts"):
            index = build_index(validation.corpus, validation.checks)
        pages = list(progress.track(Renderer(index, project).pages(), "Rendering pages"))
    with progress.step("Checking links"):
        broken = link_problems(project, pages)
    if broken:
        raise BrokenLinks(broken)
    with progress.step("Writing pages"):
        report = write_pages(project, pages)
    return Generation(validation, index, report)
