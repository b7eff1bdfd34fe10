"""Page weight and build time of the whole site as the corpus grows.

For each size, writes a synthetic corpus (``bench.synth``), then builds it several
times from scratch and reports medians: the generator's time (validate, render,
write), MkDocs' time, Pagefind's time, the mean size of an incident page, and the
generator's time to rebuild after one fact edit. Page weight must stay flat as the
corpus grows; the ratios are measured in the same run, so they survive a noisy machine.

    python3 -m bench.site_bench --sizes 100 1000 --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.build import copy_project, mkdocs_build
from bench.synth import write_corpus
from generator.pipeline import generate
from generator.project import GENERATED_DIRS, Project
from generator.search import index_site
from generator.write import MANIFEST


def _clean(project_dir: Path) -> None:
    docs = project_dir / "docs"
    for name in GENERATED_DIRS:
        shutil.rmtree(docs / name, ignore_errors=True)
    (docs / MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(project_dir / "site", ignore_errors=True)


def _incident_pages(site: Path) -> list[int]:
    return [p.stat().st_size for p in (site / "incidents").glob("*/index.html")]


def _edit_one_fact(project_dir: Path) -> None:
    incident = sorted((project_dir / "facts/incidents").glob("*.yaml"))[0]
    text = incident.read_text(encoding="utf-8")
    incident.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")


def measure(size: int, runs: int, workdir: Path) -> dict[str, float]:
    project_dir = workdir / f"corpus-{size}"
    project_dir.mkdir(parents=True)
    write_corpus(project_dir, size)
    copy_project(project_dir)
    project = Project.at(project_dir)
    samples: dict[str, list[float]] = {k: [] for k in ("generate", "mkdocs", "pagefind", "incremental", "written")}
    pages: list[int] = []
    site_bytes = 0
    for _ in range(runs):
        _clean(project_dir)
        started = time.perf_counter()
        generate(project)
        generated = time.perf_counter()
        site = mkdocs_build(project_dir, "pagefind")
        built = time.perf_counter()
        index_site(site)
        indexed = time.perf_counter()
        samples["generate"].append(generated - started)
        samples["mkdocs"].append(built - generated)
        samples["pagefind"].append(indexed - built)
        pages = _incident_pages(site)
        site_bytes = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        _edit_one_fact(project_dir)
        started = time.perf_counter()
        report = generate(project).report
        samples["incremental"].append(time.perf_counter() - started)
        samples["written"].append(len(report.written))
    result = {name: statistics.median(values) for name, values in samples.items()}
    result["incident_pages"] = len(pages)
    result["mean_incident_kb"] = statistics.mean(pages) / 1024
    result["max_incident_kb"] = max(pages) / 1024
    result["site_mb"] = site_bytes / 1024 / 1024
    shutil.rmtree(project_dir)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="factsheet-bench-") as workdir:
        for size in args.sizes:
            rows.append((size, measure(size, args.runs, Path(workdir))))
    print(f"Medians of {args.runs} builds from scratch; the incremental column is the generator after one fact edit.\n")
    print(
        "| Incidents | Mean incident page | Largest | Site | Generator | MkDocs | Pagefind "
        "| Generator / MkDocs | Incremental generator (pages rewritten) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, r in rows:
        print(
            f"| {size:,} | {r['mean_incident_kb']:.1f} KB | {r['max_incident_kb']:.1f} KB | {r['site_mb']:.1f} MB "
            f"| {r['generate']:.2f} s | {r['mkdocs']:.2f} s | {r['pagefind']:.2f} s "
            f"| {r['generate'] / r['mkdocs']:.2f} | {r['incremental']:.2f} s ({r['written']:.0f}) |"
        )


if __name__ == "__main__":
    main()
