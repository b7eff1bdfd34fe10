"""factsheet serve shows a fact edit without a restart, with search, for its own address only."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from generator.project import Project
from generator.serve import _Regenerator, allowed_hosts


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


def _start(project: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Serve on port 0; the address the preview prints once it listens."""
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--project", str(project), "--dev-addr", "127.0.0.1:0"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = re.search(r"Serving on (http://127\.0\.0\.1:\d+/\S*)", log_path.read_text())
        if found:
            return process, found.group(1)
        assert process.poll() is None, log_path.read_text()
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the preview did not say where it serves:\n" + log_path.read_text())


def _status(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _children(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid``, with their names (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if int(rest[1]) == pid:
            found[int(entry.name)] = name
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_on_port_0_refuses_other_hosts_and_serves_search(project: Path, tmp_path: Path) -> None:
    process, url = _start(project, tmp_path / "serve.log")
    try:
        port = urlsplit(url).port
        assert port and port != 0
        page = url + "actors/shafaq-news/"
        assert _wait_for(page, "An Iraqi news website.", 60)
        # A DNS name re-bound to 127.0.0.1 reaches the server with its own name as Host.
        assert _status(page, host=f"attacker.example:{port}") == 421
        assert _status(page, host=f"127.0.0.1:{port + 1}") == 421
        assert _status(page, host=f"localhost:{port}") == 200
        # Search: the Pagefind index is built in the preview, and rebuilt after an edit.
        entry = url + "pagefind/pagefind-entry.json"
        assert _wait_for(entry, '"languages"', 90), "no search index in the preview"
        before = _fetch(entry)
        actor = project / "facts/actors/shafaq-news.yaml"
        actor.write_text(actor.read_text().replace("An Iraqi news website.", "An Iraqi news site, zanzibarred."))
        assert _wait_for(page, "zanzibarred", 60)
        deadline = time.monotonic() + 90
        while _fetch(entry) == before and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _fetch(entry) != before, "the search index did not follow the edit"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_serve_leaves_no_search_child_behind(project: Path, tmp_path: Path) -> None:
    """Killed while Pagefind runs, the preview takes Pagefind with it."""
    process, _ = _start(project, tmp_path / "serve.log")
    actor = project / "facts/actors/shafaq-news.yaml"
    indexer = None
    try:
        for attempt in range(5):
            actor.write_text(actor.read_text().replace("news", f"news {attempt}", 1))
            deadline = time.monotonic() + 30
            while indexer is None and time.monotonic() < deadline:
                indexer = next((pid for pid, name in _children(process.pid).items() if "pagefind" in name), None)
                time.sleep(0.01)
            if indexer is not None:
                break
        assert indexer is not None, "Pagefind was never seen running under the preview"
    finally:
        process.send_signal(signal.SIGTERM)  # the preview only, not its process group
        process.wait(timeout=30)
    # Left running, Pagefind would go on for a while yet; stopped, it is gone at once.
    deadline = time.monotonic() + 3
    while _alive(indexer) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(indexer), "Pagefind outlived the preview"


def test_regenerations_never_overlap_and_bursts_coalesce() -> None:
    running = 0
    overlapped = False
    runs = 0
    guard = threading.Lock()

    def regenerate() -> None:
        nonlocal running, overlapped, runs
        with guard:
            running += 1
            overlapped |= running > 1
        time.sleep(0.2)
        with guard:
            running -= 1
            runs += 1

    regenerator = _Regenerator(regenerate, debounce=0.05)
    regenerator.start()
    try:
        for _ in range(20):  # changes arriving while a regeneration runs
            regenerator.changed()
            time.sleep(0.03)
        deadline = time.monotonic() + 30
        while regenerator.runs == 0 or regenerator._stale:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        regenerator.stop()
    assert not overlapped
    assert 1 <= runs < 20  # a burst is one regeneration (or a few), not one per change


def test_allowed_hosts() -> None:
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert allowed_hosts("192.168.1.5", 8000) == {"192.168.1.5:8000"}
    assert allowed_hosts("::1", 8000) == {"[::1]:8000", "localhost:8000", "127.0.0.1:8000"}
