"""The validation cache never changes a result: the same problems with and without it, whatever happened.

Each scenario validates the same project twice, through the cache and with
``--no-cache``, and compares the whole output. A count of the files actually parsed
shows that the cache is really used (nothing parsed when nothing changed, one file
after one edit), so these comparisons are not between two uncached runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator import cache, load
from generator.cache import CACHE_DIR, FORMAT, RACY_SECONDS, STATE_FILE, ValidationCache, validation_problems
from generator.problems import Problem
from generator.project import Project
from tests.conftest import FIXTURES, make_project

ROCKETS = "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml"
DRONES = "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml"
SOURCE = "facts/sources/airborne-threat-report.md"
ANBAR = "facts/places/anbar.yaml"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths of the fact files the loader really read, in each validation."""
    calls: list[str] = []
    original = load._load_file

    def counting(corpus: load.Corpus, kind: str, path: Path, rel: str, data: bytes | None = None) -> None:
        calls.append(rel)
        original(corpus, kind, path, rel, data)

    monkeypatch.setattr(load, "_load_file", counting)
    yield calls


def _same(project: Path) -> list[Problem]:
    """Validate through the cache and without it; the problems must be identical. Returns them."""
    with_cache = validation_problems(Project.at(project))
    without = validation_problems(Project.at(project), cache=False)
    assert with_cache == without
    return with_cache


