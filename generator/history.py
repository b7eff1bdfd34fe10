"""When each fact file last changed, read from git history in one call for all files.

Pages say when their fact file last changed ("cite this page", the data set's release
date); that date comes from the last commit that touched the file. One ``git log``
lists every commit under ``facts/`` with the files it changed, newest first: the
first commit that names a file is its last change. One call for the whole corpus,
not one per file, so 10,000 incidents cost one process.

No date is given where git cannot tell it truly: outside a git checkout, for a file
changed since its last commit or never committed, and in a shallow clone (where the
oldest fetched commit seems to add every file, so every file would get its date).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from generator.project import FACTS_DIR, Project


@dataclass(frozen=True)
class History:
    """The day each fact file (by path relative to the project root) last changed."""

    changed: dict[str, date] = field(default_factory=dict)
    reason: str | None = None  # why there are no dates, when there are none

    def last_change(self, path: str) -> date | None:
        return self.changed.get(path)

    @property
    def latest(self) -> date | None:
        """The day of the most recent change to any fact file."""
        return max(self.changed.values(), default=None)


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8", check=False, timeout=300
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def parse_log(output: str) -> dict[str, date]:
    """Read ``git log --format=%x00%cI --name-only``: the first date seen for each path wins."""
    changed: dict[str, date] = {}
    current: date | None = None
    for line in output.splitlines():
        if line.startswith("\x00"):
            current = datetime.fromisoformat(line[1:].strip()).date()
        elif line and current is not None and line not in changed:
            changed[line] = current
    return changed


def read_history(project: Project) -> History:
    """The last change of every committed, unmodified fact file (an empty history outside git)."""
    root = project.root
    inside = _git(root, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository")
    if inside is None or not inside.startswith("true"):
        return History(reason="the project is not a git checkout")
    if inside.split()[-1] == "true":
        return History(reason="the git clone is shallow: fetch its whole history (fetch-depth: 0)")
    # --relative: paths relative to the project root, which need not be the repository's top.
    log = _git(
        root,
        "-c",
        "core.quotePath=false",
        "log",
        "--relative",
        "--no-renames",
        "--format=%x00%cI",
        "--name-only",
        "--",
        FACTS_DIR,
    )
    if log is None:
        return History(reason="git log failed")
    changed = parse_log(log)
    # A file edited since its last commit has no committed date for what the page shows.
    status = _git(root, "-c", "core.quotePath=false", "status", "--porcelain", "-z", "--", FACTS_DIR)
    if status:
        # git status names paths from the repository's top, not from the project root.
        top = _git(root, "rev-parse", "--show-toplevel")
        for entry in status.split("\x00"):
            if len(entry) > 3 and top:
                dirty = (Path(top.strip()) / entry[3:]).resolve()
                if root.resolve() in dirty.parents:
                    changed.pop(dirty.relative_to(root.resolve()).as_posix(), None)
    return History(changed)
