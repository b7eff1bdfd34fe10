"""Faults: a build killed half way, a build that fails, a full disk. The previous site stays whole,
no analyst file changes, and the next good build cleans up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_project
from tests.test_files import tree_digest

INCIDENT = "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml"
DRONES = "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml"


def _factsheet(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: MkDocs and Pagefind die with it
        **kwargs,  # type: ignore[call-overload]
    )


def _build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--project", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )


def _hand_written(project: Path) -> dict[str, str]:
    """The analysts' files: facts, configuration, hand-written pages and theme overrides."""
    digests = {f"facts/{k}": v for k, v in tree_digest(project / "facts").items()}
    digests |= {f"overrides/{k}": v for k, v in tree_digest(project / "overrides").items()}
    digests |= {
        f"docs/{k}": v
        for k, v in tree_digest(project / "docs").items()
        if k.split("/")[0] in ("reading.md", "contributing.md", "reference", "assets")
    }
    digests["mkdocs.yml"] = tree_digest(project)["mkdocs.yml"]
    return digests


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built once; each test copies it."""
    project = make_project(tmp_path_factory.mktemp("built") / "project")
    result = _build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def _copy(built: Path, folder: Path) -> Path:
    project = folder / "project"
    shutil.copytree(built, project, symlinks=True)
    return project


def test_a_build_killed_half_way_leaves_the_previous_site_and_the_next_build_cleans_up(
    built: Path, tmp_path: Path
) -> None:
    project = _copy(built, tmp_path)
    before_site = tree_digest(project / "site")
    incident = project / INCIDENT
    incident.write_text(incident.read_text().replace("title: Rocket attack", "title: Killed-build attack"))
    analysts = _hand_written(project)
    process = _factsheet("build", "--project", str(project))
    # Kill it (and MkDocs under it) once MkDocs has written part of the new site.
    staged: list[Path] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        staged = [p for p in project.glob(".site.building-*") if (p / "assets").is_dir()]
        if staged:
            break
        time.sleep(0.01)
    assert process.poll() is None, "the build ended before it could be killed: " + (
        process.stdout.read() if process.stdout else ""
    )
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert staged, "no half-written staging folder was seen"
    assert tree_digest(project / "site") == before_site  # the previous site, whole
    assert _hand_written(project) == analysts
    assert list(project.glob(".site.building-*"))  # the half-written build is still there…
    result = _build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list(project.glob(".site.*"))  # …until the next build removes it
    assert "Killed-build attack" in (project / "site/incidents/ain-al-asad-rockets-2021-07-05/index.html").read_text()
    assert _hand_written(project) == analysts


def test_a_failing_build_keeps_the_previous_site(built: Path, tmp_path: Path) -> None:
    project = _copy(built, tmp_path)
    before_site = tree_digest(project / "site")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins: []", "plugins: [no-such-plugin]"))
    analysts = _hand_written(project)
    result = _build(project)
    assert result.returncode == 1
    assert "Error: the site engine failed; the previous site is kept:" in result.stderr
    assert "no-such-plugin" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(project / "site") == before_site
    assert _hand_written(project) == analysts
    assert not list(project.glob(".site.*"))


def test_deleting_an_incident_removes_its_page_and_nothing_else(built: Path, tmp_path: Path) -> None:
    project = _copy(built, tmp_path)
    docs_before = set(tree_digest(project / "docs"))
    site_before = set(tree_digest(project / "site"))
    (project / DRONES).unlink()
    analysts = _hand_written(project)
    result = _build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    # Its page goes, and the pages of the tags only it had (no other incident is tagged drones or c-ram).
    assert docs_before - set(tree_digest(project / "docs")) == {
        "incidents/baghdad-embassy-drones-2021-07-06.md",
        "tags/c-ram.md",
        "tags/drones.md",
    }
    gone = site_before - set(tree_digest(project / "site"))
    pages_gone = {path for path in gone if path.endswith(".html")}
    assert pages_gone == {
        "incidents/baghdad-embassy-drones-2021-07-06/index.html",
        "tags/c-ram/index.html",
        "tags/drones/index.html",
    }
    assert _hand_written(project) == analysts


def _mount_small_file_system(folder: Path, megabytes: int) -> bool:
    folder.mkdir(parents=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _used_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


@pytest.fixture
def small_disk(tmp_path: Path) -> object:
    mount = tmp_path / "disk"
    if not _mount_small_file_system(mount, 64):
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root and must be able to mount a tmpfs for the full-disk test")
        pytest.skip("mounting a tmpfs needs root (CI runs this test)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` until ``leave`` bytes are free."""
    filler = folder / "filler"
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with filler.open("wb") as handle:
        remaining = max(free - leave, 0)
        block = b"\0" * (1 << 20)
        while remaining > 0:
            chunk = block[: min(len(block), remaining)]
            try:
                handle.write(chunk)
                handle.flush()
            except OSError:
                break
            remaining -= len(chunk)
    return filler


def test_a_full_disk_while_building_the_site_keeps_the_previous_site(built: Path, small_disk: Path) -> None:
    project = _copy(built, small_disk)
    before_site = tree_digest(project / "site")
    incident = project / INCIDENT
    incident.write_text(incident.read_text().replace("title: Rocket attack", "title: Full-disk attack"))
    analysts = _hand_written(project)
    filler = _fill(small_disk, leave=1 << 20)  # room for the pages, not for a second site
    result = _build(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error: the site engine failed; the previous site is kept:" in result.stderr
    assert "No space left on device" in result.stderr
    assert tree_digest(project / "site") == before_site
    assert _hand_written(project) == analysts
    assert not list(project.glob(".site.*"))
    filler.unlink()
    result = _build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Full-disk attack" in (project / "site/incidents/ain-al-asad-rockets-2021-07-05/index.html").read_text()


def test_a_full_disk_while_writing_the_pages_is_a_clear_error(built: Path, small_disk: Path) -> None:
    project = _copy(built, small_disk)
    before_site = tree_digest(project / "site")
    before_docs = tree_digest(project / "docs")
    incident = project / INCIDENT
    incident.write_text(incident.read_text().replace("title: Rocket attack", "title: " + "Full " * 50 + "attack"))
    analysts = _hand_written(project)
    filler = _fill(small_disk, leave=0)
    result = _build(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error: could not write the pages: No space left on device" in result.stderr
    assert tree_digest(project / "site") == before_site
    assert _hand_written(project) == analysts
    assert tree_digest(project / "docs") == before_docs  # nothing half-written, nothing lost
    filler.unlink()
    assert _build(project).returncode == 0