def _edit(project: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_unchanged_corpus_reads_nothing_and_one_edit_reads_one_file(project: Path, parsed: list[str]) -> None:
    first = _same(project)
    parsed.clear()
    assert validation_problems(Project.at(project)) == first
    assert parsed == []  # answered from the cache
    _edit(project, ROCKETS, "title: Rocket attack", "title: Rocket strike")
    validation_problems(Project.at(project))
    assert parsed == [ROCKETS]


def test_edits_renames_and_deletions(project: Path) -> None:
    baseline = _same(project)
    # An error in one file, then its fix.
    _edit(project, ROCKETS, "type: rocket-attack", "type: rocket-attack\ntypo_field: 1")
    assert any("unknown field 'typo_field'" in p.message for p in _same(project))
    _edit(project, ROCKETS, "\ntypo_field: 1", "")
    assert _same(project) == baseline
    # A renamed incident: a new id, the same bytes.
    (project / ROCKETS).rename(project / "facts/incidents/rockets-renamed.yaml")
    _same(project)
    (project / "facts/incidents/rockets-renamed.yaml").rename(project / ROCKETS)
    assert _same(project) == baseline
    # A renamed file that has a problem: the problem is reported at the new name.
    _edit(project, ROCKETS, "type: rocket-attack", "type: rocket-attack\ntypo_field: 1")
    _same(project)
    time.sleep(RACY_SECONDS + 0.1)  # so that the cache trusts the files' stat and keeps the whole result
    _same(project)
    # (a name that sorts where the old one did, so only the name tells the two corpora apart)
    renamed = ROCKETS.replace(".yaml", "-renamed.yaml")
    (project / ROCKETS).rename(project / renamed)
    assert [p.path for p in _same(project) if "typo_field" in p.message] == [renamed]
    (project / renamed).rename(project / ROCKETS)
    _edit(project, ROCKETS, "\ntypo_field: 1", "")
    assert _same(project) == baseline
    # A deleted place that incidents and places refer to, then restored.
    saved = (project / ANBAR).read_bytes()
    (project / ANBAR).unlink()
    assert any("no place 'anbar'" in p.message for p in _same(project))
    (project / ANBAR).write_bytes(saved)
    assert _same(project) == baseline
    # A file that is not a fact, and a symbolic link.
    (project / "facts/incidents/notes.txt").write_text("notes\n")
    (project / "facts/places/link.yaml").symlink_to(project / ANBAR)
    assert len(_same(project)) == len(baseline) + 2
    (project / "facts/incidents/notes.txt").unlink()
    (project / "facts/places/link.yaml").unlink()
    assert _same(project) == baseline


def test_a_changed_source_breaks_quotes_in_files_that_did_not_change(project: Path, parsed: list[str]) -> None:
    _same(project)
    _edit(project, SOURCE, "three rockets hit Ain al-Asad", "several rockets hit Ain al-Asad", count=-1)
    parsed.clear()
    validation_problems(Project.at(project))
    assert parsed == [SOURCE]  # the incident citing it comes from the cache, and still gets its error
    messages = [str(p) for p in _same(project)]
    assert any(m.startswith(ROCKETS) and "the quote is not in source 'airborne-threat-report'" in m for m in messages)
    assert any(m.startswith(SOURCE) and "does not match its sha256" in m for m in messages)


def test_an_edit_that_keeps_size_and_times_is_seen(project: Path) -> None:
    """Same length, modification time put back: the change time and the racy-stat rule catch it."""
    baseline = _same(project)
    path = project / ROCKETS
    info = path.stat()
    _edit(project, ROCKETS, "type: rocket-attack", "type: rocket-attacc")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size
    assert _same(project) != baseline


@pytest.mark.parametrize("case", sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir()))
def test_every_rule_fixture_gives_the_same_problems_after_a_cached_run(case: str, project: Path) -> None:
    _same(project)  # the cache now holds the valid corpus
    case_dir = FIXTURES / "invalid" / case
    for path in case_dir.rglob("*"):
        if path.is_file() and path.name != "expected.txt":
            target = project / path.relative_to(case_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    problems = _same(project)
    assert "\n".join(map(str, problems)) + ("\n" if problems else "") == (case_dir / "expected.txt").read_text()
    assert validation_problems(Project.at(project)) == problems  # and once more, from the memo


# ----- the cache is input too -----


def _invalid_project(folder: Path) -> Path:
    project = make_project(folder)
    _edit(project, ROCKETS, "place: ain-al-asad-air-base", "place: nowhere")
    return project


def _every_cache_file(project: Path) -> list[Path]:
    return [p for p in (project / CACHE_DIR).rglob("*") if p.is_file()]


def _forge(path: Path, document: object, key: bytes) -> None:
    payload = json.dumps(document).encode()
    path.write_bytes(f"{FORMAT} {hmac.new(key, payload, hashlib.sha256).hexdigest()}\n".encode() + payload)


def _expected(project: Path) -> list[Problem]:
    problems = validation_problems(Project.at(project), cache=False)
    assert any("no place 'nowhere'" in p.message for p in problems)
    return problems


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b""),
        lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
        lambda path: path.write_bytes(b"\xff\xfe garbage \x00"),
        lambda path: path.write_bytes(path.read_bytes().replace(b"nowhere", b"nowhera")),
        lambda path: path.write_bytes(b"[" * 100000),
    ],
    ids=["empty", "cut", "binary", "edited", "deep"],
)
def test_a_damaged_cache_changes_nothing(tmp_path: Path, damage: Callable[[Path], None]) -> None:
    project = _invalid_project(tmp_path / "project")
    expected = _expected(project)
    assert validation_problems(Project.at(project)) == expected
    for path in _every_cache_file(project):
        damage(path)
    assert validation_problems(Project.at(project)) == expected
    assert validation_problems(Project.at(project)) == expected


