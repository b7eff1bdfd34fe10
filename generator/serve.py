"""Live preview: pages regenerated from facts/ on each change, MkDocs rebuilding only what changed, search included.

One process, one site folder (a temporary one, deleted on exit):

* a watcher on ``facts/`` marks the corpus stale; one worker thread regenerates the
  pages after a short quiet spell (an editor saves in several steps), under a lock
  that covers the whole regeneration, so two never overlap. The generator's cache
  re-reads only changed files and the writer rewrites only pages whose text changed;
* MkDocs' own live-reload server (``mkdocs serve --dirty``'s machinery:
  ``mkdocs.livereload.LiveReloadServer`` and ``build(dirty=True)``) sees the rewritten
  pages and rebuilds only those, then reloads the browser;
* after each MkDocs build, Pagefind re-indexes the site once edits have settled, into
  a fresh folder that then replaces the served index, so search follows edits;
* a request whose ``Host`` is not the address served on is refused (a web page the
  reader visits could otherwise reach the preview through a DNS name re-bound to it);
* on SIGTERM, SIGHUP or Ctrl-C the Pagefind child is stopped; a child is also killed
  by the kernel if the preview dies without cleaning up (Linux's parent-death signal).
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.project import Project
from generator.search import PAGEFIND_DIR, pagefind_command

DEBOUNCE_SECONDS = 0.3
# Pagefind reads every page: at 10,000 incidents it takes tens of seconds, so it waits
# for edits to settle rather than running after each one.
SEARCH_DEBOUNCE_SECONDS = 2.0

log = logging.getLogger("factsheet.serve")


class _Regenerator:
    """Regenerates the pages when told the facts changed: one run at a time, after a quiet spell."""

    def __init__(self, regenerate: Callable[[], None], debounce: float = DEBOUNCE_SECONDS) -> None:
        self.regenerate = regenerate
        self.debounce = debounce
        self.lock = threading.Lock()  # held for the whole of a regeneration
        self._changed = threading.Condition()
        self._stale = False
        self._stopped = False
        self.runs = 0
        self.thread = threading.Thread(target=self._loop, name="factsheet-regenerate", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def changed(self) -> None:
        with self._changed:
            self._stale = True
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def _loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._stale or self._stopped)
                if self._stopped:
                    return
                # Wait until no change came for a whole debounce interval.
                while self._changed.wait(timeout=self.debounce):
                    if self._stopped:
                        return
                self._stale = False
            with self.lock:
                try:
                    self.regenerate()
                except Exception:  # the preview goes on; the error is shown
                    log.exception("regenerating the pages failed")
                self.runs += 1


class _FactsChanged(FileSystemEventHandler):
    def __init__(self, on_change: Callable[[], None]) -> None:
        self.on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or event.is_directory:
            return
        self.on_change()


def _set_parent_death_signal() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Have the kernel kill this child when the preview dies (Linux; elsewhere nothing)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class _SearchIndexer:
    """Runs Pagefind over the served site after builds settle, one run at a time."""

    def __init__(self, site_dir: Path, debounce: float = SEARCH_DEBOUNCE_SECONDS) -> None:
        self.site_dir = site_dir
        self.debounce = debounce
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self.runs = 0

    def schedule(self, delay: float | None = None) -> None:
        with self._timer_lock:
            if self._stopped:
                return
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce if delay is None else delay, self.index)
            self._timer.daemon = True
            self._timer.start()

    def index(self) -> None:
        with self._lock:
            if self._stopped:
                return
            fresh = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=self.site_dir))
            command = [*pagefind_command(self.site_dir), "--output-path", str(fresh)]
            try:
                self._child = subprocess.Popen(
                    command,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    preexec_fn=_set_parent_death_signal if sys.platform.startswith("linux") else None,
                )
                _, error = self._child.communicate()
                code = self._child.returncode
            except OSError as failure:
                code, error = -1, str(failure).encode()
            finally:
                self._child = None
            served = self.site_dir / PAGEFIND_DIR
            if code != 0 or not (fresh / "pagefind.js").is_file():
                shutil.rmtree(fresh, ignore_errors=True)
                if not self._stopped:
                    log.warning("search index not updated: %s", error.decode(errors="replace").strip()[-300:])
                return
            retired = self.site_dir / f".pagefind-old-{os.getpid()}"
            shutil.rmtree(retired, ignore_errors=True)
            if served.exists():
                served.rename(retired)
            fresh.rename(served)
            shutil.rmtree(retired, ignore_errors=True)
            self.runs += 1
            log.info("search index updated")

    def stop(self) -> None:
        with self._timer_lock:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
        child = self._child
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host header values a request to the preview may carry: the address served on,
    and the loopback names when it is a loopback address."""
    names = {host}
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(host)
        if address.version == 6:
            names = {f"[{host}]"}
        if address.is_loopback:
            names |= {"localhost", "127.0.0.1", "[::1]"}
    return {f"{name}:{port}" for name in names} | ({*names} if port == 80 else set())


