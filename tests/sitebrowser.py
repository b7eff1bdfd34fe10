"""Serve a built site on 127.0.0.1 and drive it in headless Chromium (Playwright).

Shared by the browser tests of the reader-facing pages: accessibility, privacy, print,
map. The site is served under the path of ``site_url`` (``/factsheet/``), as it is
published.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS

SUB_PATH = "/factsheet/"
INSTALL_HINT = (
    "the browser tests need Chromium at {path}: install it with `sudo apt-get install chromium` "
    "(or point the CHROMIUM environment variable at a Chromium binary)"
)


def require_chromium() -> None:
    if Path(CHROMIUM).is_file():
        return
    message = INSTALL_HINT.format(path=CHROMIUM)
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        if path.startswith(SUB_PATH):
            path = "/" + path[len(SUB_PATH) :]
        return super().translate_path(path)

    def end_headers(self) -> None:
        # LinkChecker paces its requests to a host (10 a second at most) unless the host
        # answers with this header: the test server is ours, so no need to spare it.
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site at http://127.0.0.1:PORT/factsheet/ (a free port); yields that address."""
    handler = functools.partial(_Handler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{SUB_PATH}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser: Any, server: str, requests: list[str] | None = None, **options: Any) -> Any:
    """A browser context that records every request and lets only the local site through."""
    context = browser.new_context(**options)

    def route(route: Any) -> None:
        url = route.request.url
        if requests is not None:
            requests.append(url)
        if url.startswith(server.split(SUB_PATH)[0] + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    return context