def test_a_forged_cache_cannot_hide_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A branch can carry a .factsheet-cache/ made to say 'no problems'; without the local key it is ignored."""
    project = _invalid_project(tmp_path / "project")
    expected = _expected(project)
    store = ValidationCache(Project.at(project))
    key = store.corpus_key()
    attacker_key = b"k" * 32
    state = {"tool": store.tool, "files": {}, "memo": {"key": key, "problems": []}}
    (project / CACHE_DIR / "validate-1").mkdir(parents=True)
    _forge(project / CACHE_DIR / STATE_FILE, state, attacker_key)
    assert validation_problems(Project.at(project)) == expected
    # The same with a cache made by another machine's key for a valid version of the file.
    other_home = tmp_path / "other-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(other_home))
    clean = make_project(tmp_path / "clean")
    assert not [p for p in validation_problems(Project.at(clean)) if p.severity == "error"]
    shutil.rmtree(project / CACHE_DIR)
    shutil.copytree(clean / CACHE_DIR, project / CACHE_DIR)
    monkeypatch.undo()
    assert validation_problems(Project.at(project)) == expected


def test_entries_with_a_valid_key_but_a_wrong_shape_are_reloaded(tmp_path: Path) -> None:
    """Even authenticated data (an older layout, a bug) is checked before it is used."""
    project = _invalid_project(tmp_path / "project")
    expected = _expected(project)
    validation_problems(Project.at(project))
    secret = cache._secret()
    assert secret is not None
    tool = ValidationCache(Project.at(project)).tool
    wrong_entry = {"kind": "incidents", "sha256": "0", "entry": {"problems": [[1, 2]]}}
    shapes: list[object] = [
        [],
        {"tool": "x"},
        {"files": 3},
        "text",
        None,
        {"tool": tool, "files": {ROCKETS: wrong_entry}},
    ]
    for shape in shapes:
        for path in _every_cache_file(project):
            _forge(path, shape, secret)
        assert validation_problems(Project.at(project)) == expected
    # An entry for the right bytes whose problems and records are malformed.
    validation_problems(Project.at(project), cache=False)
    shutil.rmtree(project / CACHE_DIR)
    validation_problems(Project.at(project))
    for path in (project / CACHE_DIR).rglob("files/*.json"):
        store = ValidationCache(Project.at(project)).store
        assert store is not None
        document = store.read(path.relative_to(project / CACHE_DIR).as_posix())
        for entry in document["files"].values():
            entry["entry"]["problems"] = [["x", "y", None, "fatal", 3]]
            entry["entry"]["records"] = [{"id": 1, "path": None, "data": {"title": 5}, "body": []}]
        _forge(path, document, secret)
    (project / CACHE_DIR / STATE_FILE).unlink()  # force the per-file path
    assert validation_problems(Project.at(project)) == expected


def test_special_files_in_the_cache_are_not_read(tmp_path: Path) -> None:
    project = _invalid_project(tmp_path / "project")
    expected = _expected(project)
    validation_problems(Project.at(project))
    state = project / CACHE_DIR / STATE_FILE
    state.unlink()
    state.symlink_to("/dev/zero")  # would never end if read
    assert validation_problems(Project.at(project)) == expected
    state.unlink()
    os.mkfifo(state)  # would block if opened for reading without care
    assert validation_problems(Project.at(project)) == expected
    state.unlink()
    with state.open("wb") as handle:  # larger than any cache file may be
        handle.truncate(cache.MAX_CACHE_FILE_BYTES + 1)
    assert validation_problems(Project.at(project)) == expected


def test_a_cache_folder_that_is_a_link_is_never_written_through(tmp_path: Path) -> None:
    project = _invalid_project(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / CACHE_DIR).symlink_to(elsewhere)
    expected = _expected(project)
    assert validation_problems(Project.at(project)) == expected
    assert list(elsewhere.iterdir()) == []
    (project / CACHE_DIR).unlink()
    (project / CACHE_DIR).mkdir()
    (project / CACHE_DIR / "validate-1").symlink_to(elsewhere)
    assert validation_problems(Project.at(project)) == expected
    assert list(elsewhere.iterdir()) == []


def test_a_new_version_of_the_generator_does_not_reuse_results(project: Path, parsed: list[str]) -> None:
    validation_problems(Project.at(project))
    parsed.clear()
    cache.tool_fingerprint.cache_clear()
    try:
        original = cache.tool_fingerprint()
        cache.tool_fingerprint.cache_clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(cache.sys, "version", "another python")
            assert cache.tool_fingerprint() != original
            validation_problems(Project.at(project))
        assert len(parsed) == 14  # every fact file read again
    finally:
        cache.tool_fingerprint.cache_clear()


def test_without_a_key_nothing_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    project = _invalid_project(tmp_path / "project")
    assert validation_problems(Project.at(project)) == _expected(project)
    assert not (project / CACHE_DIR).exists()


def test_the_command_line(project: Path, run: Callable[..., object]) -> None:
    first = run("validate", "--project", str(project))
    second = run("validate", "--project", str(project))
    third = run("validate", "--project", str(project), "--no-cache")
    assert first.stdout == second.stdout == third.stdout  # type: ignore[attr-defined]
    assert (project / CACHE_DIR / STATE_FILE).is_file()
