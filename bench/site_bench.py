"""Build time, memory, page weight and preview latency as the corpus grows.

For each size, writes a synthetic corpus (``bench.synth``) and, each stage in its own
process (so that its peak memory is its own), runs ``factsheet generate --no-cache``
(load, validate with quote checks, render, link check, write), MkDocs and Pagefind;
then ``factsheet validate`` on the unchanged corpus with its cache; then starts the
real ``factsheet serve`` on a free port, and times, for a few one-file edits, how long
it takes from saving an incident file to the preview serving the page with the edit.
Ratios (generator / MkDocs, 10,000 / 5,000) are measured in the same run, so they
survive a noisy machine.

    python3 -m bench.site_bench --sizes 5000 10000 --runs 1 --write-readme

``--write-readme`` replaces the results section of ``bench/README.md`` with the table
and a description of the machine (never edit that section by hand).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.synth import write_corpus
from generator.project import GENERATED_DIRS
from generator.search import pagefind_command
from generator.write import MANIFEST

README = Path(__file__).parent / "README.md"
BEGIN = "<!-- results: written by python3 -m bench.site_bench --write-readme; do not edit by hand -->"
END = "<!-- end of results -->"
EDITS = 3  # one-file edits timed in the preview, per size


@dataclass
class Stage:
    seconds: list[float] = field(default_factory=list)
    peak_mib: float = 0.0

    def add(self, seconds: float, peak_kib: int) -> None:
        self.seconds.append(seconds)
        self.peak_mib = max(self.peak_mib, peak_kib / 1024)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Run a command; its wall time and its peak resident memory (KiB, from wait4)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{error.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss


def _clean(project_dir: Path) -> None:
    docs = project_dir / "docs"
    for name in GENERATED_DIRS:
        shutil.rmtree(docs / name, ignore_errors=True)
    (docs / MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(project_dir / "site", ignore_errors=True)
    shutil.rmtree(project_dir / ".factsheet-cache", ignore_errors=True)


def _factsheet(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


def _preview_latency(project_dir: Path, log_path: Path) -> tuple[list[float], float]:
    """Seconds from saving an incident file to the preview serving the edit, per edit; and the start-up time."""
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _factsheet("serve", "--project", str(project_dir), "--dev-addr", "127.0.0.1:0"),
            cwd=project_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = ""
        while not url:
            if process.poll() is not None:
                raise SystemExit("factsheet serve stopped:\n" + log_path.read_text()[-2000:])
            found = re.search(r"Serving on (http://\S+)", log_path.read_text())
            url = found.group(1) if found else ""
            time.sleep(0.2)
        # Measure once the first search index is written, as an analyst would edit.
        while "search index updated" not in log_path.read_text():
            time.sleep(0.5)
        startup = time.perf_counter() - started
        incidents = sorted((project_dir / "facts/incidents").glob("*.yaml"))
        samples = []
        for number in range(EDITS):
            incident = incidents[len(incidents) * number // EDITS]
            page = f"{url}incidents/{incident.stem}/"
            marker = f"Edited{number}x"
            text = incident.read_text(encoding="utf-8")
            saved = time.perf_counter()
            incident.write_text(text.replace("title: ", f"title: {marker} ", 1), encoding="utf-8")
            while marker not in _fetch(page):
                time.sleep(0.05)
                if time.perf_counter() - saved > 300:
                    raise SystemExit(f"the preview did not follow an edit in 300 s:\n{log_path.read_text()[-2000:]}")
            samples.append(time.perf_counter() - saved)
            time.sleep(1)  # let MkDocs reload browsers and settle
        return samples, startup
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise SystemExit("factsheet serve did not stop within 120 s of SIGTERM") from None


def measure(size: int, runs: int, workdir: Path, preview: bool = True) -> dict[str, object]:
    project_dir = workdir / f"corpus-{size}"
    write_corpus(project_dir, size)
    stages = {name: Stage() for name in ("generator", "mkdocs", "pagefind", "validate_cached")}
    for _ in range(runs):
        _clean(project_dir)
        stages["generator"].add(*_timed(_factsheet("generate", "--project", ".", "--no-cache"), project_dir))
        stages["mkdocs"].add(*_timed([sys.executable, "-m", "mkdocs", "build", "--quiet"], project_dir))
        stages["pagefind"].add(*_timed(pagefind_command(project_dir / "site"), project_dir))
    _timed(_factsheet("validate", "--project", "."), project_dir)  # fills the cache
    for _ in range(3):
        stages["validate_cached"].add(*_timed(_factsheet("validate", "--project", "."), project_dir))
    site = project_dir / "site"
    pages = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    incident_pages = [
        size for name, size in pages.items() if name.startswith("incidents/") and name != "incidents/index.html"
    ]
    largest = max(pages, key=lambda name: pages[name])
    latencies, startup = _preview_latency(project_dir, workdir / f"serve-{size}.log") if preview else ([], 0.0)
    shutil.rmtree(project_dir)
    return {
        "stages": stages,
        "pages": len(pages),
        "mean_incident_kb": statistics.mean(incident_pages) / 1024,
        "max_incident_kb": max(incident_pages) / 1024,
        "largest": largest,
        "largest_kb": pages[largest] / 1024,
        "preview": statistics.median(latencies) if latencies else None,
        "preview_max": max(latencies) if latencies else None,
        "preview_startup": startup,
    }


def machine() -> str:
    cpu = "unknown CPU"
    with_model = [line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
    if with_model:
        cpu = with_model[0].split(":", 1)[1].strip()
    memory = next(
        (
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return (
        f"{cpu}, {os.cpu_count()} cores available, {memory} GiB RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, MkDocs {version('mkdocs')}, mkdocs-material {version('mkdocs-material')}, "
        f"Pagefind {version('pagefind')}"
    )


def _preview_cell(row: dict[str, object]) -> str:
    if row["preview"] is None:
        return "not measured"
    return f"{row['preview']:.1f} s (worst {row['preview_max']:.1f} s)"


def table(rows: list[tuple[int, dict[str, object]]], runs: int, load: tuple[float, float]) -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}. "
        f"Load average (1 min) {load[0]:.1f} at the start, {load[1]:.1f} at the end: other work shared the machine, "
        f"so compare the ratios, measured in the same run. Build times are medians of {runs} build(s) from scratch; "
        f"cached validation is the median of 3 runs; the preview is the median (and worst) of {EDITS} one-file edits.",
        "",
        "| Incidents | Pages | Generator | MkDocs | Pagefind | Generator / MkDocs | Whole build | Peak memory "
        "(generator / MkDocs / Pagefind) | validate, cached | Preview: edit to page | Mean incident page | "
        "Largest incident page | Largest page |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, r in rows:
        s = r["stages"]
        assert isinstance(s, dict)
        whole = s["generator"].median + s["mkdocs"].median + s["pagefind"].median
        lines.append(
            f"| {size:,} | {r['pages']:,} | {s['generator'].median:.1f} s | {s['mkdocs'].median:.1f} s "
            f"| {s['pagefind'].median:.1f} s | {s['generator'].median / s['mkdocs'].median:.2f} | {whole:.1f} s "
            f"| {s['generator'].peak_mib:.0f} / {s['mkdocs'].peak_mib:.0f} / {s['pagefind'].peak_mib:.0f} MiB "
            f"| {s['validate_cached'].median:.2f} s | {_preview_cell(r)} "
            f"| {r['mean_incident_kb']:.1f} KB | {r['max_incident_kb']:.1f} KB | {r['largest']} {r['largest_kb']:.0f} KB |"
        )
    if len(rows) >= 2:
        (small, a), (large, b) = sorted(rows, key=lambda row: row[0])[-2:]  # the two largest sizes
        sa, sb = a["stages"], b["stages"]
        assert isinstance(sa, dict) and isinstance(sb, dict)
        whole_a = sum(sa[name].median for name in ("generator", "mkdocs", "pagefind"))
        whole_b = sum(sb[name].median for name in ("generator", "mkdocs", "pagefind"))
        lines += [
            "",
            f"Linearity: the whole build at {large:,} incidents took {whole_b / whole_a:.2f}× the time at {small:,} "
            f"({large / small:.1f}× the incidents); generator {sb['generator'].median / sa['generator'].median:.2f}×, "
            f"MkDocs {sb['mkdocs'].median / sa['mkdocs'].median:.2f}×, Pagefind "
            f"{sb['pagefind'].median / sa['pagefind'].median:.2f}×. Per page at {large:,}: generator "
            f"{sb['generator'].median / float(b['pages']) * 1000:.1f} ms, MkDocs {sb['mkdocs'].median / float(b['pages']) * 1000:.1f} ms, "
            f"Pagefind {sb['pagefind'].median / float(b['pages']) * 1000:.1f} ms. Largest page: {a['largest_kb']:.0f} KB at "
            f"{small:,}, {b['largest_kb']:.0f} KB at {large:,}.",
        ]
    lines.append("")
    lines.append(
        "Preview start-up (first generation, full MkDocs build and first search index): "
        + ", ".join(f"{r['preview_startup']:.0f} s at {size:,}" for size, r in rows if r["preview"] is not None)
        + "."
    )
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    README.write_text(readme[:start] + "\n\n" + text + "\n\n" + readme[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--write-readme", action="store_true", help="put the table into bench/README.md")
    parser.add_argument(
        "--preview-sizes",
        type=int,
        nargs="*",
        help="sizes at which to time the preview (default: every size); each edit costs a regeneration",
    )
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="factsheet-bench-") as workdir:
        for size in args.sizes:
            preview = args.preview_sizes is None or size in args.preview_sizes
            rows.append((size, measure(size, args.runs, Path(workdir), preview)))
            print(f"{size:,} incidents measured", file=sys.stderr, flush=True)
    text = table(rows, args.runs, (load_before, os.getloadavg()[0]))
    print(text)
    if args.write_readme:
        write_readme(text)


if __name__ == "__main__":
    main()
