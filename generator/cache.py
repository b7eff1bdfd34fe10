"""A cache of validation work under ``.factsheet-cache/``, so that an unchanged corpus validates at once.

Two things are kept:

* for each fact file, what loading it gave (the parsed values, or the problems that
  stopped it), keyed by the file's path, its kind and the SHA-256 of its bytes;
* the problems of the last whole validation, keyed by the path and SHA-256 of every
  file under ``facts/``.

A file's SHA-256 is taken from the last run when its ``lstat`` (device, inode, size,
modification and change times) is the same as then, as git's index does; a file
written less than two seconds before a run is hashed again the next time, because
file systems stamp times coarsely. Checks across files (references, quotes, cycles)
always run again on the loaded records unless no file changed at all.

The cache is input too, and a cloned branch may carry one. Every cache file is
authenticated with a random key kept outside the project, in the user's cache folder
(``$XDG_CACHE_HOME/factsheet/cache.key``, by default ``~/.cache/factsheet/``), and read
as JSON only when its HMAC-SHA256 is right; a file that fails (a committed, corrupt or
edited cache) is ignored and the work is done again. The results are also keyed by a
hash of the generator's own code and the versions of the libraries that validate, so
an upgrade never reuses an old result. When no key can be kept, nothing is cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.files import walk_paths
from generator.problems import Problem
from generator.project import Project
from generator.yamlload import Document, Loc, Position, YAMLProblem, parse

if TYPE_CHECKING:
    from generator.load import Corpus

# The loader, the models and pydantic are imported only when a file must be loaded: an
# unchanged corpus is answered without them, which is most of the time of a quick run.

CACHE_DIR = ".factsheet-cache"
FORMAT = "factsheet-cache-1"
KEY_FILE = "cache.key"
# Larger cache files are not read: a source is at most a few MiB of text.
MAX_CACHE_FILE_BYTES = 64 * 1024 * 1024
# Larger fact files are loaded without the cache (the loader refuses them anyway).
MAX_HASHED_FILE_BYTES = 16 * 1024 * 1024
# A file modified this recently may change again within the same time stamp: hash it next time too.
RACY_SECONDS = 2.0
# Libraries whose version can change a result, by the name of their installed metadata folder.
_LIBRARIES = re.compile(r"^(pydantic|pydantic_core|pyyaml|rapidfuzz|tzdata|python_frontmatter)-.*\.dist-info$", re.I)


# ----- what the results depend on besides the facts -----


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """A hash of the generator's code and the versions of the libraries it validates with."""
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(sys.version.encode())
    installed: set[str] = set()
    for folder in sys.path:  # the names of installed metadata folders carry the versions
        with contextlib.suppress(OSError):
            installed.update(name for name in os.listdir(folder or ".") if _LIBRARIES.match(name))
    for name in sorted(installed):
        digest.update(f"\0{name}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _key_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "factsheet"


def _secret() -> bytes | None:
    """The key that authenticates cache files, created on first use; None when it cannot be kept."""
    folder = _key_folder()
    path = folder / KEY_FILE
    try:
        data = _read_regular(path, 1024)
        if data is not None and len(data.strip()) == 64:
            return bytes.fromhex(data.strip().decode("ascii"))
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_hex(32)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".key.")
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        try:
            os.link(temp, path)  # never replaces a key another process just made
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
        data = _read_regular(path, 1024)
        return bytes.fromhex(data.strip().decode("ascii")) if data is not None else None
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file, never following a symbolic link, or None (absent, too large, not a file)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


# ----- authenticated JSON files inside the cache folder -----


