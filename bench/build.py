"""Build a project's site for the search benchmark and tests, with either search engine.

``pagefind``: the project's own configuration (no MkDocs search plugin), then the
Pagefind index (``generator.search.index_site``). ``builtin``: the same pages with
Material's search plugin switched on, into ``site-builtin/``.

Pages come from the generator's renderer (``factsheet generate``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from generator.pipeline import generate
from generator.project import GENERATED_DIRS, GENERATED_ROOT_PAGES, Project
from generator.search import index_site

ROOT = Path(__file__).resolve().parent.parent
BUILTIN_CONFIG = "mkdocs.builtin.yml"
# What a project needs besides its facts; generated pages are left out.
PROJECT_FILES = ("mkdocs.yml",)
PROJECT_DIRS = ("overrides", "docs")


@dataclass
class BuildTimes:
    pages: int
    render_s: float
    mkdocs_s: float
    index_s: float


def copy_project(out: Path) -> None:
    """Copy this repository's site configuration, theme overrides and docs into ``out``."""
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, out / name)
    for name in PROJECT_DIRS:
        source = ROOT / name
        if not source.is_dir():
            continue
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, ignore=_generated)


def _generated(folder: str, names: list[str]) -> set[str]:
    if Path(folder).resolve() == (ROOT / "docs").resolve():
        return set(names) & {*GENERATED_DIRS, *GENERATED_ROOT_PAGES, ".factsheet-manifest"}
    return set()


def write_pages(project_dir: Path) -> int:
    """Validate the facts and write every page with the generator's renderer."""
    generation = generate(Project.at(project_dir))
    return len(generation.report.written) + generation.report.unchanged


def mkdocs_build(project_dir: Path, engine: str) -> Path:
    """Run MkDocs for the given engine; return the site folder."""
    project_dir = project_dir.resolve()
    config = project_dir / "mkdocs.yml"
    site = project_dir / "site"
    if engine == "builtin":
        site = project_dir / "site-builtin"
        config = project_dir / BUILTIN_CONFIG
        config.write_text("INHERIT: mkdocs.yml\nsite_dir: site-builtin\nplugins:\n  - search\n", encoding="utf-8")
    if site.exists():
        shutil.rmtree(site)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config)], check=True, cwd=project_dir, env=env
    )
    return site


def build(project_dir: Path, engine: str, render: bool = True) -> BuildTimes:
    """Render pages (unless already rendered), build the site, and index it for Pagefind."""
    start = time.perf_counter()
    pages = write_pages(project_dir) if render else 0
    rendered = time.perf_counter()
    site = mkdocs_build(project_dir, engine)
    built = time.perf_counter()
    if engine == "pagefind":
        index_site(site)
    indexed = time.perf_counter()
    return BuildTimes(pages, rendered - start, built - rendered, indexed - built)
