"""Read the fact files of a commit straight from git, in memory.

``git ls-tree`` lists a commit's files and ``git cat-file --batch`` gives their
contents; nothing is ever written to disk, so a hostile tree (an entry named ``..``,
a symbolic link, a path that differs from another only in case, a huge blob) cannot
write or read anywhere. Every entry that is not a plain file under a plain path
becomes a positioned problem instead of being read.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from generator.load import MAX_FILE_BYTES, _too_large
from generator.problems import Problem
from generator.project import FACTS_DIR, Project

REGULAR_MODES = ("100644", "100755")


class GitError(Exception):
    """The trees to compare cannot be read (not a git repository, unknown commit, …)."""


@dataclass
class Files:
    """One side's fact files (project-relative path → content) and the entries refused on the way."""

    label: str
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git and return its output; a failure raises :class:`GitError` with git's last line."""
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed: factsheet diff reads both sides from git") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else 'no message'}")
    return result.stdout


def resolve_commit(root: Path, rev: str) -> str:
    """The full id of a commit named by ``rev`` (a branch, a tag, HEAD~1, …)."""
    try:
        return git(root, "rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(
            f"'{rev}' is not a commit in this repository; in a shallow clone, fetch it first "
            "(git fetch --depth=1 origin COMMIT, or check out with fetch-depth: 0)"
        ) from None


def _has_ref(root: Path, ref: str) -> bool:
    result = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", ref], cwd=root, capture_output=True, check=False
    )
    return result.returncode == 0


def default_base(root: Path, main_branch: str) -> tuple[str, str]:
    """The merge base of HEAD with the main branch (preferring ``origin/<main>``), and that branch."""
    for ref, full in ((f"origin/{main_branch}", f"refs/remotes/origin/{main_branch}"), (main_branch, None)):
        if _has_ref(root, full or f"refs/heads/{main_branch}"):
            try:
                base = git(root, "merge-base", "HEAD", ref).decode().strip()
            except GitError:
                raise GitError(
                    f"HEAD and {ref} have no common commit here; in a shallow clone fetch their history "
                    "(git fetch --unshallow, or check out with fetch-depth: 0), or pass BASE"
                ) from None
            return base, ref
    raise GitError(f"no branch '{main_branch}' or 'origin/{main_branch}' to compare with: fetch it, or pass BASE")


def _refused(path: str, message: str) -> Problem:
    return Problem(path, 1, 1, "error", message)


def path_problem(path: str) -> str | None:
    """Why a path from a git tree cannot be a fact file's path, or None when it is a plain one."""
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "the path has an empty, '.' or '..' part: git trees made by hand can hold one; it is not read"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return "the path holds control characters: rename the file"
    return None


def _kind(path: str) -> str | None:
    parts = path.split("/")
    return parts[1] if len(parts) == 3 and parts[1] in MAX_FILE_BYTES else None


def _limit(path: str) -> int:
    """The size limit of a fact file at this path (the largest limit for a file the loader will refuse anyway)."""
    kind = _kind(path)
    return MAX_FILE_BYTES[kind] if kind else max(MAX_FILE_BYTES.values())


def files_at(project: Project, commit: str, label: str) -> Files:
    """The fact files of a commit, read from git into memory; refused entries become problems."""
    root = project.root
    prefix = git(root, "rev-parse", "--show-prefix").decode("utf-8", "surrogateescape").strip()
    listing = git(
        root, "--literal-pathspecs", "ls-tree", "-r", "-l", "-z", "--full-tree", commit, "--", f"{prefix}{FACTS_DIR}"
    )
    side = Files(label)
    wanted: list[tuple[str, str]] = []  # (object id, path)
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, raw_path = item.split(b"\t", 1)
        mode, kind, sha, size = meta.decode("ascii").split()
        try:
            full = raw_path.decode("utf-8")
        except UnicodeDecodeError:
            shown = raw_path.decode("utf-8", "backslashreplace")
            side.problems.append(_refused(shown, "the file name is not UTF-8: rename it"))
            continue
        if not full.startswith(prefix):
            continue
        path = full[len(prefix) :]
        problem = path_problem(path)
        if problem is None and mode == "120000":
            problem = "fact files must be regular files, not symbolic links"
        elif problem is None and (kind != "blob" or mode not in REGULAR_MODES):
            problem = f"fact files must be regular files, not a git {kind} (mode {mode})"
        elif problem is None and int(size) > _limit(path):
            problem = _too_large(_kind(path) or "sources", int(size))  # read no blob the loader would refuse
        if problem is not None:
            side.problems.append(_refused(path, problem))
            continue
        wanted.append((sha, path))
    blobs = _cat_blobs(root, sorted({sha for sha, _ in wanted}))
    for sha, path in wanted:
        side.files[path] = blobs[sha]
    return side


def _cat_blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    if not shas:
        return {}
    output = git(root, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha in shas).encode())
    blobs: dict[str, bytes] = {}
    at = 0
    while at < len(output):
        end = output.index(b"\n", at)
        header = output[at:end].decode("ascii").split()
        if len(header) != 3:
            raise GitError(f"git cat-file: {' '.join(header)}")
        sha, kind, size = header
        if kind != "blob":
            raise GitError(f"git cat-file: {sha} is a {kind}, not a file")
        start = end + 1
        blobs[sha] = output[start : start + int(size)]
        at = start + int(size) + 1
    return blobs


def working_files(project: Project) -> dict[str, bytes]:
    """The fact files of the working tree, for telling which files changed; symbolic links are left out
    (the loader reports them), and a file over the size limit is stood for by its size."""
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(project.facts_dir):  # never follows a linked folder
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            rel = path.relative_to(project.root).as_posix()
            size = path.stat().st_size
            files[rel] = path.read_bytes() if size <= _limit(rel) else f"larger than the limit: {size}".encode()
    return files
