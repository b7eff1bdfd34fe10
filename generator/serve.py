"""Live preview: MkDocs serves the docs folder while a watcher regenerates pages from facts/."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.project import Project
from generator.site import mkdocs_command

DEBOUNCE_SECONDS = 0.3


class _FactsChanged(FileSystemEventHandler):
    """Calls back once per burst of changes (an editor saves in several steps)."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.on_change = on_change
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(DEBOUNCE_SECONDS, self.on_change)
            self.timer.daemon = True
            self.timer.start()


def serve(project: Project, dev_addr: str, on_change: Callable[[], None]) -> None:
    """Serve until interrupted. MkDocs' own watcher reloads the browser when pages change."""
    observer = Observer()
    observer.schedule(_FactsChanged(on_change), str(project.facts_dir), recursive=True)
    observer.start()
    # The generator rewrites only pages whose text changed, so MkDocs need rebuild only those.
    command = mkdocs_command(project, "serve", "--dev-addr", dev_addr, "--no-strict", "--dirty")
    process = subprocess.Popen(command, cwd=project.root)
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait()
    finally:
        observer.stop()
        observer.join()