class _Store:
    """Reads and writes authenticated JSON documents under ``.factsheet-cache/``."""

    def __init__(self, root: Path, secret: bytes) -> None:
        self.root = root
        self.secret = secret

    def _mac(self, payload: bytes) -> str:
        return hmac.new(self.secret, payload, hashlib.sha256).hexdigest()

    def read(self, relative: str) -> Any:
        """The document, or None when it is absent, damaged, forged or written by another key."""
        data = _read_regular(self.root / relative, MAX_CACHE_FILE_BYTES)
        if data is None:
            return None
        header, _, payload = data.partition(b"\n")
        parts = header.split(b" ")
        if len(parts) != 2 or parts[0] != FORMAT.encode():
            return None
        if not hmac.compare_digest(parts[1], self._mac(payload).encode()):
            return None
        try:
            return json.loads(payload)
        except (ValueError, RecursionError):
            return None

    def write(self, relative: str, document: Any) -> None:
        """Write atomically; silently skip when the folder is not a plain folder inside the project."""
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        target = self.root / relative
        if not self._safe_folder(target.parent):
            return
        try:
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(f"{FORMAT} {self._mac(payload)}\n".encode() + payload)
                os.replace(temp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError:
            pass  # a full disk or a read-only checkout: the cache is only an optimisation

    def remove(self, relative: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.root / relative)

    def _safe_folder(self, folder: Path) -> bool:
        """Create ``folder`` under the cache root; refuse any symbolic link or non-folder on the way."""
        project = self.root.parent
        current = project
        for part in folder.relative_to(project).parts:
            current = current / part
            try:
                info = os.lstat(current)
            except FileNotFoundError:
                try:
                    os.mkdir(current, 0o755)
                except OSError:
                    return False
                continue
            except OSError:
                return False
            if not stat.S_ISDIR(info.st_mode):
                return False  # a symbolic link (to .git, to facts/, anywhere) or a file
        return True


# ----- fingerprints of the files under facts/ -----

Stat = tuple[int, int, int, int, int]  # device, inode, size, modification and change time (ns)


def _stat_key(info: os.stat_result) -> Stat:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


@dataclass
class FileState:
    """One path under facts/: how it looked, and the SHA-256 of its bytes when it is a regular file."""

    rel: str
    stat: Stat | None
    sha256: str | None  # None: not a regular file, or unreadable; never cached


# ----- the serialised form of one file's loading result -----


class _NotCacheable(Exception):
    """The result holds something this cache does not know how to store; it is simply not stored."""


def _problem_row(problem: Problem) -> list[Any]:
    return [problem.path, problem.line, problem.col, problem.severity, problem.message]


def _problem(row: list[Any]) -> Problem:
    path, line, col, severity, message = row
    if not (
        isinstance(path, str)
        and isinstance(line, int)
        and isinstance(col, int)
        and severity in ("error", "warning")
        and isinstance(message, str)
    ):
        raise ValueError("not a problem")
    return Problem(path, line, col, severity, message)


_LOADED_FIELDS = {"id", "path", "record", "document", "body"}
_CORPUS_KINDS = ("sources", "actors", "places", "incidents")
_CORPUS_FIELDS = {*_CORPUS_KINDS, "problems", "unloadable"}


def _entry_of(scratch: Corpus, kind: str) -> dict[str, Any]:
    """What loading one file put into an otherwise empty corpus, as JSON values."""
    from generator.load import Loaded

    if {f.name for f in fields(scratch)} != _CORPUS_FIELDS or {f.name for f in fields(Loaded)} != _LOADED_FIELDS:
        raise _NotCacheable("the corpus has fields this cache does not know")
    records = []
    for other in _CORPUS_KINDS:
        for loaded in scratch.of_kind(other).values():
            if other != kind or isinstance(loaded.document, _LazyDocument):
                raise _NotCacheable("unexpected record")
            records.append({"id": loaded.id, "path": loaded.path, "data": loaded.document.data, "body": loaded.body})
    return {
        "problems": [_problem_row(p) for p in scratch.problems],
        "records": records,
        "unloadable": sorted(list(item) for item in scratch.unloadable),
    }


class _LazyDocument(Document):
    """The positions of a cached record, parsed from its file only when a message needs one."""

    def __init__(self, path: Path, kind: str) -> None:  # no dataclass fields until parsed
        self._path = path
        self._kind = kind
        self._parsed: Document | None = None

    def _document(self) -> Document:
        if self._parsed is None:
            self._parsed = _reparse(self._path, self._kind)
        return self._parsed

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._document(), name)

    def position(self, loc: Loc) -> Position:
        return self._document().position(loc)

    def key_position(self, loc: Loc) -> Position:
        return self._document().key_position(loc)


def _reparse(path: Path, kind: str) -> Document:
    """Parse a file again for positions (line 1 if it no longer parses)."""
    try:
        from generator.load import split_source
        from generator.models import KINDS

        text = path.read_text(encoding="utf-8")
        if KINDS[kind].has_body:
            split = split_source(text)
            if split is None:
                raise YAMLProblem("", Position(1, 1))
            return parse(split[0], line_offset=split[2])
        return parse(text)
    except (OSError, UnicodeDecodeError, YAMLProblem):
        return Document({}, {}, {}, 0)


def _apply(corpus: Corpus, entry: Any, kind: str, path: Path) -> None:
    """Add a cached loading result to the corpus; raise ValueError/TypeError/KeyError if it is malformed."""
    from generator import models
    from generator.load import Loaded

    problems = [_problem(row) for row in entry["problems"]]
    loaded_records = []
    model = models.KINDS[kind].model
    for item in entry["records"]:
        record_id, rel, data, body = item["id"], item["path"], item["data"], item["body"]
        if not (isinstance(record_id, str) and isinstance(rel, str) and isinstance(body, str)):
            raise ValueError("malformed record")
        record = model.model_validate(data)
        loaded_records.append(Loaded(record_id, rel, record, _LazyDocument(path, kind), body))
    unloadable = set()
    for item in entry["unloadable"]:
        first, second = item
        if not (isinstance(first, str) and isinstance(second, str)):
            raise ValueError("malformed id")
        unloadable.add((first, second))
    corpus.problems.extend(problems)
    for loaded in loaded_records:
        corpus.of_kind(kind)[loaded.id] = loaded
    corpus.unloadable.update(unloadable)


