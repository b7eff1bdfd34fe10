"""The GitHub workflows, checked statically: CI here cannot reach GitHub."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sysconfig
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def _load(path: Path) -> dict[Any, Any]:
    # BaseLoader: 'on' stays the key "on" (YAML 1.1 would read it as True).
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert isinstance(data, dict)
    return data


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_there_are_workflows_for_pull_requests_and_pages() -> None:
    assert [p.name for p in WORKFLOWS] == ["pages.yml", "pull-request.yml"]


def _zizmor() -> str:
    """zizmor from this environment: the tests run as `.venv/bin/python -m pytest`, with no venv on PATH."""
    name = "zizmor.exe" if os.name == "nt" else "zizmor"
    beside = Path(sysconfig.get_path("scripts")) / name
    found = str(beside) if beside.is_file() else shutil.which("zizmor")
    if found is None:
        message = "zizmor is not installed (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_zizmor_finds_nothing() -> None:
    """Workflows and the Dependabot configuration, every severity."""
    result = subprocess.run(
        [
            _zizmor(),
            "--offline",
            "--strict-collection",
            "--min-severity",
            "low",
            "--no-progress",
            "--color",
            "never",
            ".github",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dependabot.yml" in result.stderr and "pull-request.yml" in result.stderr  # it audited both kinds


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if "uses:" in line:
            reference = line.split("uses:", 1)[1].strip()
            assert PINNED.match(reference), f"{path.name}: pin '{reference}' to a full commit SHA with '# vX.Y.Z'"


# The first major of each action that runs on Node 24: GitHub's runners no longer run Node 20.
NODE24_MAJOR = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/upload-artifact": 6,
    "actions/download-artifact": 7,
    "actions/upload-pages-artifact": 5,  # v4 ran upload-artifact v4, on Node 20
    "actions/deploy-pages": 5,
    "github/codeql-action/upload-sarif": 4,
}


def _pins() -> list[tuple[str, str, str, str]]:
    """(workflow, action, commit, version) for every `uses:` of every workflow."""
    pins = []
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                reference = line.split("uses:", 1)[1].strip()
                action, _, rest = reference.partition("@")
                commit, _, version = rest.partition(" # ")
                pins.append((path.name, action, commit, version))
    return pins


def test_every_action_runs_on_a_supported_runtime() -> None:
    for workflow, action, _, version in _pins():
        assert action in NODE24_MAJOR, f"{workflow}: {action} is new: add its first Node 24 major to NODE24_MAJOR"
        major = int(version.removeprefix("v").split(".")[0])
        assert major >= NODE24_MAJOR[action], f"{workflow}: {action} {version} runs on a Node release runners dropped"


def test_each_action_has_one_pin_across_the_workflows() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for workflow, action, commit, version in _pins():
        assert seen.setdefault(action, (commit, version)) == (commit, version), f"{workflow}: {action} pinned twice"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_time_limit(path: Path) -> None:
    for name, job in _load(path)["jobs"].items():
        assert "timeout-minutes" in job, f"job '{name}' runs for up to 6 hours without timeout-minutes"
        assert 1 <= int(job["timeout-minutes"]) <= 60, f"job '{name}': timeout-minutes out of range"


def test_dependabot_updates_the_actions_and_the_python_packages() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    assert all(update["directory"] == "/" for update in ecosystems.values())


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_permissions_for_every_job(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {}, "the workflow grants nothing; each job asks for what it needs"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job '{name}' needs its own permissions:"
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        runs_repository_code = any(step.get("uses", "").startswith("actions/checkout@") for step in job["steps"])
        assert not (writes and runs_repository_code), f"job '{name}' checks out code and can write {writes}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_event_text_is_expanded_in_a_script(path: Path) -> None:
    workflow = _load(path)
    assert "pull_request_target" not in workflow["on"]
    for step in _steps(workflow):
        assert "${{" not in step.get("run", ""), f"pass values to '{step.get('name')}' through env:, not ${{{{ }}}}"


def _commands(script: str) -> list[list[str]]:
    joined = script.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in joined.splitlines() if line.strip()]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_local_script_and_factsheet_command_exists(path: Path) -> None:
    for step in _steps(_load(path)):
        for words in _commands(step.get("run", "")):
            for word in words:
                if word.startswith(("./", ".github/", ".ci/", "scripts/")):
                    assert (ROOT / word).exists(), f"{path.name}: '{word}' does not exist"
            if words and words[0] == "factsheet":
                assert words[1] in main.commands, f"{path.name}: no command 'factsheet {words[1]}'"


def test_the_diff_fetch_depth_matches_the_comparison() -> None:
    workflow = _load(ROOT / ".github/workflows/pull-request.yml")
    steps = workflow["jobs"]["check"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == "2"  # the merge commit and both parents
    assert any("factsheet diff HEAD^1 HEAD" in s.get("run", "") for s in steps)


def test_annotations_for_a_broken_fact(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    places = tmp_path / "facts" / "places"
    places.mkdir(parents=True)
    (places / "iraq.yaml").write_text(
        textwrap.dedent(
            """\
            # yaml-language-server: $schema=../../schemas/place.json
            name: Iraq
            kind: kingdom
            coordinates: {lat: 33.0, lon: 44.0, precision_m: 100%}
            """
        )
    )
    result = CliRunner().invoke(main, ["validate", "--format", "github", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=facts/places/iraq.yaml,line=3,col=7::kind must be one of 'country', 'province', 'city', "
        "'district', 'neighbourhood', 'compound', 'facility', 'military-base', 'airport', 'border-area', 'region' "
        "or 'other'\n"
        "::error file=facts/places/iraq.yaml,line=4,col=50::coordinates.precision_m must be a whole number\n"
    )


def test_pre_commit_hooks_run_existing_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["factsheet-validate", "factsheet-schema"]
    for hook in hooks:
        words = shlex.split(hook["entry"])
        assert words[0] == "factsheet" and words[1] in main.commands
        assert hook["pass_filenames"] is False  # factsheet checks the whole project, never single files


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_downloaded_artifact_is_uploaded_by_a_job_it_needs(path: Path) -> None:
    jobs = _load(path)["jobs"]
    for name, job in jobs.items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        uploaded = {
            step["with"]["name"]
            for need in needs
            for step in jobs[need]["steps"]
            if step.get("uses", "").startswith("actions/upload-artifact@")
        }
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/download-artifact@"):
                assert step["with"]["name"] in uploaded, f"job '{name}' downloads an artifact no job it needs uploads"


def test_only_the_code_scanning_job_writes_security_events_and_never_for_forks() -> None:
    jobs = _load(ROOT / ".github/workflows/pull-request.yml")["jobs"]
    writers = [name for name, job in jobs.items() if job["permissions"].get("security-events") == "write"]
    assert writers == ["code-scanning"]
    job = jobs["code-scanning"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    uses = [step["uses"].split("@")[0] for step in job["steps"]]
    assert uses == ["actions/download-artifact", "github/codeql-action/upload-sarif"]
    check = jobs["check"]["steps"]
    assert any(step.get("run") == "factsheet validate --format sarif > factsheet.sarif" for step in check)
