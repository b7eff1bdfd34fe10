"""Write generated pages into the docs folder, touching nothing the generator did not write.

A manifest (``docs/.factsheet-manifest``) lists every file the generator wrote. A
page is written only when its bytes change (so a one-fact edit rewrites a handful of
files); a file the manifest does not list is never overwritten; a listed file that is
no longer generated is deleted. Nothing is written outside the generated folders.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.project import GENERATED_DIRS, Project
from generator.render import Page

MANIFEST = ".factsheet-manifest"
_UMASK = os.umask(0)
os.umask(_UMASK)


class WriteError(Exception):
    """A page could not be written without harming a file the generator does not own."""


@dataclass(frozen=True)
class WriteReport:
    """What a write changed."""

    written: list[str]
    unchanged: int
    deleted: list[str]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes the file private (0600): give it the mode of any new file.
        os.chmod(temp, 0o666 & ~_UMASK)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _target(docs: Path, relative: str) -> Path:
    """Where a generated file goes; refuse any path that could leave the generated folders.

    The path is checked as written, part by part (no '..', '.', empty or hidden parts,
    no backslashes or other odd characters), and no folder on the way may be a
    symbolic link: a manifest from a clone is input like any other, and
    ``incidents/../index.md`` must not name a hand-written page.
    """
    parts = relative.split("/")
    if len(parts) < 2 or parts[0] not in GENERATED_DIRS or not all(_SAFE_PART.match(part) for part in parts):
        raise WriteError(
            f"refusing to write or delete {relative!r}: generated pages go only in {', '.join(GENERATED_DIRS)}"
        )
    target = docs.joinpath(*parts)
    for folder in [docs.joinpath(*parts[:depth]) for depth in range(1, len(parts) + 1)]:
        if folder.is_symlink():
            raise WriteError(
                f"refusing to write or delete {relative!r}: {folder} is a symbolic link, and factsheet writes "
                "only into folders it made; remove the link"
            )
    return target


# What the manifest records of each page it lists: the SHA-256 of its text and the size
# and modification time of the file written, so an unchanged page is recognised without
# reading it back (and a page edited by hand, whose stat differs, is rewritten).
Entry = tuple[str, int, int]


def read_manifest(project: Project) -> dict[str, Entry | None]:
    """What the generator wrote last time. The manifest is input like any other (a clone may
    carry one): every path it lists must be one the generator could have written."""
    path = project.docs_dir / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list):  # the first manifest format: paths only
            owned: dict[str, Entry | None] = {str(page): None for page in data}
        else:
            owned = {str(page): (_entry(entry) if entry else None) for page, entry in data.items()}
    except (ValueError, TypeError, AttributeError):
        raise WriteError(
            f"{project.relative(path)} is damaged: delete it and the generated folders, then build again"
        ) from None
    for listed in owned:
        try:
            _target(project.docs_dir, listed)
        except WriteError as error:
            raise WriteError(
                f"{MANIFEST} in {project.relative(project.docs_dir)}/ lists {listed!r}, which factsheet never writes "
                f"({error}): it was edited or comes from elsewhere; delete it and the generated folders, then "
                "generate again"
            ) from None
    return owned


def _entry(value: object) -> Entry:
    if not (isinstance(value, list) and len(value) == 3):
        raise ValueError("malformed entry")
    digest, size, mtime = value
    if not (isinstance(digest, str) and isinstance(size, int) and isinstance(mtime, int)):
        raise ValueError("malformed entry")
    return (digest, size, mtime)


def _save_manifest(project: Project, entries: dict[str, Entry | None]) -> None:
    data = json.dumps(dict(sorted(entries.items())), indent=0)
    _atomic_write(project.docs_dir / MANIFEST, data.encode("utf-8"))


def write_pages(project: Project, pages: list[Page]) -> WriteReport:
    """Write pages into the docs folder; delete the generated pages that are gone."""
    docs = project.docs_dir
    owned = read_manifest(project)
    wanted = {page.path for page in pages}
    if len(wanted) != len(pages):
        raise WriteError("two pages would be written to the same file")  # Pelican's overwrite guard
    for page in pages:
        target = _target(docs, page.path)
        if target.exists() and page.path not in owned:
            raise WriteError(
                f"{project.relative(target)} exists and was not written by factsheet: move it out of "
                f"{', '.join(d + '/' for d in GENERATED_DIRS)} (those folders are generated)"
            )
    written: list[str] = []
    unchanged = 0
    # Record ownership before writing, so an interrupted run can still clean up after itself.
    entries: dict[str, Entry | None] = {**owned, **{path: owned.get(path) for path in wanted}}
    _save_manifest(project, entries)
    for page in pages:
        target = _target(docs, page.path)
        data = page.text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        recorded = owned.get(page.path)
        if recorded is not None and recorded[0] == digest:
            try:
                stat = target.stat()
            except FileNotFoundError:
                stat = None
            if stat is not None and (stat.st_size, stat.st_mtime_ns) == recorded[1:]:
                unchanged += 1
                continue
        _atomic_write(target, data)
        stat = target.stat()
        entries[page.path] = (digest, stat.st_size, stat.st_mtime_ns)
        written.append(page.path)
    deleted = []
    for stale in sorted(set(owned) - wanted):
        target = _target(docs, stale)
        if target.is_file():
            target.unlink()
            deleted.append(stale)
        del entries[stale]
    _save_manifest(project, entries)
    return WriteReport(written, unchanged, deleted)
