"""Search benchmark: bytes downloaded and time until the first result, in a real browser.

For each corpus size it builds one synthetic site (``bench/synth.py``) twice, with
MkDocs-Material's built-in search and with Pagefind, serves each on 127.0.0.1 (gzip,
as GitHub Pages does), and in headless Chromium opens the home page, types a place
name into the header search box and waits for the first result: the time is from the
last key typed to the first result shown for the whole query. It sums the bytes
transferred (compressed body and headers, as Playwright reports them for the page and
its workers) of every response that ended before the first result appeared: the page
itself and what search fetched. Each figure is the median of several runs, each in a fresh
browser context (empty cache).

    python3 -m bench.search_bench --sizes 100 1000 10000 --runs 3

Corpora and sites go to bench/results/corpus-N/ (git-ignored) and are reused when
present; ``--rebuild`` builds them again. Needs Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import re
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml

from bench.browser import CHROMIUM, CHROMIUM_ARGS
from bench.build import build
from bench.synth import write_corpus

RESULTS = Path(__file__).resolve().parent / "results"
COMPRESSIBLE = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt", ".wasm")
ENGINES = ("builtin", "pagefind")
ENGINE_NAMES = {"builtin": "Material built-in", "pagefind": "Pagefind"}
SITE_DIRS = {"builtin": "site-builtin", "pagefind": "site"}
RESULT_SELECTOR = ".md-search-result__item"

# Runs in the page: note when the last key goes into the search box and when a
# result appears after it, so that neither includes Playwright's own round trips.
PROBE = """
(() => {
  window.__probe = { typed: null, first: null };
  document.addEventListener("keydown", () => {
    window.__probe.typed = performance.now();
    window.__probe.first = null;
  }, true);
  const seen = () => {
    const probe = window.__probe;
    if (probe.typed !== null && probe.first === null && document.querySelector("%s")) {
      probe.first = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
})();
""".replace("%s", RESULT_SELECTOR)

SEARCH_URL = re.compile(r"/pagefind/|/search/|workers/search|lunr")


@dataclass
class Measure:
    total_bytes: int
    search_bytes: int
    requests: int
    time_ms: float


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for clients that accept it (compressed once, kept)."""

    cache: ClassVar[dict[str, bytes]] = {}
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if (
            not path.endswith(COMPRESSIBLE)
            or "gzip" not in self.headers.get("Accept-Encoding", "")
            or not os.path.isfile(path)
        ):
            return super().send_head()
        with self.lock:
            body = self.cache.get(path)
            if body is None:
                with open(path, "rb") as file:
                    body = self.cache[path] = gzip.compress(file.read(), compresslevel=6)
        import io

        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a folder on a free port of 127.0.0.1; yield its base URL."""
    handler = type("Handler", (_GzipHandler,), {"cache": {}})

    def make(*args: object, **kwargs: object) -> http.server.BaseHTTPRequestHandler:
        return handler(*args, directory=str(site), **kwargs)  # type: ignore[arg-type]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def query_for(project: Path) -> str:
    """A place alias from the corpus, typed in lower case as readers do."""
    for path in sorted((project / "facts" / "places").glob("*.yaml")):
        place = yaml.safe_load(path.read_text(encoding="utf-8"))
        if place.get("kind") == "military-base" and place.get("aliases"):
            return str(place["aliases"][0]).lower()
    raise SystemExit(f"no military base with aliases in {project}")


def measure(browser, url: str, query: str, throttle: dict[str, float] | None) -> Measure:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    try:
        page = context.new_page()
        if throttle:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {"offline": False, **throttle})
        # Playwright reports the requests of the page and of its workers (Pagefind searches
        # in a Web Worker), each with its compressed size and timing.
        finished: list[Any] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.add_init_script(PROBE)
        page.goto(url, wait_until="load")
        page.click("input.md-search__input")
        page.keyboard.type(query, delay=40)  # a fast typist
        page.wait_for_function("window.__probe.first !== null", timeout=300_000)
        probe = page.evaluate("({...window.__probe, origin: performance.timeOrigin})")
        first_at = probe["origin"] + probe["first"]
        time.sleep(0.3)  # let the events of responses that ended before it arrive
        total = search = count = 0
        for request in finished:
            timing = request.timing
            if timing["startTime"] + timing["responseEnd"] > first_at:
                continue
            sizes = request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            total += size
            count += 1
            if SEARCH_URL.search(request.url):
                search += size
        return Measure(total, search, count, probe["first"] - probe["typed"])
    finally:
        context.close()


def ensure_site(size: int, rebuild: bool) -> Path:
    project = RESULTS / f"corpus-{size}"
    times = project / "build-times.json"
    if rebuild or not times.exists():
        write_corpus(project, size)
        pagefind = build(project, "pagefind")
        builtin = build(project, "builtin", render=False)
        times.write_text(json.dumps({"pagefind": pagefind.__dict__, "builtin": builtin.__dict__}), encoding="utf-8")
    return project


def index_size(site: Path, engine: str) -> int:
    folder = site / ("search" if engine == "builtin" else "pagefind")
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure bytes and time to the first search result.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="build corpora and sites again")
    parser.add_argument(
        "--throttle",
        action="store_true",
        help="also measure on an emulated 10 Mbit/s link with 40 ms latency",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    networks: list[tuple[str, dict[str, float] | None]] = [("localhost", None)]
    if args.throttle:
        networks.append(
            ("10 Mbit/s, 40 ms", {"latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 5e6 / 8})
        )
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in args.sizes:
            project = ensure_site(size, args.rebuild)
            query = query_for(project)
            build_times = json.loads((project / "build-times.json").read_text(encoding="utf-8"))
            for engine in ENGINES:
                site = project / SITE_DIRS[engine]
                with serve(site) as url:
                    for network, throttle in networks:
                        runs = [measure(browser, url, query, throttle) for _ in range(args.runs)]
                        row = {
                            "incidents": size,
                            "pages": sum(1 for _ in site.rglob("index.html")),
                            "engine": engine,
                            "network": network,
                            "query": query,
                            "total_kb": statistics.median(r.total_bytes for r in runs) / 1024,
                            "search_kb": statistics.median(r.search_bytes for r in runs) / 1024,
                            "requests": statistics.median(r.requests for r in runs),
                            "time_ms": statistics.median(r.time_ms for r in runs),
                            "index_mb": index_size(site, engine) / 1024 / 1024,
                            "build_s": build_times[engine]["mkdocs_s"] + build_times[engine]["index_s"],
                        }
                        rows.append(row)
                        print(json.dumps(row), flush=True)
        browser.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print()
    print(table(rows))


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| Incidents | Pages | Search | Network | KB before first result (all / search) | Requests "
        "| Time to first result | Index on disk | Build (MkDocs + index) |",
        "|---:|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['incidents']:,} | {row['pages']:,} | {ENGINE_NAMES[str(row['engine'])]} "
            f"| {row['network']} | {row['total_kb']:,.0f} / {row['search_kb']:,.0f} | {row['requests']:.0f} "
            f"| {row['time_ms']:,.0f} ms | {row['index_mb']:,.1f} MB | {row['build_s']:,.0f} s |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
