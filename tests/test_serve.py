"""factsheet serve shows a fact edit without a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from generator.project import Project


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return None


def _wait_for(url: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = _fetch(url)
        if page is not None and text in page:
            return True
        time.sleep(0.5)
    return False


def test_serve_follows_fact_edits(project: Path, tmp_path: Path) -> None:
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--project", str(project), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # MkDocs serves the preview under the path of site_url, as the published site is.
        base = urlsplit(Project.at(project).site_url or "/").path
        url = f"http://127.0.0.1:{port}{base}actors/shafaq-news/"
        assert _wait_for(url, "An Iraqi news website.", 60), "the preview did not come up"
        actor = project / "facts/actors/shafaq-news.yaml"
        actor.write_text(actor.read_text().replace("An Iraqi news website.", "An Iraqi news site, edited live."))
        assert _wait_for(url, "An Iraqi news site, edited live.", 60), "the edit did not reach the preview"
        # An invalid edit keeps the last good page.
        actor.write_text(actor.read_text() + "typo_field: x\n")
        time.sleep(3)
        assert "An Iraqi news site, edited live." in (_fetch(url) or "")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert "facts/actors/shafaq-news.yaml:5:1: error: unknown field 'typo_field'" in output