# ----- the cache itself -----

STATE_FILE = "validate-1/state.json"
ENTRY_DIR = "validate-1/files"
BUCKETS = 256  # entries are kept in this many files, by a hash of their path


@dataclass
class _Memo:
    key: str
    problems: list[Problem]


def _bucket_of(rel: str) -> str:
    return f"{ENTRY_DIR}/{hashlib.sha256(rel.encode()).hexdigest()[:2]}.json"


class ValidationCache:
    """The cache of one project. When no key can be kept (``enabled`` False) it computes everything."""

    def __init__(self, project: Project) -> None:
        self.project = project
        secret = _secret()
        self.store = _Store(project.root / CACHE_DIR, secret) if secret is not None else None
        self.tool = tool_fingerprint()
        self.started = time.time()
        self._known: dict[str, tuple[Stat, str]] = {}
        self._memo: _Memo | None = None
        self._states: dict[str, FileState] = {}
        self._bytes: dict[str, bytes] = {}  # read while hashing, until the file is loaded
        self._buckets: dict[str, dict[str, Any]] = {}  # bucket file -> {path: entry}, as read
        self._changed_buckets: set[str] = set()
        self._used: dict[str, set[str]] = {}  # bucket file -> paths seen in this run
        self._unstable = False
        self._key_rels: set[str] = set()
        self._read_state()

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def _read_state(self) -> None:
        if self.store is None:
            return
        state = self.store.read(STATE_FILE)
        try:
            if not isinstance(state, dict) or state.get("tool") != self.tool:
                return
            known = {}
            for rel, (device, inode, size, mtime, ctime, sha) in state["files"].items():
                if not all(isinstance(n, int) for n in (device, inode, size, mtime, ctime)) or not isinstance(sha, str):
                    raise ValueError("malformed stat")
                known[str(rel)] = ((device, inode, size, mtime, ctime), sha)
            memo = state.get("memo")
            self._known = known
            if isinstance(memo, dict) and isinstance(memo.get("key"), str):
                self._memo = _Memo(memo["key"], [_problem(row) for row in memo["problems"]])
        except (ValueError, TypeError, KeyError, AttributeError):
            self._known, self._memo = {}, None

    # --- file states ---

    def state(self, path: Path | str, rel: str) -> FileState:
        """The state of one path, hashing its bytes only when its stat changed since the last run."""
        if rel in self._states:
            return self._states[rel]
        try:
            info = os.lstat(path)
        except OSError:
            return FileState(rel, None, None)
        key = _stat_key(info)
        sha = None
        if stat.S_ISREG(info.st_mode):
            known = self._known.get(rel)
            if known is not None and known[0] == key:
                sha = known[1]
            else:
                data = _read_regular(Path(path), MAX_HASHED_FILE_BYTES)
                if data is not None:
                    sha = hashlib.sha256(data).hexdigest()
                    self._bytes[rel] = data
        state = FileState(rel, key, sha)
        self._states[rel] = state
        return state

    def corpus_key(self) -> str:
        """A hash of the tool and of every path under facts/ with its content hash (or kind, when not a file)."""
        digest = hashlib.sha256(self.tool.encode())
        facts = self.project.facts_dir
        digest.update(b"facts" if facts.is_dir() and not facts.is_symlink() else b"no facts")
        self._key_rels = set()
        for path, rel in self._walk():
            self._key_rels.add(rel)
            state = self.state(path, rel)
            marker = state.sha256 or ("link" if os.path.islink(path) else f"other:{state.stat}")
            digest.update(f"\0{rel}\0{marker}".encode())
        return digest.hexdigest()

    def _walk(self) -> Iterable[tuple[str, str]]:
        """(path, path relative to the project) of everything the loader looks at under facts/."""
        facts = self.project.facts_dir
        if not facts.is_dir():
            return
        top = str(facts)
        prefix = facts.relative_to(self.project.root).as_posix()
        for path in walk_paths(top):
            yield path, prefix + path[len(top) :].replace(os.sep, "/")

    # --- whole validations ---

    def problems(self, key: str) -> list[Problem] | None:
        """The problems of the last validation, if it saw exactly these files."""
        if self._memo is not None and hmac.compare_digest(self._memo.key, key):
            return list(self._memo.problems)
        return None

    def remember(self, key: str, problems: list[Problem]) -> None:
        """Keep the problems of a whole validation, and the states of the files it saw.

        The problems are kept only if no file under facts/ appeared, went or changed while it ran.
        """
        if not self._unstable and self._unchanged_since_key():
            self._memo = _Memo(key, list(problems))
        self.save()

    def _unchanged_since_key(self) -> bool:
        seen = set()
        for path, rel in self._walk():
            known = self._states.get(rel)
            if known is None or known.stat != self.state_now(path):
                return False
            seen.add(rel)
        return seen == self._key_rels

    # --- per-file loading ---

    def _bucket(self, name: str) -> dict[str, Any]:
        if name not in self._buckets:
            assert self.store is not None
            document = self.store.read(name)
            valid = isinstance(document, dict) and document.get("tool") == self.tool
            entries = document.get("files") if valid else None
            self._buckets[name] = entries if isinstance(entries, dict) else {}
        return self._buckets[name]

    def load_file(self, corpus: Corpus, kind: str, path: Path, rel: str) -> None:
        """Load one fact file into the corpus, from the cache when its bytes are known.

        Gives what ``load._load_file`` gives, plus the file's schema-comment warning.
        """
        from generator import load
        from generator.schema import comment_problems

        state = self.state(path, rel)
        data = self._bytes.pop(rel, None)
        bucket_name = _bucket_of(rel)
        if self.store is not None and state.sha256 is not None:
            self._used.setdefault(bucket_name, set()).add(rel)
            cached = self._bucket(bucket_name).get(rel)
            if isinstance(cached, dict) and cached.get("kind") == kind and cached.get("sha256") == state.sha256:
                try:
                    _apply(corpus, cached["entry"], kind, path)
                    return
                except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
                    pass  # an entry this version cannot use: load the file again
        if data is None and state.sha256 is not None:
            data = _read_regular(path, MAX_HASHED_FILE_BYTES)
            if data is None or hashlib.sha256(data).hexdigest() != state.sha256:
                self._unstable = True  # changed since it was hashed: keep nothing of this run
                data = None
        scratch = load.Corpus()
        load._load_file(scratch, kind, path, rel, data)
        files = {rel: data} if data is not None else None
        scratch.problems.extend(comment_problems(self.project, scratch, missing=False, files=files))
        if self.state_now(path) != state.stat:
            self._unstable = True
        elif self.store is not None and state.sha256 is not None and data is not None:
            try:
                entry = _entry_of(scratch, kind)
                self._bucket(bucket_name)[rel] = {"kind": kind, "sha256": state.sha256, "entry": entry}
                self._changed_buckets.add(bucket_name)
            except _NotCacheable:
                pass
        corpus.problems.extend(scratch.problems)
        corpus.unloadable.update(scratch.unloadable)
        for other in _CORPUS_KINDS:
            corpus.of_kind(other).update(scratch.of_kind(other))

    @staticmethod
    def state_now(path: Path | str) -> Stat | None:
        try:
            return _stat_key(os.lstat(path))
        except OSError:
            return None

    def load_corpus(self) -> Corpus:
        """Every fact file, loaded through the cache, with the schema-comment warnings ``validate`` gives."""
        from generator.load import load_corpus

        return load_corpus(self.project, load_file=self.load_file)

    # --- saving ---

    def save(self) -> None:
        """Write the file states (leaving out files too recently modified to trust their stat), the memo,
        and the entry files that changed; entries of paths this run did not see are dropped."""
        if self.store is None:
            return
        for name, entries in self._buckets.items():
            used = self._used.get(name, set())
            stale = [rel for rel in entries if rel not in used]
            for rel in stale:
                del entries[rel]
            if stale or name in self._changed_buckets:
                if entries:
                    self.store.write(name, {"tool": self.tool, "files": entries})
                else:
                    self.store.remove(name)
        racy_after = (self.started - RACY_SECONDS) * 1e9
        files = {
            rel: [*state.stat, state.sha256]
            for rel, state in sorted(self._states.items())
            if state.stat is not None
            and state.sha256 is not None
            and state.stat[3] < racy_after
            and state.stat[4] < racy_after
        }
        memo = None
        if self._memo is not None:
            memo = {"key": self._memo.key, "problems": [_problem_row(p) for p in self._memo.problems]}
        self.store.write(STATE_FILE, {"tool": self.tool, "files": files, "memo": memo})


def validation_problems(project: Project, *, cache: bool = True) -> list[Problem]:
    """Every problem of the fact files, sorted; at once when no file changed since the last validation."""
    if not cache:
        from generator.pipeline import validate

        return validate(project).problems
    store = ValidationCache(project)
    key = store.corpus_key()
    known = store.problems(key)
    if known is not None:
        return known
    from generator.pipeline import validate_with_cache

    return validate_with_cache(store, key).problems
