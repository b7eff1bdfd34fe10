"""The lock CI installs from: every package pinned, hashed, and nothing missing.

`.ci/run` and the workflows download the files the lock names, check each against its
SHA-256, and install the project from those files alone (no index), so a requirement
the lock lacks fails the install instead of being fetched unpinned.
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

LOCK = ROOT / "requirements-lock.txt"
README_TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"
UPDATE = "update the lock: pip install pip-tools, then run the pip-compile command at the top of requirements-lock.txt"
ENTRY = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")


def _lock() -> dict[str, tuple[Version, list[str]]]:
    """Each locked package: its version and its hashes."""
    entries: dict[str, tuple[Version, list[str]]] = {}
    name = ""
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = ENTRY.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            assert name not in entries, f"{name} is locked twice"
            entries[name] = (Version(match.group(2)), [])
        elif line.strip().startswith("--hash=sha256:") and name:
            entries[name][1].append(line.strip().removesuffix("\\").strip())
    return entries


def _project_requirements(*, build: bool = True) -> list[Requirement]:
    """What pyproject.toml asks for: the build backend (unless build=False), dependencies, extras."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    texts = [*(pyproject["build-system"]["requires"] if build else []), *project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        texts += extra
    return [Requirement(text) for text in texts]


def test_every_locked_package_is_pinned_with_its_hashes() -> None:
    lock = _lock()
    assert len(lock) > 20, "the lock holds the whole tree, not just the direct requirements"
    for name, (_, hashes) in lock.items():
        assert hashes, f"{name} has no --hash in the lock: {UPDATE}"
    text = LOCK.read_text(encoding="utf-8")
    assert "--extra-index-url" not in text and "--find-links" not in text, "the lock names a machine's own index"


def test_every_requirement_of_the_project_is_locked_at_a_version_it_accepts() -> None:
    lock = _lock()
    for requirement in _project_requirements():
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{requirement} is not in the lock: {UPDATE}"
        version = lock[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"the lock has {name} {version}, which pyproject.toml's '{requirement}' excludes: {UPDATE}"
        )


def _installed_version(name: str) -> Version | None:
    try:
        return Version(metadata.version(name))
    except metadata.PackageNotFoundError:
        return None


def test_the_lock_holds_every_dependency_of_what_it_locks() -> None:
    """Walks the installed packages' own requirements from the project's, extras included."""
    lock = _lock()
    mismatched = {
        name: (version, _installed_version(name))
        for name, (version, _) in lock.items()
        if name != "setuptools" and _installed_version(name) != version
    }
    if mismatched:
        message = f"this environment was not installed from the lock: {sorted(mismatched.items())[:5]}"
        if os.environ.get("CI"):
            pytest.fail(message)  # .ci/run installs from the lock alone
        pytest.skip(message)
    environment = default_environment()
    pending = [(r, "") for r in _project_requirements(build=False)]  # the build backend is not installed
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement, parent = pending.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        assert name in lock, f"{name} (needed by {parent or 'pyproject.toml'}) is not in the lock: {UPDATE}"
        for text in metadata.requires(name) or []:
            child = Requirement(text)
            extras = requirement.extras or {""}
            if child.marker is None or any(child.marker.evaluate({**environment, "extra": e}) for e in extras):
                pending.append((child, name))
    stale = set(lock) - {name for name, _ in seen} - {"setuptools"}
    assert not stale, f"the lock holds packages nothing needs, {sorted(stale)}: {UPDATE}"


def test_ci_runs_the_readme_test_command_verbatim_after_installing_the_lock() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert README_TEST_COMMAND in readme
    assert README_TEST_COMMAND in script.splitlines()
    before = script[: script.index(README_TEST_COMMAND)]
    assert "--require-hashes" in before and "requirements-lock.txt" in before
    assert "PIP_NO_INDEX=1" in before and "PIP_FIND_LINKS=" in before