def _server_class() -> Any:
    from mkdocs.livereload import LiveReloadServer

    class PreviewServer(LiveReloadServer):
        """MkDocs' live-reload server, refusing requests for any other host name."""

        hosts: frozenset[str] = frozenset()
        _bound = False

        def server_bind(self) -> None:
            if not self._bound:  # bound early to learn the port; MkDocs' serve() binds again
                super().server_bind()
                self._bound = True

        def server_activate(self) -> None:
            if not getattr(self, "_active", False):
                super().server_activate()
                self._active = True

        def serve_request(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            if environ.get("HTTP_HOST", "").lower() not in self.hosts:
                start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8")])
                return [b"This preview answers only requests addressed to it by its own address.\n"]
            result: Iterable[bytes] = super().serve_request(environ, start_response)
            return result

    return PreviewServer


def _split_address(dev_addr: str) -> tuple[str, int]:
    host, _, port = dev_addr.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"--dev-addr must be IP:PORT (e.g. 127.0.0.1:8000), not {dev_addr!r}")
    return host, int(port)


def _not_dirty_warning(record: logging.LogRecord) -> bool:
    """MkDocs warns on each dirty build that navigation may be stale: pages here carry no
    per-page navigation of records (see mkdocs.yml), and the warning would bury the rest."""
    return "'dirty' build" not in record.getMessage()


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_not_dirty_warning)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    for name in ("mkdocs", "factsheet"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)


class _Stop(BaseException):
    """Raised in the main thread by SIGTERM or SIGHUP, to shut down as Ctrl-C does.

    Not an Exception: MkDocs' build loop carries on after any Exception of a build, and
    the signal may arrive during one.
    """


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


def serve(project: Project, dev_addr: str, regenerate: Callable[[], None]) -> None:
    """Serve until interrupted; ``regenerate`` writes the pages again from the facts."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import _serve_url

    _log_to_stderr()
    host, port = _split_address(dev_addr)
    site_dir = Path(tempfile.mkdtemp(prefix="factsheet-preview-"))
    config = load_config(config_file=str(project.config_file), site_dir=str(site_dir), strict=False)
    config.plugins.on_startup(command="serve", dirty=True)
    mount_path = urlsplit(config.site_url or "/").path
    server = _server_class()(builder=lambda: None, host=host, port=port, root=str(site_dir), mount_path=mount_path)
    server.server_bind()  # now, so that port 0 gets its port before the first build
    port = int(server.server_address[1])
    server.hosts = frozenset(allowed_hosts(host, port))
    server.url = serve_url = _serve_url(host, port, mount_path)
    config.site_url = serve_url
    search = _SearchIndexer(site_dir)
    regenerator = _Regenerator(regenerate)

    def builder(fresh: Any = None) -> None:
        with regenerator.lock:  # not while the generator is writing pages
            build(fresh or config, serve_url=serve_url, dirty=True)
        search.schedule()

    server.builder = builder

    def error_page(code: int) -> bytes | None:
        page = site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_page
    observer = Observer()
    observer.schedule(_FactsChanged(regenerator.changed), str(project.facts_dir), recursive=True)
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        builder()
        search.schedule(0)
        server.watch(str(config.docs_dir))
        if config.config_file_path:
            server.watch(config.config_file_path)
        regenerator.start()
        observer.start()
        print(f"Serving on {serve_url}", file=sys.stderr, flush=True)
        try:
            server.serve()
        except (KeyboardInterrupt, _Stop):
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        regenerator.stop()
        search.stop()
        if observer.is_alive():
            observer.stop()
            observer.join()
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
