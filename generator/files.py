"""Which paths under ``facts/`` the loader looks at (kept light: the validation cache walks them too)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def walk_paths(folder: str) -> Iterable[str]:
    """Every file under ``folder`` in a stable order, and every symbolic link to a folder, as path strings;
    dotfiles and editor backups are left out."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith("~"):
                continue  # editor swap files and dotfiles are not facts
            yield os.path.join(dirpath, name)
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                yield path


def walk(folder: Path) -> Iterable[Path]:
    """The same paths as :func:`walk_paths`, as ``Path`` objects."""
    return (Path(path) for path in walk_paths(str(folder)))
