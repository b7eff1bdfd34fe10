"""The build writes only into folders it made: never through a link, never over .git, facts or a hand-written page."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from generator.project import Project, ProjectError
from generator.write import MANIFEST
from tests.conftest import make_project


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links not followed) with the SHA-256 of its bytes."""
    digests = {}
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            path = Path(dirpath) / name
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            digests[path.relative_to(folder).as_posix()] = hashlib.sha256(data).hexdigest()
    return digests


def _fake_git(project: Path) -> dict[str, str]:
    git = project / ".git"
    (git / "refs/heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs/heads/main").write_text("0" * 40 + "\n")
    return tree_digest(git)


@pytest.mark.parametrize("target", [".git", "facts"])
def test_a_committed_site_link_to_git_or_facts_stops_every_command(project: Path, run, target: str) -> None:
    before = _fake_git(project) if target == ".git" else tree_digest(project / "facts")
    (project / "site").symlink_to(target)
    result = run("build", "--project", str(project))
    assert result.exit_code == 2
    assert (
        f"mkdocs.yml: site_dir 'site' is or lies in a symbolic link (site -> {target}): factsheet writes only into "
        "real folders; remove the link"
    ) in result.output
    assert tree_digest(project / target) == before


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("site_dir: .git", "mkdocs.yml: site_dir '.git' lies in a .git folder: choose another folder"),
        ("site_dir: .git/site", "mkdocs.yml: site_dir '.git/site' lies in a .git folder: choose another folder"),
        (
            "site_dir: facts",
            "mkdocs.yml: site_dir 'facts' would overlap facts/; factsheet never writes there: choose another folder",
        ),
        (
            "site_dir: facts/incidents",
            "mkdocs.yml: site_dir 'facts/incidents' would overlap facts/; factsheet never writes there: choose another folder",
        ),
        (
            "docs_dir: facts",
            "mkdocs.yml: docs_dir 'facts' would overlap facts/; factsheet never writes there: choose another folder",
        ),
        ("site_dir: docs", "mkdocs.yml: docs_dir and site_dir must be two separate folders"),
        ("site_dir: docs/site", "mkdocs.yml: docs_dir and site_dir must be two separate folders"),
        ("site_dir: .", "mkdocs.yml: site_dir must be a folder inside the project, not '.'"),
        ("site_dir: ..", "mkdocs.yml: site_dir must be a folder inside the project, not '..'"),
        ("site_dir: /tmp", "mkdocs.yml: site_dir must be a folder inside the project, not '/tmp'"),
    ],
)
def test_output_folders_that_would_harm_are_refused(project: Path, run, setting: str, message: str) -> None:
    before = _fake_git(project)
    facts = tree_digest(project / "facts")
    config = project / "mkdocs.yml"
    key = setting.split(":")[0]
    lines = [line for line in config.read_text().splitlines() if not line.startswith(key + ":")]
    config.write_text("\n".join([*lines, setting]) + "\n")
    result = run("build", "--project", str(project))
    assert result.exit_code == 2
    assert f"Error: {message}" in result.output
    assert tree_digest(project / ".git") == before
    assert tree_digest(project / "facts") == facts


def test_a_docs_folder_that_is_a_link_is_refused(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (project / "docs").rename(elsewhere)
    (project / "docs").symlink_to(elsewhere)
    with pytest.raises(ProjectError) as error:
        Project.at(project)
    assert str(error.value).startswith("mkdocs.yml: docs_dir 'docs' is or lies in a symbolic link (docs -> ")


def test_a_site_folder_factsheet_did_not_make_is_kept(project: Path, run) -> None:
    mine = project / "site/notes.txt"
    mine.parent.mkdir()
    mine.write_text("not a build\n")
    result = run("build", "--project", str(project))
    assert result.exit_code == 1
    assert (
        "Error: site/ was not built by factsheet (it has no .factsheet-site file), so the build will not replace it: "
        "move it away (or delete it, if it is an old build), then build again"
    ) in result.output
    assert mine.read_text() == "not a build\n"
    assert not list(project.glob(".site.*"))


def test_a_tampered_manifest_cannot_delete_hand_written_pages(project: Path, run) -> None:
    assert run("generate", "--project", str(project)).exit_code == 0
    manifest = project / "docs" / MANIFEST
    entries = json.loads(manifest.read_text())
    hand_written = tree_digest(project / "docs")
    for listed in (
        "incidents/../index.md",
        "incidents/../../mkdocs.yml",
        "../facts/places/iraq.yaml",
        "reference/format.md",
    ):
        manifest.write_text(json.dumps({**entries, listed: None}))
        result = run("generate", "--project", str(project))
        assert result.exit_code == 1
        assert (
            f"Error: {MANIFEST} in docs/ lists {listed!r}, which factsheet never writes (refusing to write or delete "
            f"{listed!r}: generated pages go only in"
        ) in result.output
        assert tree_digest(project / "docs") == {
            **hand_written,
            MANIFEST: hashlib.sha256(manifest.read_bytes()).hexdigest(),
        }
    assert (project / "mkdocs.yml").is_file()
    assert (project / "facts/places/iraq.yaml").is_file()


def test_a_generated_folder_that_is_a_link_is_not_written_through(project: Path, run, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "docs/tags").symlink_to(outside)
    result = run("generate", "--project", str(project))
    assert result.exit_code == 1
    assert "is a symbolic link, and factsheet writes only into folders it made; remove the link" in result.output
    assert list(outside.iterdir()) == []


def test_a_link_under_docs_would_publish_local_files_and_stops_the_build(project: Path, run, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("private key\n")
    (project / "docs/assets/notes.txt").symlink_to(secret)
    (project / "overrides/leak").symlink_to(tmp_path)
    result = run("build", "--project", str(project))
    assert result.exit_code == 1
    assert (
        "Error: symbolic links would publish the files they point to: docs/assets/notes.txt, overrides/leak; "
        "replace each with a copy of the file, or remove it"
    ) in result.output
    assert not (project / "site").exists()


def test_project_at_accepts_the_usual_folders(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    loaded = Project.at(project)
    assert (loaded.docs_dir, loaded.site_dir) == (project.resolve() / "docs", project.resolve() / "site")
